//! `vouch sbom`: a CycloneDX or SPDX SBOM for a project directory, a lockfile or a manifest
//! of any ecosystem vouch-catalog reads.

use anyhow::Context as _;
use vouch_sbom::cargo::{Features, Target};
use vouch_sbom::time::OffsetDateTime;
use vouch_sbom::{Format, Sbom};

use crate::args::sbom::{Profile, SbomArgs};
use crate::context::Context;
use crate::error::hinted;
use crate::status::Status;
use crate::support::catalog::{catalog_error, parse_type};

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
    if let Some(sbom) =
        crate::support::image::sbom_if_image(ctx, &args.path, args.platform.as_deref())?
    {
        return Ok(sbom);
    }
    let path = &args.path;
    if path.as_os_str() == "-" && !path.exists() {
        return Err(hinted(
            anyhow::anyhow!("`-`: vouch sbom does not read standard input"),
            "pass a project directory, a lockfile or a manifest (write the SBOM to stdout and pipe it: `vouch sbom | vouch scan --sbom -`)",
        ));
    }
    let format = parse_type(args.lockfile_type.as_deref())?;
    let is_cargo_lock = path.is_file()
        && (format == Some(vouch_catalog::FileFormat::CargoLock)
            || (format.is_none() && path.file_name().is_some_and(|n| n == "Cargo.lock")))
        || (path.is_dir()
            && !path.join("Cargo.toml").is_file()
            && path.join("Cargo.lock").is_file());
    if is_cargo_lock {
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
                    path.display()
                ),
                "pass the project directory (with `Cargo.toml`), or drop the flag",
            ));
        }
        if path.is_dir() {
            ctx.note(&format!(
                "no `Cargo.toml` in `{}`: lockfile-only mode (no dev/build distinction)",
                path.display()
            ));
        }
    }
    let opts = vouch_catalog::CatalogOptions {
        no_dev: args.no_dev || args.profile == Profile::Runtime,
        format,
        cargo: Some(vouch_catalog::CargoOptions {
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
            packages: args.packages.clone(),
        }),
        include_vendored: false,
    };
    let catalog = vouch_catalog::catalog_report(path, &opts).map_err(catalog_error)?;
    for w in &catalog.warnings {
        ctx.warn(w);
    }
    let sbom = catalog.sbom;
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
        Format::Spdx23 | Format::Spdx3 => Some(epoch.unwrap_or_else(OffsetDateTime::now_utc)),
    };
    crate::support::output::emit(ctx, &format.encode(&sbom))?;
    Ok(Status::Ok)
}
