//! Registry errors. Every variant means "could not verify": a verifier that meets one of
//! them must not admit the image.

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    #[error("registry `{registry}` is not reachable")]
    Unreachable {
        registry: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("registry `{registry}` did not answer within {seconds} s")]
    Timeout { registry: String, seconds: u64 },
    #[error("registry answered HTTP {status} for `{url}`{}", detail_suffix(.detail))]
    Status {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("authentication to `{registry}` failed: {reason}")]
    Auth { registry: String, reason: String },
    #[error("digest mismatch for {what}: expected {expected}, the registry sent content hashing to {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{what} is larger than the {limit}-byte limit")]
    TooLarge { what: String, limit: u64 },
    #[error("{what} is malformed: {reason}")]
    Malformed { what: String, reason: String },
    #[error("{what} was not found")]
    NotFound { what: String },
    #[error("failed to read docker credentials from `{path}`: {reason}")]
    Credentials { path: String, reason: String },
    #[error("failed to start the network runtime")]
    Runtime(#[source] std::io::Error),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl OciError {
    pub(crate) fn malformed(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Self::Malformed {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}
