//! `vouch verify blob`: a blob's detached signature or key-based Sigstore bundle, checked with
//! a public key, like `cosign verify-blob --key`.
//!
//! Bundles v0.1–v0.3 in both media-type spellings; DER and P1363 ECDSA signatures; `FILE`
//! may be `sha256:<hex>` to check a digest without the file. A bundle must carry a
//! transparency-log entry or timestamp unless `--insecure-ignore-tlog` is given.

use std::path::{Path, PathBuf};

use vouch_sign::bundle::Bundle;
use vouch_sign::keys::PublicKey;
use vouch_sign::verify::{
    verify_bundle_with_key, Artifact, BundleVerifyError, Evidence, EvidenceError, EvidenceVerifier,
    TlogPolicy, VerifiedContent,
};
use vouch_sign::DigestAlgorithm;

use crate::args::verify::BlobArgs;
use crate::context::Context;
use crate::status::Status;

/// What the command verifies against.
enum Input {
    Path(PathBuf),
    Digest(DigestAlgorithm, Vec<u8>),
}

fn parse_input(file: &str) -> anyhow::Result<Input> {
    for prefix in ["sha256", "sha384", "sha512"] {
        if let Some(hex_value) = file.strip_prefix(prefix).and_then(|r| r.strip_prefix(':')) {
            let alg = DigestAlgorithm::from_name(prefix).expect("known name");
            let digest = hex::decode(hex_value)
                .ok()
                .filter(|d| d.len() == alg.output_len())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "`{file}`: not a {prefix} digest ({} hex digits expected)",
                        alg.output_len() * 2
                    )
                })?;
            return Ok(Input::Digest(alg, digest));
        }
    }
    Ok(Input::Path(PathBuf::from(file)))
}

/// Checks transparency-log entries and timestamps offline against a trusted root, with
/// `vouch-trust` (the same checks as `vouch verify bundle --key`).
struct TrustedEvidence {
    root: vouch_trust::TrustedRoot,
    artifact: vouch_trust::Artifact,
}

impl EvidenceVerifier for TrustedEvidence {
    fn verify_evidence(&self, bundle: &Bundle, key: &PublicKey) -> Result<Evidence, EvidenceError> {
        let unusable = |message: String| EvidenceError {
            failed: false,
            message,
            source: None,
        };
        let trust_key = vouch_trust::PublicKey::from_spki_der(key.to_spki_der())
            .map_err(|e| unusable(format!("public key: {e}")))?;
        let options = vouch_trust::VerifyOptions {
            // Presence of a log entry or timestamp was checked already; verify what is there.
            require_tlog: false,
            ..vouch_trust::VerifyOptions::default()
        };
        match vouch_trust::verify_bundle(
            bundle,
            &self.artifact,
            &vouch_trust::VerificationPolicy::Key(trust_key),
            &self.root,
            options,
        ) {
            Ok(v) => Ok(Evidence {
                times: v.verified_times,
                tlog_entries: v.log_indices.len(),
                timestamps: bundle
                    .verification_material
                    .timestamp_verification_data
                    .as_ref()
                    .map_or(0, |t| t.rfc3161_timestamps.len()),
            }),
            Err(e @ vouch_trust::VerifyError::Failed { .. }) => Err(EvidenceError {
                failed: true,
                message: e.to_string(),
                source: None,
            }),
            Err(e) => Err(unusable(e.to_string())),
        }
    }
}

/// The artifact as `vouch-trust` takes it.
fn trust_artifact(artifact: &Artifact<'_>) -> Option<vouch_trust::Artifact> {
    let pick = |alg: DigestAlgorithm, d: &[u8]| match alg {
        DigestAlgorithm::Sha256 => d.try_into().ok().map(vouch_trust::Artifact::Sha256),
        DigestAlgorithm::Sha512 => d.try_into().ok().map(vouch_trust::Artifact::Sha512),
        DigestAlgorithm::Sha384 => None,
    };
    match artifact {
        Artifact::Bytes(b) => Some(vouch_trust::Artifact::Bytes(b.to_vec())),
        Artifact::Digest { algorithm, digest } => pick(*algorithm, digest),
        Artifact::Digests(all) => all.iter().find_map(|(a, d)| pick(*a, d)),
    }
}

/// Reports a verification failure (exit 1) on stderr.
pub fn fail(ctx: &Context, msg: String) -> Status {
    crate::error::print(ctx.color, &anyhow::anyhow!(msg));
    Status::Failed
}

