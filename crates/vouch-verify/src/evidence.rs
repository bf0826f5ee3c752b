//! Reading evidence from the registry: signatures and attestations in both storage schemes,
//! each verified before it reaches the policy engine; what fails verification is kept as a
//! rejected item so the verdict can say why it did not count.

use vouch_core::{Digest, ImageRef};
use vouch_oci::cosign;
use vouch_oci::{OciError, Registry};
use vouch_policy::{Evidence, Rejected, Signer, VerifiedStatement};

use crate::trust::{Keys, Trust, COSIGN_SIGN_PREDICATE};

fn reject(source: String, reason: impl Into<String>, claimed: Option<String>) -> Rejected {
    Rejected {
        source,
        reason: reason.into(),
        claimed_predicate_type: claimed,
    }
}

/// Statements from OCI 1.1 referrers carrying Sigstore bundles.
pub(crate) async fn referrers(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Digest,
    trust: &Trust<'_>,
    evidence: &mut Evidence,
) -> Result<(), OciError> {
    let keys = &trust.keys;
    let (referrers, _) = registry
        .referrer_artifacts(reference, subject, |t| {
            t.starts_with("application/vnd.dev.sigstore.bundle")
        })
        .await?;
    for r in referrers {
        let claimed = r
            .manifest
            .annotations
            .get(vouch_oci::referrers::BUNDLE_PREDICATE_TYPE_ANNOTATION)
            .cloned();
        for (i, (layer, bytes)) in r.layers.iter().enumerate() {
            if !layer
                .media_type
                .starts_with("application/vnd.dev.sigstore.bundle")
            {
                continue;
            }
            let source = format!("referrer {}#{i}", r.descriptor.digest);
            let bundle = match vouch_sign::bundle::Bundle::from_json(bytes) {
                Ok(b) => b,
                Err(e) => {
                    evidence
                        .rejected
                        .push(reject(source, e.to_string(), claimed.clone()));
                    continue;
                }
            };
            if !matches!(
                bundle.key_material(),
                Ok(vouch_sign::bundle::KeyMaterial::PublicKey(_))
            ) {
                keyless_evidence(&bundle, subject, trust, source, claimed.clone(), evidence);
                continue;
            }
            let mut signers = Vec::new();
            let mut payload = None;
            let mut last_err = String::from("no trusted key is configured");
            for (key, fp) in &keys.0 {
                match vouch_sign::verify::verify_bundle_with_key(
                    &bundle,
                    key,
                    None,
                    vouch_sign::verify::TlogPolicy::InsecureIgnore,
                ) {
                    Ok(v) => {
                        if let vouch_sign::verify::VerifiedContent::Dsse {
                            payload_type,
                            payload: p,
                        } = v.content
                        {
                            signers.push(Signer::Key {
                                fingerprint: fp.clone(),
                            });
                            payload = Some((payload_type, p));
                        } else {
                            last_err = "bundle holds a message signature, not a statement".into();
                        }
                    }
                    Err(e) => last_err = e.to_string(),
                }
            }
            push_statement(
                evidence,
                source,
                signers,
                payload,
                last_err,
                claimed.clone(),
            );
        }
    }
    Ok(())
}

/// A keyless (Fulcio certificate) bundle, checked offline against the trusted root: the
/// certificate chain, the transparency-log entry and the signature; the identity it proves
/// goes to the policy engine, which matches it against the policies' identities.
fn keyless_evidence(
    bundle: &vouch_sign::bundle::Bundle,
    subject: &Digest,
    trust: &Trust<'_>,
    source: String,
    claimed: Option<String>,
    evidence: &mut Evidence,
) {
    let Some(root) = trust.root else {
        evidence.rejected.push(reject(
            source,
            "keyless (certificate) bundle, but no policy for this image trusts a keyless identity",
            claimed,
        ));
        return;
    };
    let Ok(sha256) = <[u8; 32]>::try_from(subject.bytes().as_slice()) else {
        evidence.rejected.push(reject(
            source,
            "keyless bundles are checked against sha256 digests",
            claimed,
        ));
        return;
    };
    match crate::keyless::verify(bundle, sha256, root, trust.now) {
        Ok(None) => evidence
            .rejected
            .push(reject(source, "no certificate identity", claimed)),
        Ok(Some(v)) => match v.payload {
            Some((payload_type, payload)) => {
                match vouch_attest::Statement::from_payload(&payload_type, &payload) {
                    Ok(statement) => evidence.statements.push(VerifiedStatement {
                        source,
                        statement,
                        signers: v.signers,
                        signed_at: v.signed_at,
                    }),
                    Err(e) => evidence
                        .rejected
                        .push(reject(source, e.to_string(), claimed)),
                }
            }
            None => evidence.rejected.push(reject(
                source,
                "a message signature, not a statement",
                claimed,
            )),
        },
        Err(e) => evidence
            .rejected
            .push(reject(source, format!("keyless bundle: {e}"), claimed)),
    }
}

