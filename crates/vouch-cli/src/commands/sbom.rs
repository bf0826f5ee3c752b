//! `vouch sbom`: a CycloneDX or SPDX SBOM for a project directory, a lockfile or a manifest
//! of any ecosystem vouch-catalog reads.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use vouch_sbom::cargo::{Features, Target};
use vouch_sbom::time::OffsetDateTime;
use vouch_sbom::{Format, Sbom};

use super::Status;
use crate::context::Context;
use crate::error::hinted;

/// Which dependencies to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Profile {
    /// Everything, dev- and build-only dependencies marked `scope: excluded`.
    #[default]
    All,
    /// Only what ships: dev- and build-only dependencies dropped.
    Runtime,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Formats: cyclonedx-json (1.7, default), cyclonedx-json@1.6, cyclonedx-json@1.5, spdx-json (2.3),\nspdx-json@3.0.1.\nOutput is byte-identical across runs; SOURCE_DATE_EPOCH sets the timestamp (SPDX requires one:\nwithout it, the current time).\nExit status: 0 written, 2 bad input (nothing written)."
)]
pub struct SbomArgs {
    /// A project directory (walked for lockfiles), a lockfile or a manifest. Cargo projects
    /// with `Cargo.toml` are read through `cargo metadata`; a bare `Cargo.lock` in
    /// lockfile-only mode (no sources needed, but no dev/build distinction). Or a container
    /// image: `registry:REF`, `oci:DIR[:tag]`, `docker-archive:FILE`, `dir:ROOTFS`, or a
    /// bare `registry/repo:tag` that is not an existing path.
    #[arg(default_value = ".", value_name = "PATH|IMAGE")]
    pub path: PathBuf,
    /// For a multi-platform image: the platform to catalog (`os/arch[/variant]`).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Read PATH as this lockfile format whatever its name (cargo, npm, yarn, pnpm, bun,
    /// requirements, poetry, uv, pipenv, pdm, pylock, gomod, gemfile, composer, gradle,
    /// maven, nuget, pub).
    #[arg(long = "type", value_name = "TYPE")]
    pub lockfile_type: Option<String>,
    /// Leave out development-only dependencies (where the lockfile says so).
    #[arg(long)]
    pub no_dev: bool,
    /// Describe only this workspace member (`name` or `name@version`); repeatable.
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Include `cfg(...)` dependencies for this target triple only, or for `all` platforms.
    #[arg(long, value_name = "TRIPLE|all", default_value = "all")]
    pub target: String,
    /// Features to activate (comma-separated or repeated), as for cargo.
    #[arg(short = 'F', long, value_delimiter = ',', value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// Run cargo without network access.
    #[arg(long)]
    pub offline: bool,
    /// `all` keeps dev/build dependencies (marked excluded); `runtime` drops them.
    #[arg(long, value_enum, default_value_t = Profile::All)]
    pub profile: Profile,
}

/// The `--type` names, for the error message.
fn type_names() -> String {
    vouch_lockfile::format::TYPE_NAMES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `--type`.
pub fn parse_type(name: Option<&str>) -> anyhow::Result<Option<vouch_catalog::FileFormat>> {
    name.map(|n| {
        vouch_catalog::FileFormat::from_type_name(n).ok_or_else(|| {
            hinted(
                anyhow::anyhow!("unknown lockfile type `{n}`"),
                format!("known types: {}", type_names()),
            )
        })
    })
    .transpose()
}

/// A catalog error with the hint a user needs.
pub fn catalog_error(e: vouch_catalog::CatalogError) -> anyhow::Error {
    use vouch_catalog::CatalogError as E;
    let hint = match &e {
        E::NothingFound(_) | E::UnknownFile(_) => Some(format!(
            "vouch reads Cargo, npm/yarn/pnpm/bun, requirements/poetry/uv/Pipfile/pdm/pylock, go.mod, Gemfile.lock, composer.lock, pom.xml, gradle.lockfile, NuGet packages.lock.json and pubspec.lock; --type {{{}}} forces a format",
            type_names()
        )),
        E::IsSbom { path } => Some(format!("scan an SBOM with `vouch scan --sbom {path}`")),
        _ => None,
    };
    match hint {
        Some(h) => hinted(e, h),
        None => anyhow::Error::new(e),
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
    if let Some(sbom) = super::image::sbom_if_image(ctx, &args.path, args.platform.as_deref())? {
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
    crate::output::emit(ctx, &format.encode(&sbom))?;
    Ok(Status::Ok)
}
