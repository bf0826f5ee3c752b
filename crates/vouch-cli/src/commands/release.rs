//! `vouch release`: the whole pipeline in one CI step.
//!
//! SBOM of the project → vulnerability scan → pins check → SLSA provenance, each attested over
//! the artifacts' digests into one `.intoto.jsonl` bundle, plus a key-based Sigstore bundle
//! per artifact holding a blob signature (`ARTIFACT.sigstore.json`, what
//! `cosign verify-blob --bundle` and `vouch verify blob` read). Exit 1 when the scan or the
//! pins check fails, after everything has been written (the attestations record the
//! failure); `--continue-on-findings` makes that exit 0.

use std::path::PathBuf;

use clap::Args;
use vouch_attest::predicate;
use vouch_attest::Statement;

use super::attest::artifact::produce;
use super::Status;
use crate::context::Context;

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
    #[arg(long, value_enum, default_value_t = produce::SbomFormat::Cyclonedx)]
    pub sbom_format: produce::SbomFormat,
    /// Skip the pins check (for projects without workflows or lockfiles to check).
    #[arg(long)]
    pub no_pins: bool,
    #[command(flatten)]
    pub build: produce::BuildArgs,
}

fn osv_level(s: &str) -> vouch_osv::Level {
    match s {
        "low" => vouch_osv::Level::Low,
        "medium" => vouch_osv::Level::Medium,
        "high" => vouch_osv::Level::High,
        _ => vouch_osv::Level::Critical,
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
    let artifacts = produce::artifacts(ctx, &args.artifacts)?;
    let bundle_path = args
        .bundle
        .clone()
        .unwrap_or_else(|| match artifacts.as_slice() {
            [one] => {
                let mut p = one.path.clone().into_os_string();
                p.push(".intoto.jsonl");
                PathBuf::from(p)
            }
            _ => PathBuf::from("multiple.intoto.jsonl"),
        });

    ctx.note("release: cataloging the project (SBOM)");
    let (sbom, sbom_type, sbom_json) =
        produce::sbom(ctx, &args.build.project, started, args.sbom_format)?;
    ctx.note("release: scanning the SBOM against the offline OSV database");
    let (scan_report, scan_json) =
        produce::scan(&args.build.db, &sbom, started, produce::record_time()?)?;
    let pins = if args.no_pins {
        None
    } else {
        ctx.note("release: checking pins");
        Some(produce::pins(&args.build.project, started)?)
    };
    let provenance = produce::provenance(
        &args.build,
        pins.as_ref().map(|(r, _)| r),
        started,
        produce::record_time()?,
    )?;

    let key = crate::commands::key::load_private(&args.key)?;
    let subjects: Vec<_> = artifacts.iter().map(produce::Artifact::subject).collect();
    let mut predicates = vec![(sbom_type, sbom_json), (predicate::COSIGN_VULN, scan_json)];
    if let Some((_, v)) = &pins {
        predicates.push((predicate::VOUCH_PINS, v.clone()));
    }
    predicates.push((predicate::SLSA_PROVENANCE_V1, provenance));
    let mut lines = Vec::new();
    for (ty, value) in predicates {
        lines.push(produce::sign(
            &key,
            &Statement::new(subjects.clone(), ty, value),
        )?);
    }

    // A blob signature per artifact, as a key-based Sigstore bundle.
    let public = vouch_sign::Signer::public_key(&key).clone();
    let mut sig_files = Vec::new();
    for a in &artifacts {
        let digest = a.digest.bytes();
        let sig = if public.digest_algorithm() == Some(vouch_sign::DigestAlgorithm::Sha256) {
            vouch_sign::Signer::sign_prehash(&key, &digest)
        } else {
            let bytes = std::fs::read(&a.path)
                .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", a.path.display()))?;
            vouch_sign::Signer::sign(&key, &bytes)
        }
        .map_err(|e| anyhow::anyhow!("failed to sign `{}`: {e}", a.path.display()))?;
        let bundle = vouch_sign::Bundle::for_message_signature(
            vouch_sign::DigestAlgorithm::Sha256,
            &digest,
            &sig,
            &public,
        );
        let mut path = a.path.clone().into_os_string();
        path.push(".sigstore.json");
        sig_files.push((PathBuf::from(path), bundle.to_json()));
    }

    produce::write_bundle(&bundle_path, &lines, false)?;
    for (path, bytes) in &sig_files {
        crate::output::write_atomic(path, bytes)?;
    }
    ctx.note(&format!(
        "release: wrote {} attestations to {} and {} signature bundle(s)",
        lines.len(),
        bundle_path.display(),
        sig_files.len()
    ));

    let scan_failed =
        vouch_osv::scan::fails(&scan_report, args.fail_on.as_deref().map(osv_level), false);
    let pins_failed = pins.as_ref().is_some_and(|(r, _)| r.failed());
    if scan_failed {
        ctx.warn(&format!(
            "the scan found {} vulnerabilit{} (recorded in the scan attestation)",
            scan_report.summary.vulnerabilities,
            if scan_report.summary.vulnerabilities == 1 {
                "y"
            } else {
                "ies"
            }
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