fn push_statement(
    evidence: &mut Evidence,
    source: String,
    signers: Vec<Signer>,
    payload: Option<(String, Vec<u8>)>,
    last_err: String,
    claimed: Option<String>,
) {
    let Some((payload_type, payload)) = payload.filter(|_| !signers.is_empty()) else {
        evidence.rejected.push(reject(
            source,
            format!("no trusted key verifies it ({last_err})"),
            claimed,
        ));
        return;
    };
    match vouch_attest::Statement::from_payload(&payload_type, &payload) {
        Ok(statement) => evidence.statements.push(VerifiedStatement {
            source,
            statement,
            signers,
            signed_at: None,
        }),
        Err(e) => evidence
            .rejected
            .push(reject(source, e.to_string(), claimed)),
    }
}

/// Statements from cosign's `.sig` and `.att` tags.
pub(crate) async fn legacy(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Digest,
    keys: &Keys,
    evidence: &mut Evidence,
) -> Result<(), OciError> {
    let sig_tag = cosign::signature_tag(subject);
    let (signatures, attestations) = registry.cosign_legacy(reference, subject).await?;
    for (i, s) in signatures.into_iter().enumerate() {
        let source = format!("{sig_tag}#{i}");
        let claimed = Some(COSIGN_SIGN_PREDICATE.to_owned());
        let Ok(sig) = vouch_sign::encoding::decode_base64(&s.signature) else {
            evidence.rejected.push(reject(
                source,
                "signature annotation is not base64",
                claimed,
            ));
            continue;
        };
        let payload = match cosign::parse_simple_signing(&s.payload) {
            Ok(p) => p,
            Err(e) => {
                evidence
                    .rejected
                    .push(reject(source, e.to_string(), claimed));
                continue;
            }
        };
        if payload.kind != cosign::SIMPLE_SIGNING_TYPE {
            evidence.rejected.push(reject(
                source,
                format!("payload type `{}` is not a cosign signature", payload.kind),
                claimed,
            ));
            continue;
        }
        let mut signers = Vec::new();
        let mut last_err = String::from("no trusted key is configured");
        for (key, fp) in &keys.0 {
            match key.verify(&s.payload, &sig) {
                Ok(()) => signers.push(Signer::Key {
                    fingerprint: fp.clone(),
                }),
                Err(e) => last_err = e.to_string(),
            }
        }
        if signers.is_empty() {
            let reason = if s.certificate.is_some() {
                "a keyless cosign signature (certificate annotation); vouch verifies keyless \
                 image signatures from their Sigstore bundle referrers (cosign v3), not from \
                 legacy `.sig` layers"
                    .to_owned()
            } else {
                format!("no trusted key verifies it ({last_err})")
            };
            evidence.rejected.push(reject(source, reason, claimed));
            continue;
        }
        // The statement names the digest the *signed payload* names: a signature moved to
        // another image fails the policy's subject check.
        let mut predicate = serde_json::Map::new();
        if let Some(opt) = payload.optional {
            predicate.insert("optional".to_owned(), opt);
        }
        let statement = vouch_attest::Statement::new(
            vec![vouch_attest::statement::Subject::new(
                payload.docker_reference,
                &payload.manifest_digest,
            )],
            COSIGN_SIGN_PREDICATE,
            serde_json::Value::Object(predicate),
        );
        evidence.statements.push(VerifiedStatement {
            source,
            statement,
            signers,
            signed_at: None,
        });
    }
    let att_tag = cosign::attestation_tag(subject);
    for (i, a) in attestations.into_iter().enumerate() {
        let source = format!("{att_tag}#{i}");
        let envelope = match vouch_sign::dsse::Envelope::from_json(&a.envelope) {
            Ok(e) => e,
            Err(e) => {
                evidence
                    .rejected
                    .push(reject(source, e.to_string(), a.predicate_type));
                continue;
            }
        };
        let mut signers = Vec::new();
        let mut last_err = String::from("no trusted key is configured");
        for (key, fp) in &keys.0 {
            match vouch_sign::verify::verify_envelope_with_key(&envelope, key) {
                Ok(_) => signers.push(Signer::Key {
                    fingerprint: fp.clone(),
                }),
                Err(e) => last_err = e.to_string(),
            }
        }
        let payload = Some((envelope.payload_type.clone(), envelope.payload.to_vec()));
        push_statement(
            evidence,
            source,
            signers,
            payload,
            last_err,
            a.predicate_type,
        );
    }
    Ok(())
}
