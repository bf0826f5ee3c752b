//! `vouch verify artifact`: admit or deny a file against a policy, from its attestations.
//!
//! A thin front-end over [`vouch_verify::verify_artifact`]. Order, failing closed: the policy
//! is loaded and checked first (a bad policy is exit 2 before anything is verified); then the
//! bundles are read (a damaged line is exit 2, by line number); then the artifact is hashed;
//! then the library verifies each line, re-scans when a policy asks, and decides.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_attest::BundleFile;
use vouch_core::{Digest, DigestAlgorithm};
use vouch_policy::PolicySet;
use vouch_sbom::time::OffsetDateTime;
use vouch_verify::{NamedBundle, VerifyArtifactError, VerifyArtifactOptions};

use crate::args::verify::ArtifactArgs;
use crate::context::Context;
use crate::status::Status;

fn load_policy(args: &ArtifactArgs) -> anyhow::Result<PolicySet> {
    if let Some(path) = &args.policy {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("`{}`: cannot read policy file", path.display()))?;
        let mut set = PolicySet::parse(&path.display().to_string(), &text)?;
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        set.load_key_files(|rel| {
            std::fs::read_to_string(dir.join(rel)).map_err(|e| e.to_string())
        })?;
        return Ok(set);
    }
    if let (Some(san), Some(issuer)) = (&args.certificate_identity, &args.certificate_oidc_issuer) {
        return Ok(PolicySet::simple_identity(
            issuer,
            san,
            &args.require_predicate,
        )?);
    }
    let Some(key) = &args.key else {
        return Err(crate::error::hinted(
            anyhow::anyhow!("no policy: pass --policy FILE, --key cosign.pub, or --certificate-identity with --certificate-oidc-issuer"),
            "`--key K [--require-predicate TYPE]…` is the one-key shorthand policy",
        ));
    };
    let pem = std::fs::read_to_string(key)
        .with_context(|| format!("`{}`: cannot read public key", key.display()))?;
    Ok(PolicySet::simple(
        &key.display().to_string(),
        &pem,
        &args.require_predicate,
    )?)
}

/// The CLI's wording for what the library could not verify.
fn could_not_verify(args: &ArtifactArgs, e: VerifyArtifactError) -> anyhow::Error {
    match e {
        // Its message already names the cause: one line, not a repeated `caused by:`.
        VerifyArtifactError::Rescan(e @ vouch_verify::CouldNotVerify::RescanDatabase { .. }) => {
            crate::error::hinted(
                anyhow::anyhow!("{e}"),
                "build it with `vouch db import …` or `vouch db update`, or pass --db DIR",
            )
        }
        // Only when the database location could not be resolved: say why.
        VerifyArtifactError::Rescan(vouch_verify::CouldNotVerify::NoRescanDatabase { .. }) => {
            match args.db.resolve() {
                Err(why) => why,
                Ok(_) => anyhow::Error::new(e),
            }
        }
        VerifyArtifactError::Rescan(e) => e.into(),
        e => anyhow::anyhow!("{e}"),
    }
}

pub fn run(ctx: &Context, args: ArtifactArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    // 1. The policy, fully checked, before anything else.
    let set = load_policy(&args)?;
    // 2. The bundles.
    let mut bundles = Vec::new();
    let stdin_uses = args.bundle.iter().filter(|p| p.as_os_str() == "-").count()
        + usize::from(args.file.as_os_str() == "-");
    if stdin_uses > 1 {
        anyhow::bail!("standard input (`-`) can be read once: as the artifact or as one --bundle");
    }
    for path in &args.bundle {
        let text = if path.as_os_str() == "-" {
            // `cosign download attestation IMAGE | vouch verify artifact F --bundle -`.
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
                .context("`-`: cannot read the bundle from standard input")?;
            text
        } else {
            std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!(
                    "`{}`: cannot read bundle: {}",
                    path.display(),
                    io_reason(&e)
                )
            })?
        };
        let name = path.display().to_string();
        let file = BundleFile::parse(&name, &text)?;
        bundles.push(NamedBundle { name, file });
    }
    // 3. The artifact.
    let raw =
        crate::support::input::digest_file(ctx, &args.file, vouch_sign::DigestAlgorithm::Sha256)?;
    let digest = Digest::from_bytes(DigestAlgorithm::Sha256, &raw);
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| args.file.display().to_string());
    // 4. What the matching policies need: a trusted root, a re-scan database.
    let root = match &args.trusted_root {
        Some(p) if vouch_verify::wants_keyless(&set, &name) => {
            let bytes = std::fs::read(p)
                .with_context(|| format!("`{}`: cannot read trusted root", p.display()))?;
            Some(
                vouch_trust::TrustedRoot::from_json(&bytes)
                    .map_err(|e| anyhow::anyhow!("`{}`: {e}", p.display()))?,
            )
        }
        _ => None,
    };
    let db = if vouch_verify::wants_rescan(&set, &name) {
        args.db.resolve().ok()
    } else {
        None
    };
    let options = VerifyArtifactOptions {
        policy: &set,
        trusted_root: root.as_ref(),
        rescan_db: db.as_deref(),
        now: OffsetDateTime::now_utc(),
    };
    // 5. Signatures, re-scan and the decision.
    let verdict =
        vouch_verify::verify_artifact(vouch_policy::Artifact { name, digest }, &bundles, &options)
            .map_err(|e| could_not_verify(&args, e))?;
    let out = match format {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&verdict)?;
            v.push(b'\n');
            v
        }
        _ => verdict.render_text().into_bytes(),
    };
    crate::support::output::emit(ctx, &out)?;
    Ok(if verdict.admitted() {
        Status::Ok
    } else {
        Status::Failed
    })
}

/// An I/O error without the "(os error N)" suffix, for one-line messages.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}
