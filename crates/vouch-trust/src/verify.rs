//! The bundle verification pipeline: signature → transparency log → timestamps → certificate
//! chain at the proven time → SCTs → identity.

use vouch_sign::bundle::{Bundle, BundleVersion, Content, HashAlgorithm, KeyMaterial};

use crate::certs::{self, ChainError};
use crate::checkpoint::Checkpoint;
use crate::keys::{HashAlg, PublicKey};
use crate::rekor::{self, Expected, ExpectedContent};
use crate::root::{key_hint, TrustedRoot};
use crate::{
    merkle, tsa, Artifact, Check, Signer, VerificationPolicy, VerifiedBundle, VerifyError,
    VerifyOptions,
};

/// Allowed clock skew for "integrated time is in the future".
const FUTURE_SKEW_SECS: i64 = 60;

const OID_EKU_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";

/// The key that signed, and how we know it.
enum SigningKey {
    Key {
        key: PublicKey,
        spki: Vec<u8>,
    },
    Cert {
        cert: Box<x509_cert::Certificate>,
        der: Vec<u8>,
        key: PublicKey,
    },
}

impl SigningKey {
    fn key(&self) -> &PublicKey {
        match self {
            Self::Key { key, .. } | Self::Cert { key, .. } => key,
        }
    }
}

fn fail(check: Check, reason: impl Into<String>) -> VerifyError {
    VerifyError::failed(check, reason)
}

/// Verifies a bundle offline. See the crate docs.
pub fn verify_bundle(
    bundle: &Bundle,
    artifact: &Artifact,
    policy: &VerificationPolicy,
    root: &TrustedRoot,
    options: VerifyOptions,
) -> Result<VerifiedBundle, VerifyError> {
    verify(bundle, Some(artifact), policy, root, options)
}

/// Verifies a DSSE bundle offline without tying its payload to an artifact: every check of
/// [`verify_bundle`] except "the artifact is a subject of the statement". For a signer checking
/// the bundle it has just made (any payload type); a verifier deciding about an artifact uses
/// [`verify_bundle`].
pub fn verify_dsse_bundle_unbound(
    bundle: &Bundle,
    policy: &VerificationPolicy,
    root: &TrustedRoot,
    options: VerifyOptions,
) -> Result<VerifiedBundle, VerifyError> {
    if bundle.dsse_envelope.is_none() {
        return Err(VerifyError::unusable(
            "only a DSSE bundle can be verified without its artifact",
        ));
    }
    verify(bundle, None, policy, root, options)
}

