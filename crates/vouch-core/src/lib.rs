//! The validated vocabulary every vouch crate speaks.
//!
//! Types here are parsed once at the edge and are valid by construction afterwards: a
//! [`Digest`] always has a known algorithm and a hex value of the right length, a [`Purl`]
//! always round-trips to the same canonical string. The crate does no I/O, so it can be
//! used from pure code (the policy engine) and from fuzz targets alike.

pub mod diagnostic;
pub mod digest;
pub mod ecosystem;
pub mod image_ref;
pub mod package;
pub mod purl;

pub use diagnostic::{Diagnostic, Level, Location};
pub use digest::{Digest, DigestAlgorithm, DigestError};
pub use ecosystem::Ecosystem;
pub use image_ref::{ImageRef, ImageRefError};
pub use package::Package;
pub use purl::{Purl, PurlError};
