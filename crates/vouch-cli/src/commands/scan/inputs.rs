//! Turning paths and SBOMs into the packages a scan looks up.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_core::{Ecosystem, Location, Package, Purl};
use vouch_lockfile::{LockedPackage, Lockfile, LockfileKind, Source};
use vouch_osv::scan::{ScanInput, ScannedInput};

/// What the inputs produced.
#[derive(Default)]
pub struct Collected {
    pub inputs: Vec<ScanInput>,
    pub scanned: Vec<ScannedInput>,
    /// Notes for stderr (skipped files, non-registry packages).
    pub notes: Vec<String>,
}

/// Lockfile kinds `vouch scan` reads, in the order a directory is searched.
const SCANNED: &[LockfileKind] = &[
    LockfileKind::CargoLock,
    LockfileKind::PackageLockJson,
    LockfileKind::RequirementsTxt,
    LockfileKind::PoetryLock,
    LockfileKind::UvLock,
    LockfileKind::PipfileLock,
    LockfileKind::GoMod,
    LockfileKind::YarnLock,
    LockfileKind::PnpmLock,
    LockfileKind::GemfileLock,
    LockfileKind::ComposerLock,
];

fn parse(kind: LockfileKind, text: &str, name: &str) -> anyhow::Result<Lockfile> {
    Ok(match kind {
        LockfileKind::CargoLock => vouch_lockfile::cargo::parse(text, name)?,
        LockfileKind::PackageLockJson => vouch_lockfile::npm::parse(text, name)?,
        LockfileKind::RequirementsTxt => vouch_lockfile::python::parse_requirements(text, name)?,
        LockfileKind::PoetryLock => vouch_lockfile::python::parse_poetry(text, name)?,
        LockfileKind::UvLock => vouch_lockfile::python::parse_uv(text, name)?,
        LockfileKind::PipfileLock => vouch_lockfile::python::parse_pipfile(text, name)?,
        LockfileKind::GoMod => vouch_lockfile::gomod::parse(text, name)?,
        LockfileKind::YarnLock => vouch_lockfile::yarn::parse(text, name)?,
        LockfileKind::PnpmLock => vouch_lockfile::pnpm::parse(text, name)?,
        LockfileKind::GemfileLock => vouch_lockfile::gemfile::parse(text, name)?,
        LockfileKind::ComposerLock => vouch_lockfile::composer::parse(text, name)?,
        LockfileKind::GoSum => anyhow::bail!("`{name}`: go.sum is not scanned (scan go.mod)"),
    })
}

fn purl_for(eco: Ecosystem, name: &str, version: &str) -> Option<Purl> {
    let (ns, n) = match eco {
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, name),
        },
        Ecosystem::Npm | Ecosystem::Go | Ecosystem::Packagist => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, name),
        },
        _ => (None, name),
    };
    Purl::new(eco.purl_type(), ns, n, Some(version)).ok()
}

/// Adds one lockfile's registry packages.
pub fn add_lockfile(
    out: &mut Collected,
    path: &Path,
    kind: LockfileKind,
    include_dev: bool,
) -> anyhow::Result<()> {
    let display = path.display().to_string();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("failed to read `{display}`"))?;
    let lf = parse(kind, &text, &display)?;
    let eco = kind.ecosystem();
    let mut n = 0;
    let mut skipped = 0;
    for p in &lf.packages {
        if !is_scanned(kind, p) {
            // Path sources are first-party (workspace members); git checkouts have no
            // registry version to look up.
            if !matches!(p.source, Some(Source::Path { .. })) {
                skipped += 1;
            }
            continue;
        }
        if p.dev && !include_dev {
            continue;
        }
        n += 1;
        let version = lookup_version(kind, &p.version);
        out.inputs.push(ScanInput {
            package: Package {
                ecosystem: eco,
                name: p.name.clone(),
                purl: purl_for(eco, &p.name, &version),
                version,
                hashes: Vec::new(),
            },
            location: Some(Location {
                file: display.clone(),
                line: p.line,
                column: None,
            }),
        });
    }
    if skipped > 0 {
        out.notes.push(format!(
            "`{display}`: {skipped} package(s) from git sources are not in advisory databases and were not checked"
        ));
    }
    out.scanned.push(ScannedInput {
        path: display,
        kind: serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        packages: n,
    });
    Ok(())
}

/// Registry packages and direct archive downloads (yarn records registry packages by their
/// tarball URL) are looked up; path and git sources are not — except in `composer.lock`,
/// where Packagist packages are recorded by their git source and commit.
fn is_scanned(kind: LockfileKind, p: &LockedPackage) -> bool {
    match &p.source {
        Some(Source::Path { .. }) => false,
        Some(Source::Git { .. }) => kind == LockfileKind::ComposerLock,
        _ => true,
    }
}

