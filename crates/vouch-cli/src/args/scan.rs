//! The arguments of `vouch scan`: clap-derive types only.

use crate::args::db::DbLocation;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use vouch_osv::api::DEFAULT_API_URL;

/// Severity threshold for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Project directories (walked for lockfiles), lockfiles or manifests, cataloged as
    /// `vouch sbom` catalogs them [default: . unless --sbom]; or container images
    /// (`registry:REF`, `oci:DIR[:tag]`, `docker-archive:FILE`, `dir:ROOTFS`, or a bare
    /// `registry/repo:tag` that is not an existing path).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// For a multi-platform image: the platform to scan (`os/arch[/variant]`).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Read each PATH as this lockfile format whatever its name (see `vouch sbom --help`).
    #[arg(long = "type", value_name = "TYPE")]
    pub lockfile_type: Option<String>,
    /// Scan the components of a CycloneDX 1.4–1.7 or SPDX 2.2–2.3/3.0.1 JSON SBOM (`-` = stdin).
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<String>,
    /// Use the offline database only; never touch the network.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub location: DbLocation,
    /// OSV API base URL for online scans.
    #[arg(long, value_name = "URL", default_value = DEFAULT_API_URL)]
    pub osv_url: String,
    /// Fail (exit 1) only on findings at or above this severity [default: any
    /// non-informational finding fails]. Findings of unknown severity always fail.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Informational advisories (unmaintained, unsound) fail the scan too.
    #[arg(long)]
    pub fail_on_informational: bool,
    /// TOML file of ignored advisories (`[[ignore]]` with `id`, `reason`, `expires`).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// OpenVEX document whose `not_affected`/`fixed` statements suppress findings.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Skip development-only dependencies (where the lockfile marks them).
    #[arg(long)]
    pub no_dev: bool,
    /// Warn when the offline database's data is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub max_db_age: u64,
}
