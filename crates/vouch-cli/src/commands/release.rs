//! `vouch release`: the whole pipeline in one CI step.
//!
//! SBOM of the project → vulnerability scan → pins check → SLSA provenance, each attested over
//! the artifacts' digests into one `.intoto.jsonl` bundle, plus a key-based Sigstore bundle
//! per artifact holding a blob signature (`ARTIFACT.sigstore.json`, what
//! `cosign verify-blob --bundle` and `vouch verify blob` read). Exit 1 when the scan or the
//! pins check fails, after everything has been written (the attestations record the
//! failure); `--continue-on-findings` makes that exit 0.

use crate::args::release::ReleaseArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::release as produce;

fn osv_level(s: &str) -> vouch_osv::Level {
    match s {
        "low" => vouch_osv::Level::Low,
        "medium" => vouch_osv::Level::Medium,
        "high" => vouch_osv::Level::High,
        _ => vouch_osv::Level::Critical,
    }
}

/// Reports the pipeline's stages as notes.
struct Notes<'a>(&'a Context);

impl vouch_release::Reporter for Notes<'_> {
    fn on_stage(&self, stage: vouch_release::Stage) {
        if stage == vouch_release::Stage::Pins {
            self.0.note("release: checking pins");
        }
    }
}

pub fn run(ctx: &Context, args: ReleaseArgs) -> anyhow::Result<Status> {
    // Everything goes to files; refuse the global output flags rather than ignore them.
    ctx.format(&["text"], "text")?;
    if ctx.output.is_some() {
        return Err(crate::error::hinted(
            anyhow::anyhow!("`vouch release` writes files, not one output: -o is not supported"),
            "name the attestation bundle with --bundle FILE; signatures go to ARTIFACT.sigstore.json",
        ));
    }
    let started = produce::record_time()?;
    let triage = vouch_osv::triage::Triage::load(args.ignore_file.as_deref(), &args.vex)
        .map_err(crate::support::triage::triage_error)?;
    let artifacts = produce::artifacts(ctx, &args.artifacts)?;
    let bundle_path = args
        .bundle
        .clone()
        .unwrap_or_else(|| vouch_release::default_bundle_path(&artifacts));

    ctx.note("release: cataloging the project (SBOM)");
    let sbom = produce::catalog(ctx, &args.build.project)?;
    ctx.note("release: scanning the SBOM against the offline OSV database");
    let db = args.build.db.resolve()?;
    let build = produce::build_info(&args.build);
    let clock = || produce::record_time().unwrap_or(started);
    let today = crate::support::db::build_time()
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let plan = vouch_release::Plan {
        predicate: None,
        sbom: Some((sbom, args.sbom_format.into())),
        attest_sbom: true,
        scan: Some((&db, &triage)),
        pins: !args.no_pins,
        lockfile_change: None,
        provenance: true,
        build: &build,
        started,
        clock: &clock,
        env: &produce::env,
        today: &today,
    };
    let prepared = vouch_release::prepare(&plan, &Notes(ctx)).map_err(produce::release_error)?;

    let key = crate::support::keys::load_private(&args.key)?;
    let signed = prepared
        .sign(&key, &artifacts)
        .map_err(produce::release_error)?;

    produce::write_bundle(&bundle_path, &signed.lines, false)?;
    for (path, bytes) in &signed.signatures {
        crate::support::output::write_atomic(path, bytes)?;
    }
    ctx.note(&format!(
        "release: wrote {} attestations to {} and {} signature bundle(s)",
        signed.lines.len(),
        bundle_path.display(),
        signed.signatures.len()
    ));

    let scan_failed = prepared.scan_failed(args.fail_on.as_deref().map(osv_level));
    let pins_failed = prepared.pins_failed();
    if scan_failed {
        let found = prepared
            .scan
            .as_ref()
            .map_or(0, |r| r.summary.vulnerabilities);
        ctx.warn(&format!(
            "the scan found {} vulnerabilit{} (recorded in the scan attestation)",
            found,
            if found == 1 { "y" } else { "ies" }
        ));
    }
    if pins_failed {
        ctx.warn("the pins check failed (recorded in the pins attestation); run `vouch pins` for details");
    }
    if (scan_failed || pins_failed) && !args.continue_on_findings {
        return Ok(Status::Failed);
    }
    Ok(Status::Ok)
}
