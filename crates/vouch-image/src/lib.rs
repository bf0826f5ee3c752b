//! Container images from the inside, without a container daemon.
//!
//! vouch signs, attests and admits images; this crate lets it say what is *in* one. An
//! image comes from a registry (through `vouch-oci`: resolved once, every manifest and
//! layer digest-checked and size-capped), an OCI image layout directory, a `docker save`
//! tarball, or a plain root filesystem directory ([`Source`]).
//!
//! The key design choice is that layers are *streamed*, never unpacked: each layer is
//! decompressed and read as a tar stream once, in order, and only the files a cataloger
//! needs (package databases, `os-release`, language package metadata) are kept, with the
//! layer they came from. Whiteouts (`.wh.name`) and opaque directories (`.wh..wh..opq`)
//! remove kept files of lower layers, so the squashed view ([`fs::Rootfs`]) decides what
//! is installed, while every component still names the layer and path it was found in (a
//! finding names the layer to fix). Memory stays bounded by the kept files, whatever the
//! image size; registry layers pass through a temporary file so a layer is checked against
//! its digest before a byte of it is trusted.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let source: vouch_image::Source = "docker-archive:image.tar".parse()?;
//! let catalog = vouch_image::catalog(&source, &vouch_image::Options::default())?;
//! let sbom = catalog.to_sbom();
//! println!("{} packages", sbom.components.len());
//! # Ok(()) }
//! ```

pub mod apk;
pub mod catalog;
pub mod dpkg;
pub mod eol;
pub mod fs;
pub mod lang;
pub mod model;
pub mod osrelease;
mod read;
pub mod rpm;
pub mod source;

pub use catalog::{Catalog, Found, PackageKind};
pub use model::{ImageError, ImageInfo, Options};
pub use osrelease::Distro;
pub use source::Source;
pub use vouch_oci::RegistryOptions;

/// Reads `source` (streaming its layers) and catalogs what the squashed image contains.
pub fn catalog(source: &Source, options: &Options) -> Result<Catalog, ImageError> {
    let rootfs = read::read(source, options)?;
    Ok(catalog::catalog(&rootfs))
}
