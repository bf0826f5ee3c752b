//! The arguments of `vouch attest` (files and images): clap-derive types only.

use crate::args::registry::{RegistryArgs, SchemeArgs};
use crate::args::release::SbomFormat;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub command: Option<AttestCommand>,
    /// Optional so that `vouch attest image …` does not need the artifact form's arguments.
    #[command(flatten)]
    pub artifact: Option<ArtifactArgs>,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Attest an image in its registry (cosign `.att` tag and OCI referrer).
    Image(ImageArgs),
}

#[derive(Debug, Args)]
pub struct ArtifactArgs {
    /// The files to attest (subjects: file name and sha256).
    #[arg(value_name = "ARTIFACT", required = true)]
    pub artifacts: Vec<PathBuf>,
    /// cosign private key (password from VOUCH_PASSWORD / COSIGN_PASSWORD or a prompt).
    #[arg(long, value_name = "KEY", required = true)]
    pub key: PathBuf,
    /// Append the signed attestations to this `.intoto.jsonl` bundle (created if missing).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// A JSON predicate to attest as is (with --type).
    #[arg(long, value_name = "FILE", requires = "predicate_type")]
    pub predicate: Option<PathBuf>,
    /// The predicate type of --predicate: a URI, or slsaprovenance, cyclonedx, spdx, vuln,
    /// openvex, pins, lockfile-change.
    #[arg(long = "type", value_name = "URI", requires = "predicate")]
    pub predicate_type: Option<String>,
    /// Attest SLSA provenance v1 of the build.
    #[arg(long)]
    pub provenance: bool,
    /// Attest an SBOM of --project.
    #[arg(long)]
    pub sbom: bool,
    /// The SBOM format of --sbom.
    #[arg(long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub sbom_format: SbomFormat,
    /// Attest a vulnerability scan of --project's SBOM against the offline OSV database.
    #[arg(long)]
    pub scan: bool,
    /// Attest `vouch pins` run over --project.
    #[arg(long)]
    pub pins: bool,
    /// Attest a lockfile change record: the JSON file `vouch pins diff --format json` wrote,
    /// or a git revision range `FROM..TO` (`TO` defaults to HEAD) computed over --project.
    #[arg(long, value_name = "RECORD|FROM..TO")]
    pub lockfile_diff: Option<PathBuf>,
    // The build options are spelled out here rather than flattened from
    // `BuildArgs`: `vouch attest` holds these arguments as an optional flattened
    // group, and clap does not detect a nested flatten inside one.
    /// The project (Cargo workspace) the artifacts were built from.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    /// OSV database directory for --scan [default: $VOUCH_DB, else <user cache dir>/vouch/osv].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,
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

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image to attest (`registry/repo:tag` or `…@sha256:<hex>`).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// The cosign private key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The predicate: a JSON file (an SBOM, provenance, scan result…).
    #[arg(long, value_name = "FILE")]
    pub predicate: PathBuf,
    /// The predicate type: a URI or a short name (`slsaprovenance`, `cyclonedx`, `spdx`,
    /// `vuln`, `openvex`, …).
    #[arg(long = "type", value_name = "TYPE")]
    pub predicate_type: String,
    #[command(flatten)]
    pub schemes: SchemeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
}
