//! `vouch sbom`: a CycloneDX or SPDX SBOM for a Cargo workspace or a bare `Cargo.lock`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_sbom::cargo::{CatalogOptions, Features, MetadataOptions, Target};
use vouch_sbom::time::OffsetDateTime;
use vouch_sbom::{Format, Sbom};

use crate::args::sbom::{Profile, SbomArgs};
use crate::context::Context;
use crate::error::hinted;
use crate::status::Status;

/// What PATH turned out to be.
enum Input {
    Manifest(PathBuf),
    Lockfile(PathBuf),
}

fn classify(ctx: &Context, path: &Path) -> anyhow::Result<Input> {
    if path.as_os_str() == "-" && !path.exists() {
        return Err(hinted(
            anyhow::anyhow!("`-`: vouch sbom does not read standard input"),
            "pass a Cargo project directory, a `Cargo.toml` or a `Cargo.lock` (write the SBOM to stdout and pipe it: `vouch sbom | vouch scan --sbom -`)",
        ));
    }
    if path.is_dir() {
        let manifest = path.join("Cargo.toml");
        if manifest.is_file() {
            return Ok(Input::Manifest(manifest));
        }
        let lock = path.join("Cargo.lock");
        if lock.is_file() {
            ctx.note(&format!(
                "no `Cargo.toml` in `{}`: lockfile-only mode (no dev/build distinction)",
                path.display()
            ));
            return Ok(Input::Lockfile(lock));
        }
        return Err(hinted(
            anyhow::anyhow!(
                "failed to read `{}`: no `Cargo.toml` or `Cargo.lock` in this directory",
                manifest.display()
            ),
            "pass a Cargo project directory, a `Cargo.toml` or a `Cargo.lock`",
        ));
    }
    if !path.exists() {
        return Err(anyhow::anyhow!(
            "failed to read `{}`: no such file or directory",
            path.display()
        ));
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if extension.eq_ignore_ascii_case("lock") {
        Ok(Input::Lockfile(path.to_owned()))
    } else if extension.eq_ignore_ascii_case("toml") {
        Ok(Input::Manifest(path.to_owned()))
    } else {
        Err(hinted(
            anyhow::anyhow!("`{}` is not a `Cargo.toml` or `Cargo.lock`", path.display()),
            "pass a Cargo project directory, a `Cargo.toml` or a `Cargo.lock`",
        ))
    }
}

/// `SOURCE_DATE_EPOCH`, if set.
fn source_date_epoch() -> anyhow::Result<Option<OffsetDateTime>> {
    let Some(raw) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let raw = raw.to_string_lossy();
    let secs: i64 = raw
        .trim()
        .parse()
        .with_context(|| format!("invalid SOURCE_DATE_EPOCH `{raw}`: not an integer"))?;
    let t = OffsetDateTime::from_unix_timestamp(secs)
        .with_context(|| format!("invalid SOURCE_DATE_EPOCH `{raw}`: out of range"))?;
    Ok(Some(t))
}

/// Catalogs PATH into an SBOM (without timestamp or profile applied). Other commands
/// (`vouch release`) call this to get the same SBOM `vouch sbom` writes.
pub fn build(ctx: &Context, args: &SbomArgs) -> anyhow::Result<Sbom> {
    let sbom = match classify(ctx, &args.path)? {
        Input::Manifest(manifest) => {
            let opts = MetadataOptions {
                manifest_path: manifest,
                target: match args.target.as_str() {
                    "all" => Target::All,
                    t => Target::Triple(t.to_owned()),
                },
                features: Features {
                    all_features: args.all_features,
                    no_default_features: args.no_default_features,
                    features: args.features.clone(),
                },
                offline: args.offline,
            };
            let md = vouch_sbom::cargo::metadata(&opts)?;
            vouch_sbom::cargo::from_metadata(
                &md,
                &CatalogOptions {
                    packages: args.packages.clone(),
                },
            )?
        }
        Input::Lockfile(lock) => {
            let cargo_only = [
                (!args.packages.is_empty(), "-p"),
                (args.target != "all", "--target"),
                (!args.features.is_empty(), "--features"),
                (args.all_features, "--all-features"),
                (args.no_default_features, "--no-default-features"),
            ];
            if let Some((_, flag)) = cargo_only.iter().find(|(set, _)| *set) {
                return Err(hinted(
                    anyhow::anyhow!(
                        "`{}`: {flag} needs `Cargo.toml`; lockfile-only mode lists every locked package",
                        lock.display()
                    ),
                    "pass the project directory (with `Cargo.toml`), or drop the flag",
                ));
            }
            let display = lock.display().to_string();
            let parsed = vouch_sbom::cargo::read_lockfile(&lock)?;
            if parsed.packages.is_empty() {
                // Cargo always locks at least the root package.
                anyhow::bail!(
                    "failed to parse `{display}`: no `[[package]]` entries (truncated, or not a Cargo.lock?)"
                );
            }
            for (i, entry) in &parsed.unresolved {
                let p = &parsed.packages[*i];
                ctx.warn(&format!(
                    "`{display}`: dependency `{entry}` of `{} {}` (line {}) is not in the lockfile; skipped",
                    p.name, p.version, p.line
                ));
            }
            let name = std::fs::canonicalize(&lock)
                .ok()
                .and_then(|p| p.parent()?.file_name()?.to_str().map(str::to_owned))
                .unwrap_or_else(|| "workspace".to_owned());
            vouch_sbom::cargo::from_lockfile(&parsed, &name)
        }
    };
    Ok(match args.profile {
        Profile::All => sbom,
        Profile::Runtime => sbom.runtime_only(),
    })
}

pub fn run(ctx: &Context, args: SbomArgs) -> anyhow::Result<Status> {
    let format: Format = ctx
        .format(Format::NAMES, Format::NAMES[0])?
        .parse()
        .expect("every listed name parses");
    let epoch = source_date_epoch()?;
    let mut sbom = build(ctx, &args)?;
    // CycloneDX makes the timestamp optional: without SOURCE_DATE_EPOCH it is left out so
    // two runs are byte-identical. SPDX requires `created`: SOURCE_DATE_EPOCH, else now.
    sbom.timestamp = match format {
        Format::CycloneDx(_) => epoch,
        Format::Spdx23 => Some(epoch.unwrap_or_else(OffsetDateTime::now_utc)),
    };
    crate::support::output::emit(ctx, &format.encode(&sbom))?;
    Ok(Status::Ok)
}