pub fn run(ctx: &Context, args: BlobArgs) -> anyhow::Result<Status> {
    let public = crate::support::keys::load_public(&args.key)?;
    let input = parse_input(&args.file)?;
    if let Some(sig_path) = &args.signature {
        let sig_text = std::fs::read(sig_path)
            .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", sig_path.display()))?;
        let sig = vouch_sign::keys::decode_signature_text(&sig_text);
        let result = match (public.digest_algorithm(), &input) {
            (Some(alg), Input::Path(p)) => {
                let digest = crate::support::input::digest_file(ctx, p, alg)?;
                public.verify_prehash(alg, &digest, &sig)
            }
            (Some(alg), Input::Digest(given, digest)) => {
                if *given != alg {
                    anyhow::bail!(
                        "`{}`: this {} key signs {} digests, not {}",
                        args.file,
                        public.algorithm(),
                        alg.name(),
                        given.name()
                    );
                }
                public.verify_prehash(alg, digest, &sig)
            }
            (None, Input::Path(p)) => public.verify(&crate::support::input::read_input(p)?, &sig),
            (None, Input::Digest(..)) => anyhow::bail!(
                "`{}`: Ed25519 signatures cover the file itself: give the file, not a digest",
                args.file
            ),
        };
        return Ok(match result {
            Ok(()) => {
                ctx.note("Verified OK");
                Status::Ok
            }
            Err(e) => fail(
                ctx,
                format!(
                    "signature `{}` over `{}`: {e}",
                    sig_path.display(),
                    args.file
                ),
            ),
        });
    }
    let bundle_path = args
        .bundle
        .as_ref()
        .expect("clap requires --signature or --bundle");
    let text = std::fs::read(bundle_path)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", bundle_path.display()))?;
    let bundle = Bundle::from_json(&text)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", bundle_path.display()))?;
    let data;
    let artifact = match &input {
        Input::Digest(alg, digest) => Artifact::Digest {
            algorithm: *alg,
            digest: digest.clone(),
        },
        // Streaming: hash the file once with the key's algorithm (the common case); keys
        // that sign the message itself, and digests in other algorithms, need the bytes.
        Input::Path(p) => match (public.digest_algorithm(), &bundle.message_signature) {
            (Some(alg), Some(m))
                if m.message_digest.as_ref().is_none_or(|d| {
                    DigestAlgorithm::from_bundle(&d.algorithm).is_none_or(|a| a == alg)
                }) =>
            {
                Artifact::Digest {
                    algorithm: alg,
                    digest: crate::support::input::digest_file(ctx, p, alg)?,
                }
            }
            // DSSE: in-toto subjects name SHA-256 or SHA-512 digests; compute both at once.
            (_, None) => Artifact::Digests(crate::support::input::digest_file_many(
                ctx,
                p,
                &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha512],
            )?),
            _ => {
                data = crate::support::input::read_input(p)?;
                Artifact::Bytes(&data)
            }
        },
    };
    let evidence;
    let policy = if args.insecure_ignore_tlog {
        ctx.warn("--insecure-ignore-tlog: the transparency log is not checked");
        TlogPolicy::InsecureIgnore
    } else {
        let root = match &args.trusted_root {
            Some(path) => {
                let text = std::fs::read(path)
                    .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?;
                vouch_trust::TrustedRoot::from_json(&text)
                    .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?
            }
            None => vouch_trust::TrustedRoot::public_good(),
        };
        let trust_artifact = trust_artifact(&artifact).ok_or_else(|| {
            anyhow::anyhow!(
                "`{}`: log entries can only be checked for SHA-256 or SHA-512 artifact digests",
                args.file
            )
        })?;
        evidence = TrustedEvidence {
            root,
            artifact: trust_artifact,
        };
        TlogPolicy::Require(&evidence)
    };
    match verify_bundle_with_key(&bundle, &public, Some(&artifact), policy) {
        Ok(verified) => {
            if let VerifiedContent::Dsse { payload_type, .. } = &verified.content {
                ctx.note(&format!("Verified DSSE payload of type {payload_type}"));
            }
            ctx.note("Verified OK");
            Ok(Status::Ok)
        }
        Err(e) => Ok(report(ctx, bundle_path, &args.file, e)?),
    }
}

/// Exit 1 for a bundle that does not verify, exit 2 (an error) for one that cannot be.
pub fn report(
    ctx: &Context,
    bundle_path: &Path,
    file: &str,
    e: BundleVerifyError,
) -> anyhow::Result<Status> {
    let msg = format!("bundle `{}` for `{file}`: {e}", bundle_path.display());
    if e.is_failure() {
        Ok(fail(ctx, msg))
    } else {
        Err(anyhow::anyhow!(msg))
    }
}
