//! `vouch verify bundle` (also the hidden top-level `vouch verify-bundle`): offline
//! verification of a Sigstore bundle, with a key or a certificate identity, against a trusted
//! root. The argument grammar is the sigstore-conformance client protocol's:
//! `verify-bundle --bundle B (--key K | --certificate-identity I --certificate-oidc-issuer U)
//! [--trusted-root TR] FILE_OR_DIGEST`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use vouch_sign::bundle::Bundle;
use vouch_trust::{
    Artifact, Matcher, PublicKey, Signer, TrustedRoot, VerificationPolicy, VerifyError,
    VerifyOptions,
};

use crate::args::verify::BundleArgs;
use crate::context::Context;
use crate::status::Status;

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read {what} `{}`", path.display()))
}

fn policy(args: &BundleArgs) -> anyhow::Result<VerificationPolicy> {
    if let Some(key_path) = &args.key {
        let text = read(key_path, "public key")?;
        let text = String::from_utf8(text)
            .map_err(|_| anyhow::anyhow!("public key `{}` is not PEM text", key_path.display()))?;
        let key = PublicKey::from_pem(&text)
            .with_context(|| format!("failed to parse public key `{}`", key_path.display()))?;
        return Ok(VerificationPolicy::Key(key));
    }
    let san = match (
        &args.certificate_identity,
        &args.certificate_identity_regexp,
    ) {
        (Some(s), _) => Matcher::Exact(s.clone()),
        (None, Some(r)) => Matcher::regex(r).context("invalid --certificate-identity-regexp")?,
        (None, None) => {
            return Err(crate::error::hinted(
                anyhow::anyhow!("no verification policy given"),
                "pass --key, or --certificate-identity and --certificate-oidc-issuer",
            ))
        }
    };
    let issuer = match (
        &args.certificate_oidc_issuer,
        &args.certificate_oidc_issuer_regexp,
    ) {
        (Some(s), _) => Matcher::Exact(s.clone()),
        (None, Some(r)) => Matcher::regex(r).context("invalid --certificate-oidc-issuer-regexp")?,
        (None, None) => {
            return Err(crate::error::hinted(
                anyhow::anyhow!("--certificate-identity needs an OIDC issuer"),
                "pass --certificate-oidc-issuer (e.g. https://token.actions.githubusercontent.com)",
            ))
        }
    };
    Ok(VerificationPolicy::Identity { san, issuer })
}

fn artifact(arg: &str) -> anyhow::Result<Artifact> {
    let path = Path::new(arg);
    if path.exists() {
        return Ok(Artifact::Bytes(read(path, "artifact")?));
    }
    if arg.starts_with("sha256:") {
        return Artifact::from_digest(arg).ok_or_else(|| {
            anyhow::anyhow!("`{arg}` is not a valid `sha256:<64 hex digits>` digest")
        });
    }
    Err(anyhow::anyhow!(
        "artifact `{arg}` does not exist (pass a file, or `sha256:<hex>`)"
    ))
}

pub fn run(ctx: &Context, args: BundleArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let policy = policy(&args)?;
    let root = match &args.trusted_root {
        Some(p) => TrustedRoot::from_json(&read(p, "trusted root")?)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", p.display()))?,
        None => TrustedRoot::public_good(),
    };
    let bundle_bytes = read(&args.bundle, "bundle")?;
    let bundle = Bundle::from_json(&bundle_bytes)
        .map_err(|e| unreadable(&args.bundle, &bundle_bytes, &e))?;
    let artifact = artifact(&args.artifact)?;

    match vouch_trust::verify_bundle(&bundle, &artifact, &policy, &root, VerifyOptions::default()) {
        Ok(v) => {
            let out = render(format, &v);
            crate::support::output::emit(ctx, out.as_bytes())?;
            Ok(Status::Ok)
        }
        Err(VerifyError::Unusable(why)) => Err(anyhow::anyhow!(
            "could not verify bundle `{}`: {why}",
            args.bundle.display()
        )),
        Err(VerifyError::Failed { check, reason }) => {
            if format == "json" {
                let doc = serde_json::json!({
                    "verified": false,
                    "check": check.name(),
                    "reason": reason,
                });
                let mut out = serde_json::to_string_pretty(&doc).expect("JSON value serialises");
                out.push('\n');
                crate::support::output::emit(ctx, out.as_bytes())?;
            }
            eprintln!(
                "error: bundle `{}` does not verify: {check} check failed: {reason}",
                args.bundle.display()
            );
            if check == vouch_trust::Check::TlogEntry
                && args.key.is_some()
                && bundle.verification_material.tlog_entries.is_empty()
            {
                let how = if bundle.dsse_envelope.is_some() {
                    "`vouch verify artifact FILE --bundle B --key K` (attestations)"
                } else {
                    "`vouch verify blob FILE --bundle B --key K --insecure-ignore-tlog`"
                };
                eprintln!(
                    "hint: a key-based bundle signed offline (`vouch sign blob`, `vouch attest`, cosign with --tlog-upload=false) has no Rekor entry; verify it with {how}"
                );
            }
            Ok(Status::Failed)
        }
    }
}

/// One line naming the bundle file; a multi-line `.intoto.jsonl` is pointed at
/// `vouch verify artifact`, which reads those.
fn unreadable(path: &Path, bytes: &[u8], e: &vouch_sign::bundle::BundleError) -> anyhow::Error {
    let err = anyhow::anyhow!("`{}`: not a Sigstore bundle: {e}", path.display());
    let lines = String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    if lines > 1 && bytes.first() == Some(&b'{') && !bytes.starts_with(b"{\n") {
        crate::error::hinted(
            err,
            format!(
                "`{}` has {lines} lines, like a `.intoto.jsonl` attestation bundle: `vouch verify artifact FILE --bundle {}` reads those; `vouch verify bundle` takes one Sigstore bundle",
                path.display(),
                path.display()
            ),
        )
    } else {
        err
    }
}

fn render(format: &str, v: &vouch_trust::VerifiedBundle) -> String {
    let time = v.signing_time.map(vouch_trust::format_time);
    if format == "json" {
        let signer = match &v.signer {
            Signer::PublicKey { hint } => serde_json::json!({ "publicKey": { "hint": hint } }),
            Signer::Certificate { identity, .. } => serde_json::json!({
                "certificate": {
                    "subjectAlternativeNames": identity.sans,
                    "issuer": identity.issuer,
                    "extensions": identity.extensions,
                }
            }),
        };
        let doc = serde_json::json!({
            "verified": true,
            "signer": signer,
            "signingTime": time,
            "payloadType": v.payload.as_ref().map(|(t, _)| t),
            "logIndices": v.log_indices,
        });
        let mut s = serde_json::to_string_pretty(&doc).expect("JSON value serialises");
        s.push('\n');
        return s;
    }
    let mut s = String::from("Verified OK\n");
    match &v.signer {
        Signer::PublicKey { hint } => {
            let _ = writeln!(s, "signer: public key {hint}");
        }
        Signer::Certificate { identity, .. } => {
            let _ = writeln!(s, "signer: {}", identity.sans.join(", "));
            if let Some(i) = &identity.issuer {
                let _ = writeln!(s, "issuer: {i}");
            }
        }
    }
    if let Some(t) = time {
        let _ = writeln!(s, "signed at: {t}");
    }
    s
}
