//! in-toto statements and predicates, and the `.intoto.jsonl` attestation bundle.
//!
//! An attestation is a claim about an artifact's digest: an in-toto [`Statement`] names the
//! artifacts (`subject`), says what kind of claim it makes (`predicateType`) and carries the
//! claim (`predicate`). vouch signs statements as DSSE envelopes (through `vouch-sign`) and
//! gathers them, one Sigstore bundle per line, in a `.intoto.jsonl` file ([`jsonl`]).
//!
//! The design choice: statements are read leniently (Statement v0.1 and v1, SLSA v0.2 and v1,
//! unknown fields ignored) but only ever trusted by the caller after the envelope carrying them
//! has been verified, and only for subjects whose digest equals the artifact's. Nothing in this
//! crate verifies signatures or touches the filesystem.

pub mod jsonl;
pub mod predicate;
pub mod statement;

pub use jsonl::{BundleFile, BundleLine, JsonlError, LineKind};
pub use statement::{
    Statement, StatementError, Subject, PAYLOAD_TYPE, STATEMENT_V01, STATEMENT_V1,
};

use vouch_core::{Digest, DigestAlgorithm};

/// The sha256 digest of `bytes`.
pub fn sha256(bytes: &[u8]) -> Digest {
    use sha2::Digest as _;
    Digest::from_bytes(DigestAlgorithm::Sha256, &sha2::Sha256::digest(bytes))
}

/// Formats a time as RFC 3339 in UTC with whole seconds (`2024-06-12T07:24:34Z`).
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Parses an RFC 3339 timestamp.
pub fn parse_rfc3339(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}
