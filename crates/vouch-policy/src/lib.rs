//! Policies and their evaluation: a pure function from policy and evidence to a verdict.
//!
//! A policy file (YAML, `schemas/policy.schema.json`, documented in `docs/policy.md`) says
//! which artifacts or images a policy applies to, who must have signed (keys and keyless
//! identities, k of n, named required signers), which attestations must be present with
//! which Rego conditions, how old they may be, and whether the attested SBOM must be re-scanned
//! at deploy time. [`PolicySet::parse`] checks everything checkable up front — unknown keys,
//! globs, durations and Rego syntax — and names the line.
//!
//! The design choice: [`evaluate`] is pure. It reads no file, no clock and no network: the
//! caller verifies signatures, re-scans SBOMs and passes the results as [`Evidence`], and
//! passes `now`. The CLI, the image verifier and the admission webhook share it, and the same
//! inputs always give the same [`Verdict`].

mod eval;
mod evidence;
mod load;
mod model;
mod verdict;
mod yaml;

pub use eval::{evaluate, evaluate_image, evaluate_policy, unmatched, ANY_PREDICATE_TYPE};
pub use evidence::{
    Artifact, Evidence, Rejected, RescanFinding, RescanResult, Signer, VerifiedStatement,
};
pub use load::{key_fingerprint, parse_duration, PolicyError, VERSION};
pub use model::{
    Condition, Mode, Namespaces, NoMatch, PlatformScope, Policy, PolicySet, RequiredAttestation,
    Rescan, Severity, Signers, TriageFile, TrustedIdentity, TrustedKey,
};
pub use verdict::{
    Check, Code, Decision, Failure, PolicyResult, Verdict, VerdictArtifact, VERDICT_VERSION,
};

/// A policy file as JSON (for validating it against `schemas/policy.schema.json`).
pub fn policy_file_to_json(text: &str) -> Option<serde_json::Value> {
    yaml::parse(text).ok()?.first().map(yaml::Node::to_json)
}
