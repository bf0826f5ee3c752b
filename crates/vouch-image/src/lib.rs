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
pub mod osrelease;
mod read;
pub mod rpm;
pub mod source;

use std::path::PathBuf;

pub use catalog::{Catalog, Found, ImageInfo, PackageKind};
pub use osrelease::Distro;
pub use source::Source;
pub use vouch_oci::RegistryOptions;

/// How to read an image.
#[derive(Debug, Clone)]
pub struct Options {
    /// Registry access (timeouts, size caps, credentials).
    pub registry: RegistryOptions,
    /// The platform to take from a multi-platform index (`os/arch[/variant]`); `None` means
    /// the only image of the index, or `linux/amd64`.
    pub platform: Option<String>,
    /// Largest compressed layer accepted.
    pub max_layer_bytes: u64,
    /// Largest single kept file (a package database) accepted; larger ones are skipped
    /// with a diagnostic.
    pub max_file_bytes: u64,
}

/// Budget for one registry request of an image read (a whole layer), in seconds.
const LAYER_TIMEOUT_SECS: u64 = 600;

impl Default for Options {
    fn default() -> Self {
        Self {
            // One request carries a whole layer: give it minutes, not the 30 s a manifest gets.
            registry: RegistryOptions {
                timeout: std::time::Duration::from_secs(LAYER_TIMEOUT_SECS),
                ..RegistryOptions::default()
            },
            platform: None,
            max_layer_bytes: 16 * 1024 * 1024 * 1024,
            max_file_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Why an image could not be read. Every message names the input.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("invalid image source `{input}`: {reason}")]
    BadSource { input: String, reason: String },
    #[error("failed to read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} is malformed: {reason}")]
    Malformed { what: String, reason: String },
    #[error("{what}: no image for platform `{platform}` (the index has {available})")]
    NoPlatform {
        what: String,
        platform: String,
        available: String,
    },
    #[error("layer `{layer}` of {what}: uncompressed content hashes to {actual}, the image config says {expected}")]
    DiffIdMismatch {
        what: String,
        layer: String,
        expected: String,
        actual: String,
    },
    #[error("layer `{layer}` of {what} uses {compression} compression, which vouch does not read")]
    UnsupportedCompression {
        what: String,
        layer: String,
        compression: String,
    },
    #[error(transparent)]
    Registry(#[from] vouch_oci::OciError),
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// `reason` is cut to its first line and 160 characters: parsers quote the bytes they
    /// choked on, which for a file that is not what it claims to be is noise.
    pub(crate) fn malformed(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        let reason = reason.to_string();
        let first = reason.lines().next().unwrap_or("");
        let mut short: String = first.chars().take(160).collect();
        if short.len() < reason.len() {
            short.push('…');
        }
        Self::Malformed {
            what: what.into(),
            reason: short,
        }
    }
}

/// Reads `source` (streaming its layers) and catalogs what the squashed image contains.
pub fn catalog(source: &Source, options: &Options) -> Result<Catalog, ImageError> {
    let rootfs = read::read(source, options)?;
    Ok(catalog::catalog(&rootfs))
}
