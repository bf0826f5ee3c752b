//! One cataloger for every ecosystem: a path in, vouch's SBOM model out.
//!
//! `vouch sbom`, `vouch scan` and the release pipeline all start here, so the packages a
//! scan looks up are exactly the components the SBOM lists. The input is a project
//! directory (walked: `.gitignore` respected, `node_modules`/`vendor`/`target` skipped), a
//! lockfile or a manifest; each file becomes a sub-tree under a root component for the
//! project it belongs to. The key design choice is that format knowledge stays in
//! `vouch-lockfile` (text in, packages out) and Cargo's in `vouch-sbom`; this crate only
//! reads files, follows requirements includes, and turns packages into components with
//! spec-exact purls, hashes, scopes, edges and the file and line each came from.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sbom = vouch_catalog::catalog("my-project".as_ref(), &Default::default())?;
//! for p in sbom.packages() {
//!     println!("{} {}", p.name, p.version);
//! }
//! # Ok(()) }
//! ```

mod build;
pub mod walk;

use std::path::{Path, PathBuf};

pub use vouch_lockfile::FileFormat;
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

/// Catalogs `path` (a directory, lockfile or manifest) into an SBOM.
pub fn catalog(path: &Path, opts: &CatalogOptions) -> Result<Sbom, CatalogError> {
    Ok(catalog_report(path, opts)?.sbom)
}

/// [`catalog`], with the files read and warnings.
pub fn catalog_report(path: &Path, opts: &CatalogOptions) -> Result<Catalog, CatalogError> {
    let display = path.display().to_string();
    if path.is_dir() {
        let mut found = walk::find(path, opts.include_vendored)?;
        // go.sum only adds hashes to its go.mod; it is read with it.
        found.retain(|(_, f)| *f != FileFormat::GoSum);
        // `--type` on a directory: only files of that format.
        if let Some(f) = opts.format {
            found.retain(|(_, g)| *g == f);
        }
        let mut inputs: Vec<Input> = found.into_iter().map(|(p, f)| Input::File(p, f)).collect();
        // A Cargo project read through cargo metadata: its Cargo.toml replaces its Cargo.lock.
        if opts.cargo.is_some() {
            let manifest = path.join("Cargo.toml");
            if manifest.is_file() {
                inputs.retain(|i| !matches!(i, Input::File(p, FileFormat::CargoLock) if p.parent() == Some(path)));
                inputs.insert(0, Input::CargoManifest(manifest));
            }
        }
        if inputs.is_empty() {
            return Err(CatalogError::NothingFound(display));
        }
        build::catalog_inputs(path, inputs, opts)
    } else if path.is_file() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if opts.format.is_none() && name == "Cargo.toml" {
            return build::catalog_inputs(
                path.parent().unwrap_or(Path::new(".")),
                vec![if opts.cargo.is_some() {
                    Input::CargoManifest(path.to_owned())
                } else {
                    Input::File(path.with_file_name("Cargo.lock"), FileFormat::CargoLock)
                }],
                opts,
            );
        }
        let Some(format) = opts.format.or_else(|| FileFormat::from_path(path)) else {
            let head = std::fs::read(path).unwrap_or_default();
            if vouch_sbom::detect(&head).is_some() {
                return Err(CatalogError::IsSbom { path: display });
            }
            return Err(CatalogError::UnknownFile(display));
        };
        let format = if format == FileFormat::GoSum {
            // A go.sum alone lists hashes of everything ever downloaded, not the build list.
            let m = path.with_file_name("go.mod");
            if m.is_file() {
                return build::catalog_inputs(
                    path.parent().unwrap_or(Path::new(".")),
                    vec![Input::File(m, FileFormat::GoMod)],
                    opts,
                );
            }
            format
        } else {
            format
        };
        build::catalog_inputs(
            path.parent().unwrap_or(Path::new(".")),
            vec![Input::File(path.to_owned(), format)],
            opts,
        )
    } else {
        Err(CatalogError::NotFound(display))
    }
}

/// One thing to read.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    File(PathBuf, FileFormat),
    CargoManifest(PathBuf),
}
