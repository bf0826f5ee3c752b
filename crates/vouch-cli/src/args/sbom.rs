//! The arguments of `vouch sbom`: clap-derive types only.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

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
