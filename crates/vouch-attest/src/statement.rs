//! The in-toto Statement: subjects, predicate type, predicate.
//!
//! Spec: <https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>. Version 1
//! (`https://in-toto.io/Statement/v1`) is written; v0.1 is read as well, since
//! slsa-github-generator and cosign still emit it. Fields vouch does not know are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vouch_core::Digest;

/// `_type` of in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of in-toto Statement v0.1.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// The DSSE `payloadType` of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// One artifact a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The artifact's name (a file name for vouch's own statements).
    #[serde(default)]
    pub name: String,
    /// Algorithm → lowercase hex value (`sha256` for vouch; other algorithms are kept).
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject named `name` with one digest.
    pub fn new(name: impl Into<String>, digest: &Digest) -> Self {
        Self {
            name: name.into(),
            digest: BTreeMap::from([(digest.algorithm().to_string(), digest.hex().to_owned())]),
        }
    }

    /// Whether this subject's digest for `digest`'s algorithm equals it.
    pub fn matches(&self, digest: &Digest) -> bool {
        self.digest
            .get(digest.algorithm().as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case(digest.hex()))
    }
}

/// An in-toto statement (v1 or v0.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    #[serde(default)]
    pub predicate: Value,
}

/// Why a DSSE payload is not an in-toto statement vouch can read.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("payload is not a JSON in-toto statement: {0}")]
    Json(#[source] serde_json::Error),
    #[error("unsupported statement `_type` `{0}` (expected in-toto Statement v1 or v0.1)")]
    UnknownType(String),
    #[error("statement has no subject")]
    NoSubject,
    #[error("statement has an empty `predicateType`")]
    NoPredicateType,
    #[error("unexpected DSSE payload type `{0}` (expected `application/vnd.in-toto+json`)")]
    PayloadType(String),
}

impl Statement {
    /// A v1 statement.
    pub fn new(subject: Vec<Subject>, predicate_type: impl Into<String>, predicate: Value) -> Self {
        Self {
            type_: STATEMENT_V1.to_owned(),
            subject,
            predicate_type: predicate_type.into(),
            predicate,
        }
    }

    /// Parses a DSSE payload of type `payload_type`.
    pub fn from_payload(payload_type: &str, payload: &[u8]) -> Result<Self, StatementError> {
        if payload_type != PAYLOAD_TYPE {
            return Err(StatementError::PayloadType(payload_type.to_owned()));
        }
        Self::from_json(payload)
    }

    /// Parses statement JSON, checking the parts every consumer relies on.
    pub fn from_json(bytes: &[u8]) -> Result<Self, StatementError> {
        let s: Self = serde_json::from_slice(bytes).map_err(StatementError::Json)?;
        if s.type_ != STATEMENT_V1 && s.type_ != STATEMENT_V01 {
            return Err(StatementError::UnknownType(s.type_));
        }
        if s.subject.is_empty() {
            return Err(StatementError::NoSubject);
        }
        if s.predicate_type.trim().is_empty() {
            return Err(StatementError::NoPredicateType);
        }
        Ok(s)
    }

    /// The DSSE payload: compact JSON.
    pub fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a statement always serializes")
    }

    /// Whether any subject has exactly this digest.
    pub fn covers(&self, digest: &Digest) -> bool {
        self.subject.iter().any(|s| s.matches(digest))
    }

    /// The statement as a JSON value (the `input` of policy conditions).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a statement always serializes")
    }

    /// When the claim was made, as the predicate itself records it (provenance `finishedOn`,
    /// scan `scanFinishedOn`, SBOM creation time, VEX timestamp, vouch's `generatedAt`).
    pub fn issued_at(&self) -> Option<time::OffsetDateTime> {
        crate::predicate::issued_at(&self.predicate_type, &self.predicate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_digest() {
        let d = crate::sha256(b"hello");
        let st = Statement::new(
            vec![Subject::new("hello.txt", &d)],
            "https://example.com/p",
            serde_json::json!({"a": 1}),
        );
        let back = Statement::from_payload(PAYLOAD_TYPE, &st.to_payload()).unwrap();
        assert_eq!(back, st);
        assert!(back.covers(&d));
        assert!(!back.covers(&crate::sha256(b"hellp")));
    }

    #[test]
    fn rejects_wrong_type_and_empty_subject() {
        let bad = br#"{"_type":"x","subject":[{"name":"a","digest":{}}],"predicateType":"p"}"#;
        assert!(matches!(
            Statement::from_json(bad),
            Err(StatementError::UnknownType(_))
        ));
        let empty =
            br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#;
        assert!(matches!(
            Statement::from_json(empty),
            Err(StatementError::NoSubject)
        ));
        assert!(matches!(
            Statement::from_payload("text/plain", b"{}"),
            Err(StatementError::PayloadType(_))
        ));
    }
}
