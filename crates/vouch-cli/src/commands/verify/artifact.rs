//! `vouch verify artifact`: admit or deny a file against a policy, from its attestations.
//!
//! Order, failing closed: the policy is loaded and checked first (a bad policy is exit 2
//! before anything is verified); then the bundle is read (a damaged line is exit 2, by line
//! number); then each line's signature is verified against the keys and identities the
//! matching policies trust. Only statements whose signature verified become evidence; the
//! policy then only believes those whose subject digest equals the artifact's. A deploy-time
//! re-scan of the attested SBOM runs when a policy asks for it. The decision itself is
//! `vouch_policy::evaluate`, shared with the image verifier and the admission webhook.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use vouch_attest::{BundleFile, LineKind, Statement};
use vouch_core::{Digest, DigestAlgorithm};
use vouch_policy::{
    Evidence, Policy, PolicySet, Rejected, RescanResult, Signer, VerifiedStatement,
};
use vouch_sbom::time::OffsetDateTime;

use crate::commands::Status;
use crate::context::Context;

#[derive(Debug, Args)]
#[command(
    after_help = "Output: text (default) or --format json, a Verdict (schemas/verdict.schema.json).\nExit status: 0 admitted, 1 denied (each failed check named, with a fix), 2 could not verify (bad policy, bundle or input)."
)]
pub struct ArtifactArgs {
    /// The file to admit.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Attestation bundle(s) (`.intoto.jsonl`: Sigstore bundles or DSSE envelopes, one per line;
    /// `-` reads standard input); repeatable.
    #[arg(long, value_name = "BUNDLE", required = true)]
    pub bundle: Vec<PathBuf>,
    /// Policy file (docs/policy.md).
    #[arg(
        long,
        value_name = "POLICY",
        conflicts_with_all = ["key", "require_predicate", "certificate_identity"]
    )]
    pub policy: Option<PathBuf>,
    /// Shorthand policy: attestations signed by this public key…
    #[arg(long, value_name = "KEY", conflicts_with = "certificate_identity")]
    pub key: Option<PathBuf>,
    /// …or keyless, by this certificate identity (SAN; a glob)…
    #[arg(long, value_name = "SAN", requires = "certificate_oidc_issuer")]
    pub certificate_identity: Option<String>,
    /// …issued by this OIDC issuer…
    #[arg(long, value_name = "URL", requires = "certificate_identity")]
    pub certificate_oidc_issuer: Option<String>,
    /// …including one of this predicate type (repeatable; URI or short name).
    #[arg(long = "require-predicate", value_name = "TYPE")]
    pub require_predicate: Vec<String>,
    /// The name policies match against [default: FILE as given].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Trusted root for keyless bundles [default: the embedded Sigstore public-good root].
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub db: crate::commands::db::DbLocation,
}

/// A trusted key, ready to verify with.
struct Key {
    fingerprint: String,
    key: vouch_sign::PublicKey,
}

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

fn keys_of(policies: &[&Policy]) -> anyhow::Result<Vec<Key>> {
    let mut out: Vec<Key> = Vec::new();
    for p in policies {
        for k in &p.signers.keys {
            let (Some(pem), Some(fp)) = (&k.pem, &k.fingerprint) else {
                continue;
            };
            if out.iter().any(|o| &o.fingerprint == fp) {
                continue;
            }
            let key = vouch_sign::PublicKey::from_pem(pem.as_bytes()).map_err(|e| {
                anyhow::anyhow!(
                    "key `{}` of policy `{}` ({}): {e}",
                    k.name,
                    p.name,
                    p.source
                )
            })?;
            out.push(Key {
                fingerprint: fp.clone(),
                key,
            });
        }
    }
    Ok(out)
}

/// What one line proved.
enum LineResult {
    Verified {
        payload_type: String,
        payload: Vec<u8>,
        signers: Vec<Signer>,
        signed_at: Option<OffsetDateTime>,
    },
    Rejected(String),
}

