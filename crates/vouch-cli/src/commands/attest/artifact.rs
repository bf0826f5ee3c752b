//! `vouch attest`: signed in-toto statements about files, gathered in a `.intoto.jsonl` bundle.
//!
//! Each chosen predicate becomes one statement whose subjects are all the artifacts (name +
//! sha256), signed with a cosign key as a DSSE envelope inside a Sigstore bundle v0.3, and
//! appended as one line to `--bundle` (or written to standard output / `-o`).

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;
use vouch_attest::predicate;

use crate::commands::Status;
use crate::context::Context;
use crate::support::release as produce;

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
    #[arg(long, value_enum, default_value_t = produce::SbomFormat::Cyclonedx)]
    pub sbom_format: produce::SbomFormat,
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
    // `produce::BuildArgs`: `vouch attest` holds these arguments as an optional flattened
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

impl ArtifactArgs {
    fn build_args(&self) -> produce::BuildArgs {
        produce::BuildArgs {
            project: self.project.clone(),
            db: crate::commands::db::DbLocation {
                db: self.db.clone(),
            },
            builder_id: self.builder_id.clone(),
            invocation_id: self.invocation_id.clone(),
            source_uri: self.source_uri.clone(),
            source_commit: self.source_commit.clone(),
            source_ref: self.source_ref.clone(),
            started_on: self.started_on.clone(),
        }
    }
}

pub fn run(ctx: &Context, args: ArtifactArgs) -> anyhow::Result<Status> {
    let nothing = args.predicate.is_none()
        && !args.provenance
        && !args.sbom
        && !args.scan
        && !args.pins
        && args.lockfile_diff.is_none();
    if nothing {
        return Err(crate::error::hinted(
            anyhow::anyhow!("nothing to attest"),
            "choose --predicate FILE --type URI, or --provenance, --sbom, --scan, --pins, --lockfile-diff RECORD|FROM..TO",
        ));
    }
    // The output is always JSON Lines (one Sigstore bundle per line).
    ctx.format(&["jsonl"], "jsonl")?;
    if let (Some(bundle), Some(out)) = (&args.bundle, &ctx.output) {
        return Err(crate::error::hinted(
            anyhow::anyhow!(
                "both --bundle `{}` and -o `{}` name where the attestations go",
                bundle.display(),
                out.display()
            ),
            "--bundle appends to the file; -o replaces it (or `-o -` for standard output): pass one",
        ));
    }
    let build = args.build_args();
    let started = produce::record_time()?;
    // Everything that can fail on bad input is read before the key is unlocked.
    let mut given: Option<(String, Value)> = None;
    if let (Some(file), Some(ty)) = (&args.predicate, &args.predicate_type) {
        let ty = predicate::resolve_type(ty)?;
        let value = vouch_release::read_json(file).map_err(produce::release_error)?;
        vouch_release::check_predicate(&ty, &value, &file.display().to_string())
            .map_err(produce::release_error)?;
        given = Some((ty, value));
    }
    let change = args
        .lockfile_diff
        .as_deref()
        .map(vouch_release::ChangeSource::parse)
        .transpose()
        .map_err(produce::release_error)?;
    let artifacts = produce::artifacts(ctx, &args.artifacts)?;
    let sbom = if args.sbom || args.scan {
        Some((
            produce::catalog(ctx, &build.project)?,
            args.sbom_format.into(),
        ))
    } else {
        None
    };
    let db = if args.scan {
        Some(build.db.resolve()?)
    } else {
        None
    };
    let triage = vouch_osv::triage::Triage::default();
    let info = produce::build_info(&build);
    let clock = || produce::record_time().unwrap_or(started);
    let plan = vouch_release::Plan {
        predicate: given,
        sbom,
        attest_sbom: args.sbom,
        scan: db.as_deref().map(|d| (d, &triage)),
        pins: args.pins,
        lockfile_change: change.as_ref(),
        provenance: args.provenance,
        build: &info,
        started,
        clock: &clock,
        env: &produce::env,
        today: "",
    };
    let prepared =
        vouch_release::prepare(&plan, &vouch_release::Silent).map_err(produce::release_error)?;

    let key = crate::commands::key::load_private(&args.key)?;
    let lines = prepared
        .sign_statements(&key, &artifacts)
        .map_err(produce::release_error)?;
    if let Some(path) = &args.bundle {
        produce::write_bundle(path, &lines, true)?;
        ctx.note(&format!(
            "Appended {} attestation(s) about {} artifact(s) to {}",
            lines.len(),
            artifacts.len(),
            path.display()
        ));
    } else {
        let out = vouch_attest::jsonl::append("", &lines);
        crate::output::emit(ctx, out.as_bytes())?;
    }
    Ok(Status::Ok)
}
