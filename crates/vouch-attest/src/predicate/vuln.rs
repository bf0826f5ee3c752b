//! cosign's vulnerability-scan predicate, `https://cosign.sigstore.dev/attestation/vuln/v1`.
//!
//! Shape (cosign `pkg/cosign/attestation`): `invocation` (how the scan ran), `scanner` (`uri`,
//! `version`, `db` {`uri`, `version`}, `result` = the scanner's own report), `metadata`
//! (`scanStartedOn`, `scanFinishedOn`). vouch puts its `vouch scan --format json` report in
//! `scanner.result`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The vuln predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnPredicate {
    pub invocation: Invocation,
    pub scanner: Scanner,
    pub metadata: ScanMetadata,
}

/// How the scan was invoked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Invocation {
    #[serde(default)]
    pub parameters: Value,
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub event_id: String,
    #[serde(rename = "builder.id", default)]
    pub builder_id: String,
}

/// The scanner and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scanner {
    pub uri: String,
    pub version: String,
    #[serde(default)]
    pub db: Db,
    #[serde(default)]
    pub result: Value,
}

/// The vulnerability database scanned against.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Db {
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub version: String,
}

/// When the scan ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanMetadata {
    pub scan_started_on: String,
    pub scan_finished_on: String,
}