fn verify(
    bundle: &Bundle,
    artifact: Option<&Artifact>,
    policy: &VerificationPolicy,
    root: &TrustedRoot,
    options: VerifyOptions,
) -> Result<VerifiedBundle, VerifyError> {
    let version = bundle
        .version()
        .map_err(|e| VerifyError::unusable(e.to_string()))?;
    let content = bundle
        .content()
        .map_err(|e| VerifyError::unusable(e.to_string()))?;
    let material = bundle
        .key_material()
        .map_err(|e| VerifyError::unusable(e.to_string()))?;

    // 1. Who signed.
    let signing = signing_key(material, policy)?;

    // 2. The signature over the artifact (or the envelope), and what the log should hold.
    let (signature, expected_content, payload) = match content {
        Content::MessageSignature(m) => {
            let Some(artifact) = artifact else {
                return Err(VerifyError::unusable(
                    "a message signature is checked against the artifact or its SHA-256 digest",
                ));
            };
            let Some(artifact_sha256) = artifact.sha256() else {
                return Err(VerifyError::unusable(
                    "a message signature is checked against the artifact or its SHA-256 digest",
                ));
            };
            if let Some(md) = &m.message_digest {
                if md.algorithm == HashAlgorithm::Sha2_256
                    && md.digest.as_slice() != artifact_sha256
                {
                    return Err(fail(
                        Check::Signature,
                        "the bundle's message digest does not match the artifact",
                    ));
                }
            }
            let sig = m.signature.as_slice();
            let key = signing.key();
            let ok = match artifact {
                Artifact::Bytes(bytes) => key.verify(key.default_hash(), bytes, sig),
                Artifact::Sha256(_) | Artifact::Sha512(_) => {
                    if matches!(key, PublicKey::Ed25519(_)) || key.default_hash() != HashAlg::Sha256
                    {
                        return Err(VerifyError::unusable(format!(
                            "a {} signature cannot be checked from a SHA-256 digest; pass the artifact file",
                            key.algorithm()
                        )));
                    }
                    key.verify_prehash(HashAlg::Sha256, &artifact_sha256, sig)
                }
            };
            if !ok {
                return Err(fail(
                    Check::Signature,
                    "the artifact signature does not verify with the signer's key",
                ));
            }
            (
                sig,
                ExpectedContent::Message {
                    sha256: artifact_sha256,
                    signature: sig,
                },
                None,
            )
        }
        Content::DsseEnvelope(env) => {
            let [only] = env.signatures.as_slice() else {
                return Err(VerifyError::unusable(format!(
                    "a bundle's DSSE envelope must carry exactly one signature, found {}",
                    env.signatures.len()
                )));
            };
            let pae = env.pae();
            let key = signing.key();
            if !key.verify(key.default_hash(), &pae, only.sig.as_slice()) {
                return Err(fail(
                    Check::Signature,
                    "the DSSE envelope signature does not verify with the signer's key",
                ));
            }
            if let Some(artifact) = artifact {
                check_subject(&env.payload_type, env.payload.as_slice(), artifact)?;
            }
            (
                only.sig.as_slice(),
                ExpectedContent::Dsse {
                    payload: env.payload.as_slice(),
                    pae,
                    signatures: env.signatures.iter().map(|s| s.sig.as_slice()).collect(),
                },
                Some((env.payload_type.clone(), env.payload.as_slice().to_vec())),
            )
        }
    };

    let (signer_der, signer_is_certificate) = match &signing {
        SigningKey::Key { spki, .. } => (spki.as_slice(), false),
        SigningKey::Cert { der, .. } => (der.as_slice(), true),
    };
    let expected = Expected {
        signer_der,
        signer_is_certificate,
        content: expected_content,
    };

    // 3–4. Transparency log entries and RFC 3161 timestamps.
    let (verified_times, log_indices) =
        check_evidence(bundle, version, &expected, signature, root, options)?;

    // 5. Certificate: chain at every proven time, SCT, identity.
    let signer = match signing {
        SigningKey::Key { spki, .. } => Signer::PublicKey {
            hint: key_hint(&spki),
        },
        SigningKey::Cert { cert, der, .. } => {
            if verified_times.is_empty() {
                return Err(fail(
                    Check::Timestamp,
                    "no verified signing time: a certificate needs a Rekor v1 signed entry \
                     timestamp or an RFC 3161 timestamp (Rekor v2 entries carry no time)",
                ));
            }
            let mut issuer = None;
            for t in &verified_times {
                let (_, iss) = certs::chain_to(
                    "certificate",
                    &cert,
                    &der,
                    &root.certificate_authorities,
                    *t,
                )
                .map_err(|e| match e {
                    ChainError::NotValidAt(..) => {
                        fail(Check::ValidityTime, format!("signing certificate: {e}"))
                    }
                    ChainError::NoTrustedIssuer(..) => fail(Check::CertificateChain, e.to_string()),
                })?;
                issuer = Some(iss);
            }
            let issuer = issuer.expect("at least one verified time");
            certs::verify_scts(&cert, issuer, root).map_err(|e| fail(Check::Sct, e.to_string()))?;
            let identity = certs::identity(&cert);
            if let VerificationPolicy::Identity { san, issuer } = policy {
                if !identity.sans.iter().any(|s| san.matches(s)) {
                    return Err(fail(
                        Check::Identity,
                        format!(
                            "certificate identity {} does not match the required {san}",
                            identity
                                .sans
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                match &identity.issuer {
                    Some(i) if issuer.matches(i) => {}
                    Some(i) => {
                        return Err(fail(
                            Check::Identity,
                            format!(
                            "certificate OIDC issuer `{i}` does not match the required {issuer}"
                        ),
                        ))
                    }
                    None => {
                        return Err(fail(
                            Check::Identity,
                            "certificate has no OIDC issuer extension",
                        ))
                    }
                }
            }
            Signer::Certificate { identity, der }
        }
    };

    Ok(VerifiedBundle {
        signer,
        payload,
        signing_time: verified_times.iter().min().copied(),
        verified_times,
        log_indices,
    })
}

/// Checks every transparency-log entry (body, SET, inclusion proof, checkpoint) and RFC 3161
/// timestamp; returns the verified times and the entries' global log indices.
pub(crate) fn check_evidence(
    bundle: &Bundle,
    version: BundleVersion,
    expected: &Expected<'_>,
    signature: &[u8],
    root: &TrustedRoot,
    options: VerifyOptions,
) -> Result<(Vec<i64>, Vec<i64>), VerifyError> {
    // 3. Transparency log entries.
    let now = options
        .now
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    let entries = &bundle.verification_material.tlog_entries;
    if entries.is_empty() && options.require_tlog {
        return Err(fail(
            Check::TlogEntry,
            "the bundle has no transparency log entry",
        ));
    }
    let mut verified_times = Vec::new();
    let mut log_indices = Vec::new();
    // Rekor v2 logs whose key validity must cover a timestamp proven below.
    let mut untimed_logs = Vec::new();
    for entry in entries {
        if entry.log_index < 0 {
            return Err(VerifyError::unusable(format!(
                "transparency log entry has a negative log index ({})",
                entry.log_index
            )));
        }
        let log = root.tlog(entry.log_id.key_id.as_slice()).ok_or_else(|| {
            fail(
                Check::TlogEntry,
                format!(
                    "the entry's log {} is not in the trusted root",
                    hex::encode(entry.log_id.key_id.as_slice())
                ),
            )
        })?;
        let body = entry.canonicalized_body.as_slice();
        if body.is_empty() {
            return Err(VerifyError::unusable(
                "transparency log entry has no canonicalizedBody",
            ));
        }
        rekor::check_body(
            body,
            &entry.kind_version.kind,
            &entry.kind_version.version,
            expected,
        )
        .map_err(|e| fail(Check::TlogEntry, e.to_string()))?;

        let mut proven = false;
        if let Some(promise) = &entry.inclusion_promise {
            if !rekor::verify_set(
                &log.key,
                body,
                entry.integrated_time,
                entry.log_id.key_id.as_slice(),
                entry.log_index,
                promise.signed_entry_timestamp.as_slice(),
            ) {
                return Err(fail(
                    Check::Set,
                    format!(
                        "the signed entry timestamp of log entry {} does not verify",
                        entry.log_index
                    ),
                ));
            }
            if entry.integrated_time > now + FUTURE_SKEW_SECS {
                return Err(fail(
                    Check::ValidityTime,
                    format!(
                        "integrated time {} is in the future",
                        certs::fmt_time(entry.integrated_time)
                    ),
                ));
            }
            if !log.validity.contains(entry.integrated_time) {
                return Err(fail(
                    Check::ValidityTime,
                    format!(
                        "log {} key is not valid at the integrated time {}",
                        log.base_url,
                        certs::fmt_time(entry.integrated_time)
                    ),
                ));
            }
            verified_times.push(entry.integrated_time);
            proven = true;
        } else {
            untimed_logs.push(log);
        }

        match &entry.inclusion_proof {
            Some(proof) => {
                verify_proof(proof, body, log)?;
                proven = true;
            }
            None if version >= BundleVersion::V0_2 => {
                return Err(fail(
                    Check::InclusionProof,
                    format!("log entry {} has no inclusion proof", entry.log_index),
                ));
            }
            None => {}
        }
        if !proven {
            return Err(fail(
                Check::InclusionProof,
                format!(
                    "log entry {} has neither an inclusion proof nor a signed entry timestamp",
                    entry.log_index
                ),
            ));
        }
        log_indices.push(entry.log_index);
    }

    // 4. RFC 3161 timestamps over the signature.
    let mut tsa_times = Vec::new();
    for ts in bundle
        .verification_material
        .timestamp_verification_data
        .iter()
        .flat_map(|t| t.rfc3161_timestamps.iter())
    {
        let t = tsa::verify(ts.signed_timestamp.as_slice(), signature, root)
            .map_err(|e| fail(Check::Timestamp, e.to_string()))?;
        tsa_times.push(t);
    }
    if !untimed_logs.is_empty() && tsa_times.is_empty() {
        return Err(fail(
            Check::Timestamp,
            "the bundle has a Rekor v2 entry, which carries no time, and no RFC 3161 timestamp",
        ));
    }
    for log in untimed_logs {
        if !tsa_times.iter().any(|t| log.validity.contains(*t)) {
            return Err(fail(
                Check::ValidityTime,
                format!(
                    "log {} key is not valid at any verified timestamp",
                    log.base_url
                ),
            ));
        }
    }
    verified_times.extend(tsa_times);

    Ok((verified_times, log_indices))
}

fn signing_key(
    material: KeyMaterial<'_>,
    policy: &VerificationPolicy,
) -> Result<SigningKey, VerifyError> {
    let leaf_der = match material {
        KeyMaterial::PublicKey(_) => {
            let VerificationPolicy::Key(key) = policy else {
                return Err(VerifyError::unusable(
                    "the bundle is signed with a public key: verify it with a key (`--key`), \
                     not a certificate identity",
                ));
            };
            return Ok(SigningKey::Key {
                spki: key.to_spki_der(),
                key: key.clone(),
            });
        }
        KeyMaterial::Certificate(c) => c.raw_bytes.as_slice().to_vec(),
        KeyMaterial::X509CertificateChain(chain) => {
            let Some(first) = chain.certificates.first() else {
                return Err(VerifyError::unusable(
                    "the bundle's certificate chain is empty",
                ));
            };
            for c in &chain.certificates[1..] {
                let parsed = certs::parse(c.raw_bytes.as_slice()).map_err(|e| {
                    VerifyError::unusable(format!("invalid certificate in the bundle's chain: {e}"))
                })?;
                if parsed.tbs_certificate.subject == parsed.tbs_certificate.issuer {
                    return Err(fail(
                        Check::CertificateChain,
                        "the bundle's certificate chain includes a root certificate; roots come \
                         only from the trusted root",
                    ));
                }
            }
            first.raw_bytes.as_slice().to_vec()
        }
    };
    let cert = certs::parse(&leaf_der)
        .map_err(|e| VerifyError::unusable(format!("invalid signing certificate: {e}")))?;
    if certs::is_ca(&cert) {
        return Err(fail(
            Check::CertificateChain,
            "the signing certificate is a CA certificate, not a leaf",
        ));
    }
    if !certs::has_eku(&cert, OID_EKU_CODE_SIGNING) {
        return Err(fail(
            Check::CertificateChain,
            "the signing certificate is not for code signing (no codeSigning extended key usage)",
        ));
    }
    let key = certs::public_key(&cert)
        .map_err(|e| VerifyError::unusable(format!("signing certificate key: {e}")))?;
    if let VerificationPolicy::Key(given) = policy {
        if given.to_spki_der() != key.to_spki_der() {
            return Err(fail(
                Check::Signature,
                "the bundle is signed by a certificate whose key is not the given key",
            ));
        }
    }
    Ok(SigningKey::Cert {
        cert: Box::new(cert),
        der: leaf_der,
        key,
    })
}

fn verify_proof(
    proof: &vouch_sign::bundle::InclusionProof,
    body: &[u8],
    log: &crate::root::TransparencyLog,
) -> Result<(), VerifyError> {
    let (Ok(index), Ok(size)) = (
        u64::try_from(proof.log_index),
        u64::try_from(proof.tree_size),
    ) else {
        return Err(VerifyError::unusable(
            "inclusion proof has a negative index or tree size",
        ));
    };
    merkle::verify_inclusion(index, size, body, &proof.hashes, proof.root_hash.as_slice())
        .map_err(|e| fail(Check::InclusionProof, e.to_string()))?;
    let cp = Checkpoint::parse(&proof.checkpoint.envelope)
        .map_err(|e| fail(Check::Checkpoint, e.to_string()))?;
    if cp.size != size || cp.root_hash != proof.root_hash.as_slice() {
        return Err(fail(
            Check::Checkpoint,
            "the checkpoint's tree size or root hash differs from the inclusion proof's",
        ));
    }
    cp.verify(&log.key, &log.log_id)
        .map_err(|e| fail(Check::Checkpoint, e.to_string()))
}

/// For in-toto payloads: the artifact must be one of the statement's subjects.
fn check_subject(
    payload_type: &str,
    payload: &[u8],
    artifact: &Artifact,
) -> Result<(), VerifyError> {
    if payload_type != vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE {
        return Err(VerifyError::unusable(format!(
            "DSSE payload type `{payload_type}` is not an in-toto statement; cannot tie it to the artifact"
        )));
    }
    let statement: serde_json::Value = serde_json::from_slice(payload).map_err(|e| {
        fail(
            Check::Signature,
            format!("the signed in-toto statement is not JSON: {e}"),
        )
    })?;
    let wanted = artifact.subject_digests();
    let found = statement["subject"].as_array().is_some_and(|subjects| {
        subjects.iter().any(|s| {
            wanted.iter().any(|(alg, hex)| {
                s["digest"][*alg]
                    .as_str()
                    .is_some_and(|d| d.eq_ignore_ascii_case(hex))
            })
        })
    });
    if found {
        Ok(())
    } else {
        let (alg, hex) = &wanted[0];
        Err(fail(
            Check::Signature,
            format!("the artifact ({alg}:{hex}) is not a subject of the signed in-toto statement"),
        ))
    }
}
