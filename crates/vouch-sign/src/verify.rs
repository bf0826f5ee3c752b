//! Key-based verification of Sigstore bundles and DSSE envelopes.
//!
//! The order is fixed and fails closed: shape → signature with the given key → the
//! artifact (digest or in-toto subject) → transparency-log/timestamp evidence. Evidence is
//! checked by an [`EvidenceVerifier`] (implemented in `vouch-trust` with a trusted root), or
//! skipped only when the caller explicitly passes [`TlogPolicy::InsecureIgnore`].
//!
//! Errors keep "verification failed" (exit 1: [`BundleVerifyError::is_failure`]) apart from
//! "could not verify" (exit 2).

use crate::bundle::{Bundle, BundleError, Content, KeyMaterial};
use crate::dsse::{self, Envelope};
use crate::hash::DigestAlgorithm;
use crate::keys::{PublicKey, SignatureError};

/// What the bundle is checked against.
#[derive(Debug, Clone)]
pub enum Artifact<'a> {
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// Only its digest (`sha256:<hex>` on the command line, or a streamed hash).
    Digest {
        algorithm: DigestAlgorithm,
        digest: Vec<u8>,
    },
    /// Several digests of the same artifact (e.g. SHA-256 and SHA-512 from one streamed read).
    Digests(Vec<(DigestAlgorithm, Vec<u8>)>),
}

impl Artifact<'_> {
    fn digest(&self, algorithm: DigestAlgorithm) -> Option<Vec<u8>> {
        match self {
            Self::Bytes(b) => Some(algorithm.digest(b)),
            Self::Digest {
                algorithm: a,
                digest,
            } => (*a == algorithm).then(|| digest.clone()),
            Self::Digests(all) => all
                .iter()
                .find(|(a, _)| *a == algorithm)
                .map(|(_, d)| d.clone()),
        }
    }
}

/// Checks a bundle's transparency-log entries and RFC 3161 timestamps against trusted
/// material. Called only after the signature verified.
pub trait EvidenceVerifier {
    /// `Err` with [`EvidenceError::failed`] = `true` when the evidence is present but wrong.
    fn verify_evidence(&self, bundle: &Bundle, key: &PublicKey) -> Result<Evidence, EvidenceError>;
}

/// What the evidence check established.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Verified signing times, seconds since the Unix epoch (integrated times, TSA times).
    pub times: Vec<i64>,
    pub tlog_entries: usize,
    pub timestamps: usize,
}

/// A failed evidence check.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct EvidenceError {
    /// `true`: the evidence does not verify (exit 1); `false`: it could not be checked (exit 2).
    pub failed: bool,
    pub message: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// How transparency-log entries and timestamps are treated.
#[derive(Clone, Copy)]
pub enum TlogPolicy<'a> {
    /// At least one tlog entry or timestamp must be present and verify through this checker.
    Require(&'a dyn EvidenceVerifier),
    /// `--insecure-ignore-tlog`: accept the signature alone. Nothing about when it was made,
    /// or whether it was published, is checked.
    InsecureIgnore,
}

impl std::fmt::Debug for TlogPolicy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Require(_) => f.write_str("Require(..)"),
            Self::InsecureIgnore => f.write_str("InsecureIgnore"),
        }
    }
}

/// What a bundle vouches for, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifiedContent {
    /// A signature over this digest.
    MessageDigest {
        algorithm: DigestAlgorithm,
        digest: Vec<u8>,
    },
    /// A DSSE payload: the exact signed bytes, never re-serialised.
    Dsse {
        payload_type: String,
        payload: Vec<u8>,
    },
}

/// A verified bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBundle {
    pub content: VerifiedContent,
    /// `None` when the caller chose [`TlogPolicy::InsecureIgnore`].
    pub evidence: Option<Evidence>,
}

