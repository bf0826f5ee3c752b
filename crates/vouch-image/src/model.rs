//! What reading an image takes and gives besides the catalog: options, the image's identity,
//! errors. Apart from `lib.rs` so the readers and catalogers need not import the crate root.

use std::path::PathBuf;

use serde::Serialize;
use vouch_oci::RegistryOptions;

/// What the image is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageInfo {
    /// The SBOM root's name: `image` for images, the directory name for `dir:`.
    pub name: String,
    /// The image config's digest (the image ID), identical whichever way the image is read.
    pub config_digest: Option<String>,
    /// The manifest digest, when the source has one (not part of the SBOM: a
    /// `docker-archive` of the same image has a different manifest).
    pub manifest_digest: Option<String>,
    /// `os/arch[/variant]` from the config.
    pub platform: Option<String>,
}

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
