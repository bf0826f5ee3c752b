//! Sigstore trust: trusted roots, Rekor entries, inclusion proofs, checkpoints, certificates, SCTs,
//! RFC 3161 timestamps, and full offline bundle verification (key or keyless) on top of `vouch-sign`.
//!
//! The entry point is [`verify_bundle`]: a bundle, the artifact (bytes or a SHA-256 digest), a
//! [`VerificationPolicy`] (a public key, or a certificate identity and OIDC issuer) and a
//! [`TrustedRoot`]. Everything is checked offline, against times the bundle proves (a Rekor
//! signed entry timestamp or an RFC 3161 timestamp), never against the clock: a Fulcio
//! certificate lives ten minutes. Errors keep "verification failed" ([`VerifyError::Failed`],
//! naming the [`Check`] that failed) apart from "could not verify" ([`VerifyError::Unusable`]).
//!
//! Built on RustCrypto (`x509-cert`, `cms`, `p256`, `p384`, `ed25519-dalek`, `rsa`): no OpenSSL.
//!
//! ```no_run
//! use vouch_trust::{Artifact, Signer, TrustedRoot, VerificationPolicy, VerifyError, VerifyOptions};
//!
//! let bundle = vouch_sign::Bundle::from_json(&std::fs::read("app.sigstore.json")?)?;
//! let policy = VerificationPolicy::identity(
//!     "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0.0",
//!     "https://token.actions.githubusercontent.com",
//! );
//! let artifact = Artifact::Bytes(std::fs::read("app.tar.gz")?);
//! match vouch_trust::verify_bundle(&bundle, &artifact, &policy, &TrustedRoot::public_good(), VerifyOptions::default()) {
//!     Ok(v) => {
//!         if let Signer::Certificate { identity, .. } = &v.signer {
//!             println!("signed by {:?} via {:?}", identity.sans, identity.extensions.get("sourceRepositoryURI"));
//!         }
//!         // For DSSE bundles, `v.payload` holds the verified in-toto statement bytes.
//!     }
//!     Err(e @ VerifyError::Failed { .. }) => eprintln!("denied: {e}"), // names the check
//!     Err(e @ VerifyError::Unusable(_)) => eprintln!("could not verify: {e}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Key-based bundles verified by `vouch-sign` get their log and timestamp evidence checked
//! through [`RootEvidence`], its `EvidenceVerifier`.

pub mod certs;
pub mod checkpoint;
mod evidence;
pub mod keys;
pub mod merkle;
pub mod rekor;
pub mod root;
pub mod tsa;
mod verify;

pub use certs::CertIdentity;
pub use evidence::RootEvidence;
pub use keys::PublicKey;
pub use root::{RootError, TrustedRoot};
pub use verify::{verify_bundle, verify_dsse_bundle_unbound};

use std::fmt;

/// What was signed: the artifact's bytes, or only its digest.
#[derive(Debug, Clone)]
pub enum Artifact {
    Bytes(Vec<u8>),
    Sha256([u8; 32]),
    /// Only for DSSE statements whose subjects carry SHA-512 digests (npm provenance).
    Sha512([u8; 64]),
}

