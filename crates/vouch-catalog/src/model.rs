//! What a catalog run takes and gives: options, the files read, the errors. Apart from
//! `lib.rs` so the walker and the builder use them without importing the crate root.

use std::path::PathBuf;

use vouch_lockfile::FileFormat;
use vouch_sbom::Sbom;

/// How to run `cargo metadata` for Cargo projects (when set, a directory or `Cargo.toml`
/// is read through Cargo, with dev/build scopes; otherwise `Cargo.lock` is read directly).
#[derive(Debug, Clone, Default)]
pub struct CargoOptions {
    pub target: vouch_sbom::cargo::Target,
    pub features: vouch_sbom::cargo::Features,
    pub offline: bool,
    /// `-p` specs.
    pub packages: Vec<String>,
}

/// What to catalog and how.
#[derive(Debug, Clone, Default)]
pub struct CatalogOptions {
    /// Leave out development-only packages (where the lockfile says so).
    pub no_dev: bool,
    /// Read a given file as this format, whatever its name; in a directory, read only files
    /// of this format (`--type`).
    pub format: Option<FileFormat>,
    /// Read Cargo projects through `cargo metadata`.
    pub cargo: Option<CargoOptions>,
    /// Also walk `node_modules`, `vendor` and `target`.
    pub include_vendored: bool,
}

/// One file the catalog read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogedFile {
    /// The path as given (joined to the directory walked).
    pub path: String,
    pub format: FileFormat,
    /// Components read from it that a registry published (what a scanner looks up).
    pub packages: usize,
}

/// The SBOM and what it was built from.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub sbom: Sbom,
    pub files: Vec<CatalogedFile>,
    /// Things a user should know (unresolved entries, skipped files).
    pub warnings: Vec<String>,
}

/// Why a path could not be cataloged. Every message is one line naming the input.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The cause is in the message (not a `#[source]`), so a CLI prints one line.
    #[error("failed to read `{path}`: {cause}")]
    Read { path: String, cause: std::io::Error },
    #[error("`{0}` does not exist")]
    NotFound(String),
    #[error("no lockfile found in `{0}`")]
    NothingFound(String),
    #[error("`{0}` is not a lockfile or manifest vouch reads (pass --type to name its format)")]
    UnknownFile(String),
    #[error("`{path}` is an SBOM, not a lockfile")]
    IsSbom { path: String },
    /// The file is not what its name (or `--type`) says, or is malformed.
    #[error("failed to parse `{file}`: {message}")]
    Parse { file: String, message: String },
    #[error("`{file}`: line {line}: include loop: `{target}` is already being read")]
    IncludeLoop {
        file: String,
        line: u32,
        target: String,
    },
    #[error("`{file}`: line {line}: included file `{target}` cannot be read: {message}")]
    Include {
        file: String,
        line: u32,
        target: String,
        message: String,
    },
    #[error(transparent)]
    Cargo(#[from] vouch_sbom::cargo::CargoError),
}

/// One thing to read.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    File(PathBuf, FileFormat),
    CargoManifest(PathBuf),
}
