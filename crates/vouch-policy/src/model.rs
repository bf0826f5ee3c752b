//! The policy model: what a loaded, validated policy file holds.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What happens when a policy's checks fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Deny the artifact.
    #[default]
    Enforce,
    /// Admit it with warnings.
    Warn,
}

/// For images: what must carry the evidence when the reference names a multi-platform index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlatformScope {
    /// The index itself (what `cosign sign` on a tag signs).
    Index,
    /// Every platform manifest the index lists (what `cosign sign --recursive` adds).
    Each,
}

/// Vulnerability severity, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Parses `low`, `medium` (or `moderate`), `high`, `critical`, any case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Self::Low),
            "medium" | "moderate" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trusted public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    pub name: String,
    /// Inline PEM, or the content of `path` once the caller has loaded it.
    pub pem: Option<String>,
    /// A path to a PEM file, relative to the policy file; loaded by the caller
    /// ([`crate::PolicySet::load_key_files`]).
    pub path: Option<String>,
    /// `sha256:<hex>` of the key's DER SubjectPublicKeyInfo, known once `pem` is.
    pub fingerprint: Option<String>,
    /// This signer must be among those who signed.
    pub required: bool,
    pub line: usize,
}

/// A trusted keyless (Fulcio certificate) identity.
#[derive(Debug, Clone)]
pub struct TrustedIdentity {
    pub name: String,
    /// OIDC issuer, matched exactly.
    pub issuer: String,
    /// Certificate SAN, matched as a glob (`*` does not cross `/`; `**` does).
    pub subject: String,
    pub(crate) subject_glob: globset::GlobMatcher,
    pub required: bool,
    pub line: usize,
}

/// Who may sign, and how many must.
#[derive(Debug, Clone)]
pub struct Signers {
    pub keys: Vec<TrustedKey>,
    pub identities: Vec<TrustedIdentity>,
    /// k of n: at least this many distinct trusted signers.
    pub threshold: usize,
}

/// A compiled Rego condition.
#[derive(Clone)]
pub struct Condition {
    pub source: String,
    /// `data.<package>`.
    pub package: String,
    pub(crate) engine: regorus::Engine,
    pub(crate) has_deny: bool,
    pub line: usize,
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("package", &self.package)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// A required attestation.
#[derive(Debug, Clone)]
pub struct RequiredAttestation {
    /// A short name for messages (defaults to the predicate type).
    pub name: String,
    pub predicate_type: String,
    pub condition: Option<Condition>,
    /// Whether the attestation must record a passing result (`requirePassed`): vouch's pins
    /// predicate its `passed`, the vuln predicate no finding at or above the threshold. `None`
    /// means the default: on for the pins predicate, off otherwise.
    pub require_passed: Option<bool>,
    /// For the vuln predicate: the severity at or above which a finding fails it (`failOn`);
    /// `None` takes the policy's `rescan.failOn`, else any finding fails.
    pub fail_on: Option<Severity>,
    pub line: usize,
}

/// The deploy-time re-scan requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rescan {
    /// Deny when the re-scan finds anything at or above this severity.
    pub fail_on: Severity,
    /// Whether findings with no known severity count as failing.
    pub fail_on_unknown: bool,
    /// `ignoreFile`: ignored advisories (reason and expiry) applied to the re-scan, as
    /// `vouch scan --ignore-file` applies them.
    pub ignore_file: Option<TriageFile>,
    /// `vex`: OpenVEX documents whose `not_affected`/`fixed` statements suppress findings.
    pub vex: Vec<TriageFile>,
}

/// A file a policy's `rescan` names for triage: the path as written (relative to the policy
/// file) and, once [`crate::PolicySet::load_key_files`] has read it, its text. The verifier
/// parses it (vouch-osv's triage); the policy only carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageFile {
    pub path: String,
    pub text: Option<String>,
    pub line: usize,
}

/// One policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    /// `file:line` where the policy starts.
    pub source: String,
    pub mode: Mode,
    /// Glob patterns, as written.
    pub matches: Vec<String>,
    pub(crate) match_set: globset::GlobSet,
    /// Whether each pattern has a `/` (then it is matched against the whole name, else against
    /// the last path component too).
    pub(crate) match_full: globset::GlobSet,
    pub signers: Signers,
    pub attestations: Vec<RequiredAttestation>,
    /// Maximum age of an attestation.
    pub max_age: Option<time::Duration>,
    pub max_age_text: Option<String>,
    pub rescan: Option<Rescan>,
    /// For multi-platform images: whether the index or each platform manifest must carry the
    /// evidence. `None` leaves it to the verifier's default (the index).
    pub platforms: Option<PlatformScope>,
}

impl Policy {
    /// Whether this policy applies to an artifact or image named `name`.
    ///
    /// Patterns with a `/` match the whole name; patterns without one match the whole name or
    /// its last path component (as in `.gitignore`).
    pub fn applies_to(&self, name: &str) -> bool {
        let name = name.replace('\\', "/");
        if self.match_full.is_match(&name) {
            return true;
        }
        let base = name.rsplit('/').next().unwrap_or(&name);
        self.match_set.is_match(base)
    }
}

/// What happens to an artifact or image that no policy's `match` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum NoMatch {
    /// Deny it (`no-matching-policy`).
    #[default]
    Deny,
    /// Admit it with a `no-matching-policy` warning.
    Warn,
    /// Admit it silently.
    Allow,
}

impl NoMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Warn => "warn",
            Self::Allow => "allow",
        }
    }
}

/// Which Kubernetes namespaces the admission webhook checks (names, as globs). The API server
/// sends no namespace labels in an AdmissionReview: selecting namespaces by label is done by
/// the webhook configurations' `namespaceSelector` (see `deploy/`).
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    /// Globs; empty means every namespace.
    pub include: Vec<String>,
    /// Globs; a namespace matching one is not checked (its requests are admitted).
    pub exclude: Vec<String>,
    pub(crate) include_set: Option<globset::GlobSet>,
    pub(crate) exclude_set: Option<globset::GlobSet>,
}

impl Namespaces {
    /// Whether requests in `namespace` are checked. Requests without a namespace
    /// (cluster-scoped objects) are always checked.
    pub fn checks(&self, namespace: Option<&str>) -> bool {
        let Some(ns) = namespace.filter(|n| !n.is_empty()) else {
            return true;
        };
        if self.exclude_set.as_ref().is_some_and(|s| s.is_match(ns)) {
            return false;
        }
        self.include_set.as_ref().is_none_or(|s| s.is_match(ns))
    }
}

/// The policies of one file.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// The file name policies were read from (for messages).
    pub file: String,
    pub policies: Vec<Policy>,
    /// What happens to what no policy matches (`noMatch`, default `deny`).
    pub no_match: NoMatch,
    /// Whether the admission webhook admits only digest-pinned image references
    /// (`requireDigest`, default on). Its mutating endpoint pins tags to the verified digest.
    pub require_digest: bool,
    /// Which namespaces the admission webhook checks (`namespaces`).
    pub namespaces: Namespaces,
}
