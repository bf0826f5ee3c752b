//! vouch's own predicate types: the pins report and the lockfile change record.
//!
//! Both wrap a vouch report unchanged under a small envelope saying which tool produced it and
//! when. Schemas: `schemas/predicates/pins-v1.schema.json` and
//! `schemas/predicates/lockfile-change-v1.schema.json`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The tool that wrote a predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    /// vouch itself at `version`.
    pub fn vouch(version: &str) -> Self {
        Self {
            name: "vouch".to_owned(),
            version: version.to_owned(),
        }
    }
}

/// Predicate of type [`super::VOUCH_PINS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PinsPredicate {
    /// RFC 3339 time the report was made.
    pub generated_at: String,
    pub tool: Tool,
    /// Whether every checked reference was pinned (no error-level finding).
    pub passed: bool,
    /// The `vouch pins --format json` report, unchanged.
    pub report: Value,
}

/// Predicate of type [`super::VOUCH_LOCKFILE_CHANGE`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockfileChangePredicate {
    /// RFC 3339 time the record was made.
    pub generated_at: String,
    pub tool: Tool,
    /// The lockfile change record (`vouch pins` lockfile diff output), unchanged.
    pub record: Value,
}
