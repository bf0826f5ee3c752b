//! Deploy-time decisions about files: [`verify_artifact`], beside [`crate::verify_image`].
//!
//! The caller reads the policy, the attestation bundles (`.intoto.jsonl`: Sigstore bundles or
//! bare DSSE envelopes, one per line) and the artifact's digest; this module decides. Each
//! line's signature is verified against the keys and keyless identities the policies matching
//! the artifact's name trust. Only statements whose signature verified become evidence (the
//! same statement signed by several signers counts once, with all of them: how k-of-n
//! thresholds are met); the rest are kept as rejected lines so the verdict can say why they
//! did not count. A deploy-time re-scan of the attested SBOM runs when a matching policy asks
//! for it ([`crate::rescan`], shared with images), and `vouch_policy::evaluate` makes the
//! decision. A line that cannot be verified at all (not a bundle, an unusable trusted root) is
//! "could not verify", never a denial to be overridden, and never an admission.

use std::path::Path;

use time::OffsetDateTime;
use vouch_attest::{BundleFile, BundleLine, LineKind, Statement};
use vouch_core::Digest;
use vouch_policy::{
    Artifact, Evidence, Policy, PolicySet, Rejected, Signer, Verdict, VerifiedStatement,
};
use vouch_sign::keys::PublicKey;

use crate::error::CouldNotVerify;

/// Everything an artifact verification needs besides the artifact and its bundles.
#[derive(Debug, Clone, Copy)]
pub struct VerifyArtifactOptions<'a> {
    /// The policies; the ones whose `match` globs cover the artifact's name decide.
    pub policy: &'a PolicySet,
    /// Trusted root for keyless bundles; `None` means the embedded Sigstore public-good
    /// root. Only consulted when a matching policy trusts keyless identities.
    pub trusted_root: Option<&'a vouch_trust::TrustedRoot>,
    /// The OSV database directory for policies that re-scan the attested SBOM now. `None`
    /// while a re-scan is wanted and a verified SBOM statement exists is "could not verify".
    pub rescan_db: Option<&'a Path>,
    /// The time policies are evaluated at (attestation age, certificate validity).
    pub now: OffsetDateTime,
}

/// A bundle file as read, with the name its lines are reported under.
#[derive(Debug, Clone)]
pub struct NamedBundle {
    /// How the file is named in rejected-line sources and errors (`path:line`).
    pub name: String,
    pub file: BundleFile,
}

/// Why an artifact could not be verified. Never an admission.
#[derive(Debug, thiserror::Error)]
pub enum VerifyArtifactError {
    /// A key in a matching policy is not a usable public key.
    #[error("key `{key}` of policy `{policy}` ({source_file}): {reason}")]
    PolicyKey {
        key: String,
        policy: String,
        source_file: String,
        reason: String,
    },
    /// A bundle line cannot be checked at all (as opposed to a signature that does not verify).
    #[error("`{file}` line {line}: could not verify: {reason}")]
    Line {
        file: String,
        line: usize,
        reason: String,
    },
    /// The deploy-time re-scan could not run.
    #[error(transparent)]
    Rescan(#[from] CouldNotVerify),
    /// An ignore file or VEX document a matching policy's `rescan` names is unusable.
    #[error("policy `{policy}`: {source}")]
    Triage {
        policy: String,
        #[source]
        source: Box<vouch_osv::triage::TriageError>,
    },
}

/// A trusted key, ready to verify with.
struct Key {
    fingerprint: String,
    key: PublicKey,
}

fn keys_of(policies: &[&Policy]) -> Result<Vec<Key>, VerifyArtifactError> {
    let mut out: Vec<Key> = Vec::new();
    for p in policies {
        for k in &p.signers.keys {
            let (Some(pem), Some(fp)) = (&k.pem, &k.fingerprint) else {
                continue;
            };
            if out.iter().any(|o| &o.fingerprint == fp) {
                continue;
            }
            let key = PublicKey::from_pem(pem.as_bytes()).map_err(|e| {
                VerifyArtifactError::PolicyKey {
                    key: k.name.clone(),
                    policy: p.name.clone(),
                    source_file: p.source.clone(),
                    reason: e.to_string(),
                }
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
    line: &BundleLine,
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
                let sha256 = digest.bytes().try_into().expect("sha256 is 32 bytes");
                return match crate::keyless::verify(&bundle, sha256, root, now) {
                    Ok(None) => Ok(LineResult::Rejected("no certificate identity".to_owned())),
                    Ok(Some(v)) => {
                        let Some((payload_type, payload)) = v.payload else {
                            return Ok(LineResult::Rejected("no DSSE payload".to_owned()));
                        };
                        Ok(LineResult::Verified {
                            payload_type,
                            payload,
                            signers: v.signers,
                            signed_at: v.signed_at,
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

/// Verifies the statements in `bundles` about `artifact` (its name, which policies match, and
/// its sha256 digest) and evaluates the matching policies on what verified.
///
/// Lines are checked in order; the first line that cannot be checked at all ends the run with
/// [`VerifyArtifactError::Line`]. A denial is a [`Verdict`] that does not admit.
pub fn verify_artifact(
    artifact: Artifact,
    bundles: &[NamedBundle],
    options: &VerifyArtifactOptions<'_>,
) -> Result<Verdict, VerifyArtifactError> {
    let set = options.policy;
    let now = options.now;
    let matching = set.matching(&artifact.name);
    let keys = keys_of(&matching)?;
    let triage = crate::rescan::triage_for(&matching).map_err(|e| {
        let (policy, source) = *e;
        VerifyArtifactError::Triage {
            policy,
            source: Box::new(source),
        }
    })?;
    let public_good;
    let root = if matching.iter().any(|p| !p.signers.identities.is_empty()) {
        if let Some(r) = options.trusted_root {
            Some(r)
        } else {
            public_good = vouch_trust::TrustedRoot::public_good();
            Some(&public_good)
        }
    } else {
        None
    };
    let digest = &artifact.digest;
    let mut statements: Vec<(Vec<u8>, VerifiedStatement)> = Vec::new();
    let mut rejected = Vec::new();
    for bundle in bundles {
        let file = &bundle.name;
        for line in &bundle.file.lines {
            let source = format!("{file}:{}", line.line);
            let result = verify_line(line, &keys, root, digest, now).map_err(|reason| {
                VerifyArtifactError::Line {
                    file: file.clone(),
                    line: line.line,
                    reason,
                }
            })?;
            match result {
                LineResult::Verified {
                    payload_type,
                    payload,
                    signers,
                    signed_at,
                } => match Statement::from_payload(&payload_type, &payload) {
                    Ok(statement) => {
                        if let Some((_, same)) = statements.iter_mut().find(|(p, _)| *p == payload)
                        {
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
    }
    let statements: Vec<VerifiedStatement> = statements.into_iter().map(|(_, s)| s).collect();
    let rescan = if PolicySet::wants_rescan(&matching)
        && !crate::rescan::sbom_statements(&statements, digest).is_empty()
    {
        let db = options
            .rescan_db
            .ok_or_else(|| CouldNotVerify::NoRescanDatabase {
                image: artifact.name.clone(),
            })?;
        let today = now.date().to_string();
        crate::rescan::rescan_triaged(db, &statements, digest, &triage, &today)?
    } else {
        None
    };
    let evidence = Evidence {
        artifact,
        statements,
        rejected,
        rescan,
    };
    Ok(vouch_policy::evaluate(set, &evidence, now))
}
