//! Evidence: what the caller verified, handed to [`crate::evaluate`].
//!
//! The caller (the CLI, the image verifier, the admission webhook) does all I/O and all
//! cryptography: it digests the artifact, verifies each envelope against the policies' trusted
//! keys (or a keyless bundle against the trust root), and re-scans an attested SBOM against the
//! local OSV database. Only statements whose signature verified go in `statements`; anything
//! else goes in `rejected`, without its claims.

use serde::{Deserialize, Serialize};
use vouch_attest::Statement;
use vouch_core::Digest;

use crate::model::Severity;

/// The artifact (file or image) being admitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// The name policies match against: a path as given, or an image reference.
    pub name: String,
    pub digest: Digest,
}

/// Who produced a verified signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Signer {
    /// A public key, by `sha256:` fingerprint of its DER SubjectPublicKeyInfo.
    Key { fingerprint: String },
    /// A keyless signer: the certificate's OIDC issuer and SAN, as verified against the trust
    /// root (by `vouch-trust`).
    Identity { issuer: String, subject: String },
}

/// A statement whose envelope signature verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedStatement {
    /// Where it came from (`bundle.intoto.jsonl:3`).
    pub source: String,
    pub statement: Statement,
    /// Every signer whose signature over this statement verified.
    pub signers: Vec<Signer>,
    /// A verified signing time (transparency log or RFC 3161 timestamp), if any; otherwise the
    /// time the statement itself records is used.
    pub signed_at: Option<time::OffsetDateTime>,
}

/// An attestation whose signature did not verify with any trusted key or identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub source: String,
    /// Why (for messages).
    pub reason: String,
    /// The predicate type the unverified payload claims, used only to explain a missing
    /// attestation; never trusted.
    pub claimed_predicate_type: Option<String>,
}

/// One vulnerability found by the deploy-time re-scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescanFinding {
    /// Advisory id (`RUSTSEC-…`, `GHSA-…`).
    pub id: String,
    /// Package name and version.
    pub package: String,
    pub version: String,
    pub severity: Option<Severity>,
}

/// The result of re-scanning a verified SBOM attestation now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RescanResult {
    /// The SBOM statement re-scanned.
    pub source: String,
    /// The database scanned against (path or description, with its date).
    pub database: String,
    pub findings: Vec<RescanFinding>,
}

/// Everything `evaluate` decides on.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub artifact: Artifact,
    pub statements: Vec<VerifiedStatement>,
    pub rejected: Vec<Rejected>,
    /// Present when the caller re-scanned (it should when a matching policy has `rescan`).
    pub rescan: Option<RescanResult>,
}