/// The version to look up: Bundler writes platform gems as `version-platform`
/// (`nokogiri (1.19.0-x86_64-linux-gnu)`); RubyGems versions themselves use dots.
fn lookup_version(kind: LockfileKind, version: &str) -> String {
    match (kind, version.split_once('-')) {
        (LockfileKind::GemfileLock, Some((v, _platform))) => v.to_owned(),
        _ => version.to_owned(),
    }
}

/// Adds a path: a lockfile, or a directory searched (not recursively) for lockfiles.
pub fn add_path(out: &mut Collected, path: &Path, include_dev: bool) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut found = Vec::new();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("failed to read directory `{}`", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for p in entries {
            let Some(kind) = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(LockfileKind::from_file_name)
            else {
                continue;
            };
            if SCANNED.contains(&kind) {
                found.push((p, kind));
            } else if kind != LockfileKind::GoSum {
                out.notes.push(format!(
                    "`{}`: this lockfile format is not scanned yet",
                    p.display()
                ));
            }
        }
        if found.is_empty() {
            return Err(crate::error::hinted(
                anyhow::anyhow!("no lockfile found in `{}`", path.display()),
                "scanned formats: Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, requirements*.txt, poetry.lock, uv.lock, Pipfile.lock, go.mod, Gemfile.lock, composer.lock; or pass --sbom FILE",
            ));
        }
        for (p, kind) in found {
            add_lockfile(out, &p, kind, include_dev)?;
        }
        return Ok(());
    }
    if !path.exists() {
        anyhow::bail!("`{}` does not exist", path.display());
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let kind = LockfileKind::from_file_name(name)
        .filter(|k| SCANNED.contains(k))
        .ok_or_else(|| {
            let is_sbom = std::fs::read(path)
                .ok()
                .is_some_and(|b| vouch_sbom::detect(&b).is_some());
            if is_sbom {
                return crate::error::hinted(
                    anyhow::anyhow!("`{}` is an SBOM, not a lockfile", path.display()),
                    format!("scan an SBOM with `vouch scan --sbom {}`", path.display()),
                );
            }
            crate::error::hinted(
                anyhow::anyhow!("`{}` is not a lockfile vouch scans", path.display()),
                "scanned formats: Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, requirements*.txt, poetry.lock, uv.lock, Pipfile.lock, go.mod, Gemfile.lock, composer.lock",
            )
        })?;
    add_lockfile(out, path, kind, include_dev)
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
    let mut n = 0;
    let mut unknown = std::collections::BTreeMap::<String, usize>::new();
    let mut not_registry = 0;
    for c in std::iter::once(&sbom.root).chain(&sbom.components) {
        let Some(purl) = &c.purl else { continue };
        // First-party (path) and git components are not in advisory databases.
        match c.source {
            Some(vouch_sbom::SourceKind::Path) => continue,
            Some(vouch_sbom::SourceKind::Git) => {
                not_registry += 1;
                continue;
            }
            _ => {}
        }
        let Some(eco) = Ecosystem::from_purl_type(purl.ty()) else {
            *unknown.entry(purl.ty().to_owned()).or_default() += 1;
            continue;
        };
        let Some(version) = purl
            .version()
            .map(str::to_owned)
            .or_else(|| c.version.clone())
        else {
            continue;
        };
        let name = match eco {
            Ecosystem::Maven => match purl.namespace() {
                Some(ns) => format!("{ns}:{}", purl.name()),
                None => purl.name().to_owned(),
            },
            Ecosystem::Debian | Ecosystem::Alpine => purl.name().to_owned(),
            _ => purl.full_name(),
        };
        n += 1;
        out.inputs.push(ScanInput {
            package: Package {
                ecosystem: eco,
                name,
                version,
                purl: Some(purl.clone()),
                hashes: Vec::new(),
            },
            location: Some(Location {
                file: display.to_owned(),
                line: None,
                column: None,
            }),
        });
    }
    if not_registry > 0 {
        out.notes.push(format!(
            "`{display}`: {not_registry} git component(s) are not in advisory databases and were not checked"
        ));
    }
    for (ty, count) in unknown {
        out.notes.push(format!(
            "`{display}`: {count} component(s) with purl type `{ty}` have no OSV ecosystem and were not checked"
        ));
    }
    out.scanned.push(ScannedInput {
        path: display.to_owned(),
        kind: "sbom".to_owned(),
        packages: n,
    });
    Ok(())
}