/// Why a bundle did not verify.
#[derive(Debug, thiserror::Error)]
pub enum BundleVerifyError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("bundle is keyless (it carries a certificate): verify it against a trusted root with `vouch verify bundle`")]
    Keyless,
    #[error("an artifact (or its digest) is needed to verify a message-signature bundle")]
    NeedArtifact,
    #[error("{0}")]
    Unusable(String),
    #[error("DSSE envelope in a bundle must have exactly one signature, found {0}")]
    EnvelopeSignatures(usize),
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("artifact {algorithm} digest does not match the bundle's message digest")]
    DigestMismatch { algorithm: &'static str },
    #[error("artifact does not match any subject of the signed in-toto statement")]
    SubjectMismatch,
    #[error("bundle has no transparency-log entry or timestamp (key-based bundles need `--insecure-ignore-tlog` to be accepted without one)")]
    NoEvidence,
    #[error("transparency-log/timestamp check: {0}")]
    Evidence(#[source] EvidenceError),
}

impl BundleVerifyError {
    /// `true`: the bundle does not verify (exit 1). `false`: it could not be verified (exit 2).
    pub fn is_failure(&self) -> bool {
        match self {
            Self::Bundle(_) | Self::Keyless | Self::NeedArtifact | Self::Unusable(_) => false,
            Self::Evidence(e) => e.failed,
            Self::EnvelopeSignatures(_)
            | Self::Signature(_)
            | Self::DigestMismatch { .. }
            | Self::SubjectMismatch
            | Self::NoEvidence => true,
        }
    }
}

/// Verifies a key-based bundle with `key`, then its evidence as `tlog` says.
#[allow(clippy::single_match_else)]
pub fn verify_bundle_with_key(
    bundle: &Bundle,
    key: &PublicKey,
    artifact: Option<&Artifact<'_>>,
    tlog: TlogPolicy<'_>,
) -> Result<VerifiedBundle, BundleVerifyError> {
    bundle.version()?;
    match bundle.key_material()? {
        KeyMaterial::PublicKey(_) => {}
        KeyMaterial::Certificate(_) | KeyMaterial::X509CertificateChain(_) => {
            return Err(BundleVerifyError::Keyless)
        }
    }
    let content = match bundle.content()? {
        Content::MessageSignature(m) => {
            let artifact = artifact.ok_or(BundleVerifyError::NeedArtifact)?;
            // The bundle's digest identifies the artifact: it must match when present.
            if let Some(md) = &m.message_digest {
                if let Some(alg) = DigestAlgorithm::from_bundle(&md.algorithm) {
                    if let Some(actual) = artifact.digest(alg) {
                        if actual != md.digest.as_slice() {
                            return Err(BundleVerifyError::DigestMismatch {
                                algorithm: alg.name(),
                            });
                        }
                    }
                }
            }
            match key.digest_algorithm() {
                Some(alg) => {
                    let digest = artifact.digest(alg).ok_or_else(|| {
                        BundleVerifyError::Unusable(format!(
                            "this {} key signs {} digests; give the artifact or its {} digest",
                            key.algorithm(),
                            alg.name(),
                            alg.name()
                        ))
                    })?;
                    key.verify_prehash(alg, &digest, &m.signature)?;
                    VerifiedContent::MessageDigest {
                        algorithm: alg,
                        digest,
                    }
                }
                None => {
                    let Artifact::Bytes(bytes) = artifact else {
                        return Err(BundleVerifyError::Unusable(
                            "Ed25519 signatures cover the artifact itself: give the file, not a digest".into(),
                        ));
                    };
                    key.verify(bytes, &m.signature)?;
                    VerifiedContent::MessageDigest {
                        algorithm: DigestAlgorithm::Sha256,
                        digest: DigestAlgorithm::Sha256.digest(bytes),
                    }
                }
            }
        }
        Content::DsseEnvelope(env) => {
            if env.signatures.len() != 1 {
                return Err(BundleVerifyError::EnvelopeSignatures(env.signatures.len()));
            }
            key.verify(&env.pae(), &env.signatures[0].sig)?;
            if let Some(artifact) = artifact {
                check_subject(env, artifact)?;
            }
            VerifiedContent::Dsse {
                payload_type: env.payload_type.clone(),
                payload: env.payload.to_vec(),
            }
        }
    };
    let evidence = match tlog {
        TlogPolicy::InsecureIgnore => None,
        TlogPolicy::Require(checker) => {
            let vm = &bundle.verification_material;
            let timestamps = vm
                .timestamp_verification_data
                .as_ref()
                .map_or(0, |t| t.rfc3161_timestamps.len());
            if vm.tlog_entries.is_empty() && timestamps == 0 {
                return Err(BundleVerifyError::NoEvidence);
            }
            Some(
                checker
                    .verify_evidence(bundle, key)
                    .map_err(BundleVerifyError::Evidence)?,
            )
        }
    };
    Ok(VerifiedBundle { content, evidence })
}

/// The artifact must be a subject of the in-toto statement the envelope carries.
fn check_subject(env: &Envelope, artifact: &Artifact<'_>) -> Result<(), BundleVerifyError> {
    if env.payload_type != dsse::IN_TOTO_PAYLOAD_TYPE {
        return Err(BundleVerifyError::Unusable(format!(
            "cannot match an artifact against a `{}` payload (only in-toto statements name subjects)",
            env.payload_type
        )));
    }
    let statement: serde_json::Value = serde_json::from_slice(&env.payload).map_err(|e| {
        BundleVerifyError::Unusable(format!("signed in-toto statement is not JSON: {e}"))
    })?;
    let subjects = statement
        .get("subject")
        .and_then(|s| s.as_array())
        .ok_or_else(|| {
            BundleVerifyError::Unusable("signed in-toto statement has no subjects".into())
        })?;
    for subject in subjects {
        let Some(digests) = subject.get("digest").and_then(|d| d.as_object()) else {
            continue;
        };
        for (name, value) in digests {
            let (Some(alg), Some(hex_value)) = (DigestAlgorithm::from_name(name), value.as_str())
            else {
                continue;
            };
            if let (Some(actual), Ok(expected)) = (artifact.digest(alg), hex::decode(hex_value)) {
                if actual == expected {
                    return Ok(());
                }
            }
        }
    }
    Err(BundleVerifyError::SubjectMismatch)
}

/// Verifies a standalone DSSE envelope: some signature must verify with `key` (`keyid` is an
/// unauthenticated hint and is ignored). Returns the payload bytes as signed.
pub fn verify_envelope_with_key<'e>(
    envelope: &'e Envelope,
    key: &PublicKey,
) -> Result<&'e [u8], SignatureError> {
    if envelope.signatures.is_empty() {
        return Err(SignatureError::Invalid);
    }
    let pae = envelope.pae();
    let mut last = SignatureError::Invalid;
    for sig in &envelope.signatures {
        match key.verify(&pae, &sig.sig) {
            Ok(()) => return Ok(&envelope.payload),
            Err(e) => last = e,
        }
    }
    Err(last)
}