fn verify_line(
    line: &vouch_attest::BundleLine,
    keys: &[Key],
    keyless: Option<&vouch_trust::TrustedRoot>,
    digest: &Digest,
    now: OffsetDateTime,
) -> Result<LineResult, String> {
    let raw = serde_json::to_vec(&line.json).expect("JSON serializes");
    match line.kind {
        LineKind::Envelope => {
            let env = vouch_sign::Envelope::from_json(&raw).map_err(|e| e.to_string())?;
            let signers: Vec<Signer> = keys
                .iter()
                .filter(|k| vouch_sign::verify_envelope_with_key(&env, &k.key).is_ok())
                .map(|k| Signer::Key {
                    fingerprint: k.fingerprint.clone(),
                })
                .collect();
            if signers.is_empty() {
                return Ok(LineResult::Rejected(
                    "no signature verifies with a trusted key".to_owned(),
                ));
            }
            Ok(LineResult::Verified {
                payload_type: env.payload_type.clone(),
                payload: env.payload.to_vec(),
                signers,
                signed_at: None,
            })
        }
        LineKind::SigstoreBundle => {
            let bundle = vouch_sign::Bundle::from_json(&raw).map_err(|e| e.to_string())?;
            let keyless_bundle = !matches!(
                bundle.key_material().map_err(|e| e.to_string())?,
                vouch_sign::bundle::KeyMaterial::PublicKey(_)
            );
            if !matches!(
                bundle.content().map_err(|e| e.to_string())?,
                vouch_sign::bundle::Content::DsseEnvelope(_)
            ) {
                return Ok(LineResult::Rejected(
                    "a message signature, not an attestation".to_owned(),
                ));
            }
            if keyless_bundle {
                let Some(root) = keyless else {
                    return Ok(LineResult::Rejected(
                        "keyless (certificate) bundle, but the policy trusts no keyless identity"
                            .to_owned(),
                    ));
                };
                let any = vouch_trust::Matcher::regex(".*").expect("valid regex");
                let policy = vouch_trust::VerificationPolicy::Identity {
                    san: any.clone(),
                    issuer: any,
                };
                let artifact = vouch_trust::Artifact::Sha256(
                    digest.bytes().try_into().expect("sha256 is 32 bytes"),
                );
                let opts = vouch_trust::VerifyOptions {
                    require_tlog: true,
                    now: Some(now.unix_timestamp()),
                };
                return match vouch_trust::verify_bundle(&bundle, &artifact, &policy, root, opts) {
                    Ok(v) => {
                        let vouch_trust::Signer::Certificate { identity, .. } = &v.signer else {
                            return Ok(LineResult::Rejected("no certificate identity".to_owned()));
                        };
                        let issuer = identity.issuer.clone().unwrap_or_default();
                        let signers = identity
                            .sans
                            .iter()
                            .map(|san| Signer::Identity {
                                issuer: issuer.clone(),
                                subject: san.clone(),
                            })
                            .collect();
                        let Some((payload_type, payload)) = v.payload else {
                            return Ok(LineResult::Rejected("no DSSE payload".to_owned()));
                        };
                        Ok(LineResult::Verified {
                            payload_type,
                            payload,
                            signers,
                            signed_at: v
                                .signing_time
                                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
                        })
                    }
                    Err(vouch_trust::VerifyError::Failed { check, reason }) => Ok(
                        LineResult::Rejected(format!("keyless {check} check failed: {reason}")),
                    ),
                    Err(e @ vouch_trust::VerifyError::Unusable(_)) => Err(e.to_string()),
                };
            }
            let mut signers = Vec::new();
            let mut payload = None;
            for k in keys {
                match vouch_sign::verify_bundle_with_key(
                    &bundle,
                    &k.key,
                    None,
                    vouch_sign::TlogPolicy::InsecureIgnore,
                ) {
                    Ok(v) => {
                        if let vouch_sign::verify::VerifiedContent::Dsse {
                            payload_type,
                            payload: p,
                        } = v.content
                        {
                            payload = Some((payload_type, p));
                            signers.push(Signer::Key {
                                fingerprint: k.fingerprint.clone(),
                            });
                        }
                    }
                    Err(e) if e.is_failure() => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            match payload {
                Some((payload_type, payload)) => Ok(LineResult::Verified {
                    payload_type,
                    payload,
                    signers,
                    signed_at: None,
                }),
                None => Ok(LineResult::Rejected(
                    "signature does not verify with any trusted key".to_owned(),
                )),
            }
        }
    }
}

/// Re-scans every verified SBOM statement about the artifact against the local database
/// (the same re-scan `vouch verify image` and the webhook run).
fn rescan(
    db: &crate::commands::db::DbLocation,
    statements: &[VerifiedStatement],
    digest: &Digest,
) -> anyhow::Result<Option<RescanResult>> {
    if vouch_verify::rescan::sbom_statements(statements, digest).is_empty() {
        return Ok(None);
    }
    let dir = db.resolve()?;
    vouch_verify::rescan::rescan(&dir, statements, digest).map_err(|e| match e {
        // Its message already names the cause: one line, not a repeated `caused by:`.
        e @ vouch_verify::CouldNotVerify::RescanDatabase { .. } => crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "build it with `vouch db import …` or `vouch db update`, or pass --db DIR",
        ),
        e => e.into(),
    })
}

pub fn run(ctx: &Context, args: ArtifactArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    // 1. The policy, fully checked, before anything else.
    let set = load_policy(&args)?;
    // 2. The bundles.
    let mut lines = Vec::new();
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
        let file = BundleFile::parse(&path.display().to_string(), &text)?;
        lines.extend(
            file.lines
                .into_iter()
                .map(|l| (path.display().to_string(), l)),
        );
    }
    // 3. The artifact.
    let raw = crate::commands::sign::blob::digest_file(
        ctx,
        &args.file,
        vouch_sign::DigestAlgorithm::Sha256,
    )?;
    let digest = Digest::from_bytes(DigestAlgorithm::Sha256, &raw);
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| args.file.display().to_string());
    let now = OffsetDateTime::now_utc();

    // 4. Signatures, against what the matching policies trust.
    let matching = set.matching(&name);
    let keys = keys_of(&matching)?;
    let wants_keyless = matching.iter().any(|p| !p.signers.identities.is_empty());
    let root = if wants_keyless {
        Some(match &args.trusted_root {
            Some(p) => {
                let bytes = std::fs::read(p)
                    .with_context(|| format!("`{}`: cannot read trusted root", p.display()))?;
                vouch_trust::TrustedRoot::from_json(&bytes)
                    .map_err(|e| anyhow::anyhow!("`{}`: {e}", p.display()))?
            }
            None => vouch_trust::TrustedRoot::public_good(),
        })
    } else {
        None
    };
    let mut statements: Vec<(Vec<u8>, VerifiedStatement)> = Vec::new();
    let mut rejected = Vec::new();
    for (file, line) in &lines {
        let source = format!("{file}:{}", line.line);
        let result = verify_line(line, &keys, root.as_ref(), &digest, now)
            .map_err(|e| anyhow::anyhow!("`{file}` line {}: could not verify: {e}", line.line))?;
        match result {
            LineResult::Verified {
                payload_type,
                payload,
                signers,
                signed_at,
            } => match Statement::from_payload(&payload_type, &payload) {
                Ok(statement) => {
                    // The same statement signed by several signers (one bundle each) counts
                    // once, with all of them: that is how k-of-n thresholds are met.
                    if let Some((_, same)) = statements.iter_mut().find(|(p, _)| *p == payload) {
                        same.source = format!("{}+{}", same.source, line.line);
                        for s in signers {
                            if !same.signers.contains(&s) {
                                same.signers.push(s);
                            }
                        }
                        same.signed_at = match (same.signed_at, signed_at) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                    } else {
                        statements.push((
                            payload,
                            VerifiedStatement {
                                source,
                                statement,
                                signers,
                                signed_at,
                            },
                        ));
                    }
                }
                Err(e) => rejected.push(Rejected {
                    source,
                    reason: format!("signed payload is not an in-toto statement: {e}"),
                    claimed_predicate_type: None,
                }),
            },
            LineResult::Rejected(reason) => rejected.push(Rejected {
                source,
                reason,
                claimed_predicate_type: line.claimed_predicate_type(),
            }),
        }
    }
    let statements: Vec<VerifiedStatement> = statements.into_iter().map(|(_, s)| s).collect();
    // 5. The deploy-time re-scan, when asked for.
    let rescan = if PolicySet::wants_rescan(&matching) {
        rescan(&args.db, &statements, &digest)?
    } else {
        None
    };
    let evidence = Evidence {
        artifact: vouch_policy::Artifact { name, digest },
        statements,
        rejected,
        rescan,
    };
    // 6. The decision.
    let verdict = vouch_policy::evaluate(&set, &evidence, now);
    let out = match format {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&verdict)?;
            v.push(b'\n');
            v
        }
        _ => verdict.render_text().into_bytes(),
    };
    crate::output::emit(ctx, &out)?;
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
