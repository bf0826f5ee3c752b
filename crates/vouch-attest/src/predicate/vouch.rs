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

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(name: &str) -> jsonschema::Validator {
        let path = vouch_testkit::repo_root()
            .join("schemas/predicates")
            .join(name);
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    }

    fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
        v.iter_errors(instance).map(|e| e.to_string()).collect()
    }

    #[test]
    fn predicates_match_their_schemas() {
        let pins = serde_json::to_value(PinsPredicate {
            generated_at: "2026-01-01T00:00:00Z".into(),
            tool: Tool::vouch("0.1.0"),
            passed: true,
            report: serde_json::json!({"version": 1, "references": []}),
        })
        .unwrap();
        let v = validator("pins-v1.schema.json");
        assert!(errors(&v, &pins).is_empty(), "{:?}", errors(&v, &pins));
        let mut extra = pins.clone();
        extra["surprise"] = Value::Bool(true);
        assert!(
            !v.is_valid(&extra),
            "the schema rejects fields the type does not have"
        );
        assert!(serde_json::from_value::<PinsPredicate>(extra).is_err());

        let change = serde_json::to_value(LockfileChangePredicate {
            generated_at: "2026-01-01T00:00:00Z".into(),
            tool: Tool::vouch("0.1.0"),
            record: serde_json::json!({"added": []}),
        })
        .unwrap();
        let v = validator("lockfile-change-v1.schema.json");
        assert!(errors(&v, &change).is_empty(), "{:?}", errors(&v, &change));
        let mut missing = change.clone();
        missing.as_object_mut().unwrap().remove("tool");
        assert!(!v.is_valid(&missing));
        assert!(serde_json::from_value::<LockfileChangePredicate>(missing).is_err());
    }
}
