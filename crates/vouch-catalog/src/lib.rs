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
mod model;
pub mod walk;

use model::Input;
pub use model::{CargoOptions, Catalog, CatalogError, CatalogOptions, CatalogedFile};

use std::path::Path;

pub use vouch_lockfile::FileFormat;
use vouch_sbom::Sbom;

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
