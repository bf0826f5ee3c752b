//! The arguments of `vouch release` and the build facts `vouch attest` shares: clap-derive types only.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The release artifacts (files).
    #[arg(value_name = "ARTIFACT", required = true)]
    pub artifacts: Vec<PathBuf>,
    /// cosign private key (password from VOUCH_PASSWORD / COSIGN_PASSWORD or a prompt).
    #[arg(long, value_name = "KEY", required = true)]
    pub key: PathBuf,
    /// The attestation bundle to write [default: ARTIFACT.intoto.jsonl for one artifact,
    /// else multiple.intoto.jsonl].
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Exit 0 even when the scan finds vulnerabilities or the pins check fails (the
    /// attestations still record them).
    #[arg(long)]
    pub continue_on_findings: bool,
    /// Vulnerabilities at or above this severity fail the release [default: any].
    #[arg(long, value_name = "SEVERITY", value_parser = ["low", "medium", "high", "critical"])]
    pub fail_on: Option<String>,
    /// The SBOM format.
    #[arg(long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub sbom_format: SbomFormat,
    /// Skip the pins check (for projects without workflows or lockfiles to check).
    #[arg(long)]
    pub no_pins: bool,
    /// TOML file of ignored advisories (`[[ignore]]` with `id`, `reason`, `expires`), applied
    /// to the scan as `vouch scan --ignore-file` does.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// OpenVEX document whose `not_affected`/`fixed` statements suppress scan findings.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Where the project is and how the build ran: used by `--sbom`, `--scan`, `--pins`,
/// `--provenance` and by `vouch release`.
#[derive(Debug, Args, Clone)]
pub struct BuildArgs {
    /// The project (Cargo workspace) the artifacts were built from.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    #[command(flatten)]
    pub db: crate::args::db::DbLocation,
    /// Provenance `runDetails.builder.id` [default in GitHub Actions: the workflow ref].
    #[arg(long, value_name = "URI")]
    pub builder_id: Option<String>,
    /// Provenance `runDetails.metadata.invocationId` [default in GitHub Actions: the run URL].
    #[arg(long, value_name = "ID")]
    pub invocation_id: Option<String>,
    /// Source repository URI (`git+https://github.com/o/r`) [default in GitHub Actions].
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,
    /// Source commit (40 hex) [default in GitHub Actions: GITHUB_SHA].
    #[arg(long, value_name = "SHA")]
    pub source_commit: Option<String>,
    /// Source ref (`refs/tags/v1.0.0`) [default in GitHub Actions: GITHUB_REF].
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,
    /// When the build started (RFC 3339) [default: when vouch started].
    #[arg(long, value_name = "TIME")]
    pub started_on: Option<String>,
}

/// The SBOM formats `--sbom-format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON, predicate type `https://cyclonedx.org/bom`.
    #[default]
    Cyclonedx,
    /// SPDX 2.3 JSON, predicate type `https://spdx.dev/Document`.
    Spdx,
}
