//! `vouch-sign`'s key-based verification hands transparency-log and timestamp checks to an
//! [`EvidenceVerifier`]; this is that checker, backed by a trusted root.

use vouch_sign::bundle::{Bundle, Content, HashAlgorithm};
use vouch_sign::verify::{Evidence, EvidenceError, EvidenceVerifier};

use crate::rekor::{Expected, ExpectedContent};
use crate::{verify, PublicKey, TrustedRoot, VerifyError, VerifyOptions};

/// Checks a key-based bundle's Rekor entries (body against the key and content, SET, inclusion
/// proof, checkpoint) and RFC 3161 timestamps against `root`.
#[derive(Debug, Clone, Copy)]
pub struct RootEvidence<'a> {
    pub root: &'a TrustedRoot,
}

fn unusable(message: impl Into<String>) -> EvidenceError {
    EvidenceError {
        failed: false,
        message: message.into(),
        source: None,
    }
}

impl EvidenceVerifier for RootEvidence<'_> {
    fn verify_evidence(
        &self,
        bundle: &Bundle,
        key: &vouch_sign::PublicKey,
    ) -> Result<Evidence, EvidenceError> {
        let spki = key.to_spki_der().to_vec();
        PublicKey::from_spki_der(&spki).map_err(|e| unusable(format!("public key: {e}")))?;
        let version = bundle.version().map_err(|e| unusable(e.to_string()))?;
        let bundle_content = bundle.content().map_err(|e| unusable(e.to_string()))?;
        let (signature, content);
        match bundle_content {
            Content::MessageSignature(m) => {
                let digest = m
                    .message_digest
                    .as_ref()
                    .filter(|d| d.algorithm == HashAlgorithm::Sha2_256)
                    .and_then(|d| <[u8; 32]>::try_from(d.digest.as_slice()).ok())
                    .ok_or_else(|| {
                        unusable("the bundle's message digest is not a SHA2_256 digest")
                    })?;
                signature = m.signature.as_slice();
                content = ExpectedContent::Message {
                    sha256: digest,
                    signature,
                };
            }
            Content::DsseEnvelope(env) => {
                let Some(first) = env.signatures.first() else {
                    return Err(unusable("the DSSE envelope has no signature"));
                };
                signature = first.sig.as_slice();
                content = ExpectedContent::Dsse {
                    payload: env.payload.as_slice(),
                    pae: env.pae(),
                    signatures: env.signatures.iter().map(|s| s.sig.as_slice()).collect(),
                };
            }
        }
        let expected = Expected {
            signer_der: &spki,
            signer_is_certificate: false,
            content,
        };
        let options = VerifyOptions {
            require_tlog: false,
            ..VerifyOptions::default()
        };
        let (times, _) =
            verify::check_evidence(bundle, version, &expected, signature, self.root, options)
                .map_err(|e| EvidenceError {
                    failed: matches!(e, VerifyError::Failed { .. }),
                    message: e.to_string(),
                    source: None,
                })?;
        let vm = &bundle.verification_material;
        Ok(Evidence {
            times,
            tlog_entries: vm.tlog_entries.len(),
            timestamps: vm
                .timestamp_verification_data
                .as_ref()
                .map_or(0, |t| t.rfc3161_timestamps.len()),
        })
    }
}
