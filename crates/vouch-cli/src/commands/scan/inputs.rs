//! Turning paths and SBOMs into the packages a scan looks up. Both go through the SBOM
//! model: a path is cataloged by `vouch_catalog` (the same catalog `vouch sbom` writes),
//! an SBOM is decoded; then every registry component becomes one scan input.

use std::path::Path;

use anyhow::Context as _;
use vouch_core::{Ecosystem, Location, Package};
use vouch_osv::scan::{ScanInput, ScannedInput};
use vouch_sbom::{Component, Sbom, SourceKind};

/// What the inputs produced.
#[derive(Default)]
pub struct Collected {
    pub inputs: Vec<ScanInput>,
    pub scanned: Vec<ScannedInput>,
    /// Notes for stderr (skipped files, non-registry packages).
    pub notes: Vec<String>,
}

/// The package a scanner looks up for a component, if any: not first-party (path) or git
/// code, and with a purl in an ecosystem OSV knows.
fn package_of(c: &Component) -> Result<Option<Package>, String> {
    let Some(purl) = &c.purl else { return Ok(None) };
    if matches!(c.source, Some(SourceKind::Path | SourceKind::Git)) {
        return Ok(None);
    }
    let Some(eco) = Ecosystem::from_purl_type(purl.ty()) else {
        return Err(purl.ty().to_owned());
    };
    let Some(version) = purl
        .version()
        .map(str::to_owned)
        .or_else(|| c.version.clone())
    else {
        return Ok(None);
    };
    let name = match eco {
        Ecosystem::Maven => match purl.namespace() {
            Some(ns) => format!("{ns}:{}", purl.name()),
            None => purl.name().to_owned(),
        },
        Ecosystem::Debian | Ecosystem::Alpine => purl.name().to_owned(),
        // The purl's name is normalised; reports show the name as the file spells it.
        Ecosystem::PyPI if c.name.to_ascii_lowercase().replace('_', "-") == purl.name() => {
            c.name.clone()
        }
        _ => purl.full_name(),
    };
    Ok(Some(Package {
        ecosystem: eco,
        name,
        version,
        purl: Some(purl.clone()),
        hashes: Vec::new(),
    }))
}

/// Adds every registry component of `sbom`; returns how many were added. `fallback_file`
/// names components without a recorded location.
fn add_components(
    out: &mut Collected,
    sbom: &Sbom,
    fallback_file: &str,
    keep_locations: bool,
) -> usize {
    let mut n = 0;
    let mut unknown = std::collections::BTreeMap::<String, usize>::new();
    let mut git = std::collections::BTreeMap::<String, usize>::new();
    for c in sbom.all_components() {
        let file = match (&c.location, keep_locations) {
            (Some(l), true) => l.file.clone(),
            _ => fallback_file.to_owned(),
        };
        if c.source == Some(SourceKind::Git) && c.purl.is_some() {
            *git.entry(file).or_default() += 1;
            continue;
        }
        match package_of(c) {
            Ok(Some(package)) => {
                n += 1;
                out.inputs.push(ScanInput {
                    package,
                    location: Some(Location {
                        line: c
                            .location
                            .as_ref()
                            .filter(|_| keep_locations)
                            .and_then(|l| l.line),
                        file,
                        column: None,
                    }),
                });
            }
            Ok(None) => {}
            Err(ty) => *unknown.entry(ty).or_default() += 1,
        }
    }
    for (file, count) in git {
        out.notes.push(format!(
            "`{file}`: {count} package(s) from git sources are not in advisory databases and were not checked"
        ));
    }
    for (ty, count) in unknown {
        out.notes.push(format!(
            "`{fallback_file}`: {count} component(s) with purl type `{ty}` have no OSV ecosystem and were not checked"
        ));
    }
    n
}

/// Adds a path: a project directory (walked), a lockfile or a manifest, cataloged exactly
/// as `vouch sbom` catalogs it.
pub fn add_path(
    out: &mut Collected,
    path: &Path,
    opts: &vouch_catalog::CatalogOptions,
) -> anyhow::Result<()> {
    let catalog = vouch_catalog::catalog_report(path, opts)
        .map_err(crate::support::catalog::catalog_error)?;
    out.notes.extend(catalog.warnings);
    add_components(out, &catalog.sbom, &path.display().to_string(), true);
    for f in catalog.files {
        out.scanned.push(ScannedInput {
            path: f.path,
            kind: f.format.as_str().to_owned(),
            packages: f.packages,
        });
    }
    Ok(())
}

/// Adds the components of a CycloneDX or SPDX JSON SBOM (`-` = standard input).
pub fn add_sbom(out: &mut Collected, file: &str) -> anyhow::Result<()> {
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b)
            .context("failed to read the SBOM from standard input")?;
        b
    } else {
        std::fs::read(file).with_context(|| format!("failed to read `{file}`"))?
    };
    let display = if file == "-" { "<stdin>" } else { file };
    let sbom =
        vouch_sbom::decode(&bytes).with_context(|| format!("failed to read SBOM `{display}`"))?;
    let n = add_components(out, &sbom, display, false);
    out.scanned.push(ScannedInput {
        path: display.to_owned(),
        kind: "sbom".to_owned(),
        packages: n,
    });
    Ok(())
}
