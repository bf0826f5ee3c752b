//! `vouch attest`: signed in-toto statements about files, gathered in a `.intoto.jsonl` bundle.
//!
//! Each chosen predicate becomes one statement whose subjects are all the artifacts (name +
//! sha256), signed with a cosign key as a DSSE envelope inside a Sigstore bundle v0.3, and
//! appended as one line to `--bundle` (or written to standard output / `-o`).

use serde_json::Value;
use vouch_attest::predicate;

use crate::args::attest::ArtifactArgs;
use crate::args::release::BuildArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::release as produce;

impl ArtifactArgs {
    fn build_args(&self) -> BuildArgs {
        BuildArgs {
            project: self.project.clone(),
            db: crate::args::db::DbLocation {
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

    let key = crate::support::keys::load_private(&args.key)?;
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
        crate::support::output::emit(ctx, out.as_bytes())?;
    }
    Ok(Status::Ok)
}
