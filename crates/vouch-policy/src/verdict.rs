//! The verdict: the JSON contract of `vouch verify artifact --format json`
//! (`schemas/verdict.schema.json`).

use serde::{Deserialize, Serialize};

use crate::model::Mode;

/// Admitted or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Admitted,
    Denied,
}

/// Stable codes of failed checks (documented in `docs/policy.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// No policy applies to the artifact.
    NoMatchingPolicy,
    /// No attestation of a required predicate type, verified or not.
    AttestationMissing,
    /// Verified attestations of the type exist, but about other digests.
    SubjectMismatch,
    /// Attestations of the type exist, but no trusted key or identity signed them.
    UntrustedSigner,
    /// Trusted signers signed it, but fewer than the threshold or without a required signer.
    SignerThreshold,
    /// The Rego condition is false.
    ConditionFailed,
    /// The Rego condition could not be evaluated.
    ConditionError,
    /// The attestation is older than `maxAge`.
    AttestationTooOld,
    /// `maxAge` is set but the attestation records no time.
    AttestationTimeUnknown,
    /// `rescan` is required but there was no verified SBOM to re-scan.
    RescanMissing,
    /// The re-scan found vulnerabilities at or above the threshold.
    VulnerabilityFound,
    /// The admission webhook admits only digest-pinned image references (`requireDigest`).
    DigestRequired,
    /// A required attestation records a failing result (`requirePassed`): a pins report
    /// that did not pass, or a scan with findings at or above the threshold.
    AttestationFailed,
}

/// One check of one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Check {
    /// What was checked: `attestation`, `signers`, `condition`, `max-age`, `rescan`.
    pub check: String,
    /// The required attestation's name, for per-attestation checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    pub passed: bool,
    /// Failure code (absent when passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    pub message: String,
    /// What would fix it (absent when passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The evidence the check used (`bundle.intoto.jsonl:3`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sources: Vec<String>,
}

/// One policy's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyResult {
    pub name: String,
    /// `file:line` of the policy.
    pub source: String,
    pub mode: Mode,
    /// Whether this policy admits the artifact (always true in `warn` mode).
    pub admitted: bool,
    pub checks: Vec<Check>,
}

/// The artifact as the verdict names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictArtifact {
    pub name: String,
    pub digest: String,
}

/// A failed check, flattened for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Failure {
    /// The policy (absent for `no-matching-policy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    pub code: Code,
    pub message: String,
    pub fix: String,
}

/// The decision on one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Verdict {
    /// `vouch.dev/verdict/v1`.
    pub api_version: String,
    pub artifact: VerdictArtifact,
    pub decision: Decision,
    /// RFC 3339 time the evaluation used as "now".
    pub evaluated_at: String,
    pub policies: Vec<PolicyResult>,
    /// Failed checks of `enforce` policies: why it was denied.
    pub failures: Vec<Failure>,
    /// Failed checks of `warn` policies.
    pub warnings: Vec<Failure>,
}

/// `apiVersion` of verdicts.
pub const VERDICT_VERSION: &str = "vouch.dev/verdict/v1";

impl Verdict {
    pub fn admitted(&self) -> bool {
        self.decision == Decision::Admitted
    }

    /// A human-readable report: the decision, then one line per failure with its fix.
    pub fn render_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let what = match self.decision {
            Decision::Admitted => "admitted",
            Decision::Denied => "DENIED",
        };
        let names: Vec<&str> = self.policies.iter().map(|p| p.name.as_str()).collect();
        let _ = writeln!(
            s,
            "{what}: {} ({}){}",
            self.artifact.name,
            self.artifact.digest,
            if names.is_empty() {
                String::new()
            } else {
                format!(" under policy {}", names.join(", "))
            }
        );
        for p in &self.policies {
            for c in p.checks.iter().filter(|c| c.passed) {
                let _ = writeln!(s, "  ok    [{}] {}", p.name, c.message);
            }
        }
        for (label, list) in [("FAIL", &self.failures), ("warn", &self.warnings)] {
            for f in list {
                let code = serde_json::to_value(f.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let policy = f
                    .policy
                    .as_deref()
                    .map(|p| format!("[{p}] "))
                    .unwrap_or_default();
                let _ = writeln!(s, "  {label:<5} {policy}{code}: {}", f.message);
                let _ = writeln!(s, "        fix: {}", f.fix);
            }
        }
        s
    }
}