impl Artifact {
    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`.
    pub fn from_digest(text: &str) -> Option<Self> {
        if let Some(h) = text.strip_prefix("sha256:") {
            return Some(Self::Sha256(hex::decode(h).ok()?.try_into().ok()?));
        }
        let h = text.strip_prefix("sha512:")?;
        Some(Self::Sha512(hex::decode(h).ok()?.try_into().ok()?))
    }

    /// The artifact's SHA-256 digest, when known.
    pub fn sha256(&self) -> Option<[u8; 32]> {
        use sha2::Digest as _;
        match self {
            Self::Bytes(b) => Some(sha2::Sha256::digest(b).into()),
            Self::Sha256(d) => Some(*d),
            Self::Sha512(_) => None,
        }
    }

    /// `(algorithm, lowercase hex)` pairs identifying the artifact, as in-toto subjects spell
    /// them.
    pub fn subject_digests(&self) -> Vec<(&'static str, String)> {
        use sha2::Digest as _;
        match self {
            Self::Bytes(b) => vec![
                ("sha256", hex::encode(sha2::Sha256::digest(b))),
                ("sha512", hex::encode(sha2::Sha512::digest(b))),
            ],
            Self::Sha256(d) => vec![("sha256", hex::encode(d))],
            Self::Sha512(d) => vec![("sha512", hex::encode(d))],
        }
    }
}

/// How a value in the certificate must match.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    /// An anchored regular expression (`^(?:…)$` is added).
    Regex(regex::Regex),
}

impl Matcher {
    /// A regular expression matched against the whole value.
    pub fn regex(pattern: &str) -> Result<Self, regex::Error> {
        regex::Regex::new(&format!("^(?:{pattern})$")).map(Self::Regex)
    }

    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Exact(s) => s == value,
            Self::Regex(r) => r.is_match(value),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(s) => write!(f, "`{s}`"),
            Self::Regex(r) => write!(f, "/{}/", r.as_str()),
        }
    }
}

/// Who must have signed.
#[derive(Debug, Clone)]
pub enum VerificationPolicy {
    /// A key-based (managed key) bundle signed by this key.
    Key(PublicKey),
    /// A keyless bundle whose Fulcio certificate names this identity.
    Identity {
        /// Matched against each subject alternative name (URI, email, other name).
        san: Matcher,
        /// Matched against the OIDC issuer extension (1.3.6.1.4.1.57264.1.8, or .1.1).
        issuer: Matcher,
    },
}

impl VerificationPolicy {
    /// Exact SAN and issuer.
    pub fn identity(san: &str, issuer: &str) -> Self {
        Self::Identity {
            san: Matcher::Exact(san.to_owned()),
            issuer: Matcher::Exact(issuer.to_owned()),
        }
    }
}

/// Knobs that change what counts as enough evidence.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions {
    /// Require at least one transparency-log entry (the Sigstore default). Key-based bundles
    /// signed without a log (`--tlog-upload=false`) need this off.
    pub require_tlog: bool,
    /// "Now", Unix seconds: only used to reject integrated times in the future.
    pub now: Option<i64>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            require_tlog: true,
            now: None,
        }
    }
}

/// Who signed, as proven.
#[derive(Debug, Clone)]
pub enum Signer {
    PublicKey {
        /// base64(SHA-256(DER SPKI)) of the key.
        hint: String,
    },
    Certificate {
        identity: CertIdentity,
        /// The leaf certificate, DER.
        der: Vec<u8>,
    },
}

/// The result of a successful verification.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    pub signer: Signer,
    /// For DSSE bundles: the payload type and the exact verified payload bytes (the in-toto
    /// statement). `None` for message signatures.
    pub payload: Option<(String, Vec<u8>)>,
    /// The earliest verified signing time (Rekor integrated time or RFC 3161 time), Unix seconds.
    pub signing_time: Option<i64>,
    /// Every verified time (one per signed entry timestamp and RFC 3161 timestamp).
    pub verified_times: Vec<i64>,
    /// Global indices of the verified Rekor entries.
    pub log_indices: Vec<i64>,
}

/// The check that rejected a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The artifact or envelope signature, or the artifact digest it covers.
    Signature,
    /// The Rekor entry does not match the bundle, or comes from an unknown log.
    TlogEntry,
    InclusionProof,
    Checkpoint,
    /// Rekor v1 signed entry timestamp.
    Set,
    CertificateChain,
    /// A time (integrated, TSA) outside the certificate's or a trust-root key's validity.
    ValidityTime,
    Sct,
    Identity,
    Timestamp,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::TlogEntry => "transparency log entry",
            Self::InclusionProof => "inclusion proof",
            Self::Checkpoint => "checkpoint",
            Self::Set => "signed entry timestamp (SET)",
            Self::CertificateChain => "certificate chain",
            Self::ValidityTime => "validity time",
            Self::Sct => "SCT",
            Self::Identity => "identity",
            Self::Timestamp => "timestamp",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a bundle was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Verification ran and the bundle does not hold (exit 1).
    #[error("{check} check failed: {reason}")]
    Failed { check: Check, reason: String },
    /// The inputs cannot be verified at all: malformed bundle, wrong kind of policy (exit 2).
    #[error("could not verify: {0}")]
    Unusable(String),
}

impl VerifyError {
    pub(crate) fn failed(check: Check, reason: impl Into<String>) -> Self {
        Self::Failed {
            check,
            reason: reason.into(),
        }
    }

    pub(crate) fn unusable(reason: impl Into<String>) -> Self {
        Self::Unusable(reason.into())
    }

    /// The failed check, for `Failed`.
    pub fn check(&self) -> Option<Check> {
        match self {
            Self::Failed { check, .. } => Some(*check),
            Self::Unusable(_) => None,
        }
    }
}

/// Formats Unix seconds as RFC 3339 (UTC), for messages and reports.
pub fn format_time(t: i64) -> String {
    certs::fmt_time(t)
}
