//! OpenVEX documents (<https://github.com/openvex/spec>), read and checked before attesting.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The parts of an OpenVEX document vouch checks; the document itself is attested unchanged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenVex {
    #[serde(rename = "@context")]
    pub context: String,
    #[serde(rename = "@id", default)]
    pub id: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub statements: Vec<VexStatement>,
}

/// One VEX statement: a vulnerability's status in some products.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VexStatement {
    pub vulnerability: Value,
    #[serde(default)]
    pub products: Vec<Value>,
    pub status: String,
}

/// Why a document is not OpenVEX.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    #[error("not an OpenVEX document: {0}")]
    Json(#[source] serde_json::Error),
    #[error("`@context` `{0}` is not an OpenVEX context (https://openvex.dev/ns…)")]
    Context(String),
    #[error("statement {index} has unknown status `{status}`")]
    Status { index: usize, status: String },
}

impl OpenVex {
    /// Checks that `doc` is an OpenVEX document with valid statuses.
    pub fn check(doc: &Value) -> Result<Self, VexError> {
        let vex: Self = serde_json::from_value(doc.clone()).map_err(VexError::Json)?;
        if !vex.context.starts_with("https://openvex.dev/ns") {
            return Err(VexError::Context(vex.context));
        }
        for (index, s) in vex.statements.iter().enumerate() {
            if !matches!(
                s.status.as_str(),
                "not_affected" | "affected" | "fixed" | "under_investigation"
            ) {
                return Err(VexError::Status {
                    index,
                    status: s.status.clone(),
                });
            }
        }
        Ok(vex)
    }
}
