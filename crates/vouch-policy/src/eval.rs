//! Evaluation: `(policy, evidence, now) → verdict`, pure and deterministic.

use vouch_attest::predicate::same_type;

use crate::evidence::{Evidence, Signer, VerifiedStatement};
use crate::model::{Condition, Mode, NoMatch, Policy, PolicySet, RequiredAttestation};
use crate::verdict::{
    Check, Code, Decision, Failure, PolicyResult, Verdict, VerdictArtifact, VERDICT_VERSION,
};

/// How far in the future an attestation's time may be (clock skew) before its age is unknown.
const FUTURE_SKEW: time::Duration = time::Duration::minutes(5);

/// The predicate type that accepts any statement (used by the `--key` shorthand).
pub const ANY_PREDICATE_TYPE: &str = "*";

fn pass(check: &str, attestation: Option<&str>, message: String, sources: Vec<String>) -> Check {
    Check {
        check: check.to_owned(),
        attestation: attestation.map(str::to_owned),
        passed: true,
        code: None,
        message,
        fix: None,
        sources,
    }
}

fn fail(
    check: &str,
    attestation: Option<&str>,
    code: Code,
    message: String,
    fix: String,
    sources: Vec<String>,
) -> Check {
    Check {
        check: check.to_owned(),
        attestation: attestation.map(str::to_owned),
        passed: false,
        code: Some(code),
        message,
        fix: Some(fix),
        sources,
    }
}

/// The names of this policy's signers among `signers`.
fn trusted_names<'p>(policy: &'p Policy, signers: &[Signer]) -> Vec<&'p str> {
    let mut names = Vec::new();
    for k in &policy.signers.keys {
        let hit = signers.iter().any(|s| {
            matches!(s, Signer::Key { fingerprint } if Some(fingerprint) == k.fingerprint.as_ref())
        });
        if hit {
            names.push(k.name.as_str());
        }
    }
    for id in &policy.signers.identities {
        let hit = signers.iter().any(|s| {
            matches!(s, Signer::Identity { issuer, subject }
                if *issuer == id.issuer && id.subject_glob.is_match(subject))
        });
        if hit {
            names.push(id.name.as_str());
        }
    }
    names
}

/// The signers of some statements, for messages.
fn describe_signers(statements: &[&VerifiedStatement]) -> String {
    let mut out: Vec<String> = statements
        .iter()
        .flat_map(|s| s.signers.iter())
        .map(|s| match s {
            Signer::Key { fingerprint } => format!("key {fingerprint}"),
            Signer::Identity { issuer, subject } => format!("{subject} (issuer {issuer})"),
        })
        .collect();
    out.sort();
    out.dedup();
    out.join(", ")
}

fn required_names(policy: &Policy) -> Vec<&str> {
    policy
        .signers
        .keys
        .iter()
        .filter(|k| k.required)
        .map(|k| k.name.as_str())
        .chain(
            policy
                .signers
                .identities
                .iter()
                .filter(|i| i.required)
                .map(|i| i.name.as_str()),
        )
        .collect()
}

/// Whether a signer is one of the policy's.
fn is_trusted(policy: &Policy, signer: &Signer) -> bool {
    match signer {
        Signer::Key { fingerprint } => policy
            .signers
            .keys
            .iter()
            .any(|k| k.fingerprint.as_ref() == Some(fingerprint)),
        Signer::Identity { issuer, subject } => policy
            .signers
            .identities
            .iter()
            .any(|i| i.issuer == *issuer && i.subject_glob.is_match(subject)),
    }
}

/// The `vouch attest` flags that produce a statement of `predicate_type`.
fn producer_flags(predicate_type: &str) -> String {
    use vouch_attest::predicate::{
        COSIGN_VULN, CYCLONEDX, SLSA_PROVENANCE_V1, SPDX, VOUCH_LOCKFILE_CHANGE, VOUCH_PINS,
    };
    let flags = [
        (SLSA_PROVENANCE_V1, "--provenance"),
        (CYCLONEDX, "--sbom"),
        (SPDX, "--sbom --sbom-format spdx"),
        (COSIGN_VULN, "--scan"),
        (VOUCH_PINS, "--pins"),
        (VOUCH_LOCKFILE_CHANGE, "--lockfile-diff RECORD"),
    ];
    match flags.iter().find(|(t, _)| same_type(t, predicate_type)) {
        Some((_, flags)) => (*flags).to_owned(),
        None if predicate_type == ANY_PREDICATE_TYPE => "--predicate FILE --type URI".to_owned(),
        None => format!("--predicate FILE --type {predicate_type}"),
    }
}

/// k of n counts distinct signers in the evidence (one key listed twice, or one certificate
/// matching two identity entries, is still one signer), and every required entry must match.
fn meets_threshold(policy: &Policy, signers: &[Signer]) -> bool {
    let mut distinct: Vec<&Signer> = Vec::new();
    for s in signers.iter().filter(|s| is_trusted(policy, s)) {
        if !distinct.contains(&s) {
            distinct.push(s);
        }
    }
    let names = trusted_names(policy, signers);
    distinct.len() >= policy.signers.threshold
        && required_names(policy).iter().all(|r| names.contains(r))
}

fn type_matches(required: &str, actual: &str) -> bool {
    required == ANY_PREDICATE_TYPE || same_type(required, actual)
}

/// Evaluates a Rego condition; `Ok(None)` when it allows, `Ok(Some(reasons))` when not.
fn run_condition(cond: &Condition, st: &VerifiedStatement) -> Result<Option<Vec<String>>, String> {
    let mut engine = cond.engine.clone();
    let input = regorus::Value::from_json_str(&st.statement.to_value().to_string())
        .map_err(|e| e.to_string())?;
    engine.set_input(input);
    let allow = engine
        .eval_rule(format!("{}.allow", cond.package))
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_owned())?;
    let mut reasons = Vec::new();
    if cond.has_deny {
        if let Ok(deny) = engine.eval_rule(format!("{}.deny", cond.package)) {
            if let Ok(set) = deny.as_set() {
                for v in set {
                    reasons.push(
                        v.as_string()
                            .map_or_else(|_| v.to_string(), std::string::ToString::to_string),
                    );
                }
            }
        }
    }
    if allow == regorus::Value::from(true) && reasons.is_empty() {
        Ok(None)
    } else {
        Ok(Some(reasons))
    }
}

fn human_age(d: time::Duration) -> String {
    let s = d.whole_seconds();
    if s >= 2 * 86_400 {
        format!("{} days", s / 86_400)
    } else if s >= 7200 {
        format!("{} hours", s / 3600)
    } else if s >= 120 {
        format!("{} minutes", s / 60)
    } else {
        format!("{s} seconds")
    }
}

/// cosign v3's predicate type for an image signature (vouch-verify reports verified `.sig`
/// signatures as statements of it).
const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// What the evidence is about: the fixes name the command that makes its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    /// A file (`vouch attest FILE`, `vouch release`).
    File,
    /// A container image (`vouch sign image`, `vouch attest image`).
    Image,
}

/// The short name `vouch attest image --type` takes for a predicate type.
fn short_type(predicate_type: &str) -> String {
    use vouch_attest::predicate::{
        COSIGN_VULN, CYCLONEDX, SLSA_PROVENANCE_V1, SPDX, VOUCH_LOCKFILE_CHANGE, VOUCH_PINS,
    };
    [
        (SLSA_PROVENANCE_V1, "slsaprovenance"),
        (CYCLONEDX, "cyclonedx"),
        (SPDX, "spdx"),
        (COSIGN_VULN, "vuln"),
        (VOUCH_PINS, "pins"),
        (VOUCH_LOCKFILE_CHANGE, "lockfile-change"),
    ]
    .iter()
    .find(|(t, _)| same_type(t, predicate_type))
    .map_or_else(|| predicate_type.to_owned(), |(_, s)| (*s).to_owned())
}

/// How to make a missing attestation of `req` about the subject.
fn attest_fix(subject: Subject, req: &RequiredAttestation, artifact: &str, digest: &str) -> String {
    match subject {
        Subject::File => format!(
            "attest it: `vouch attest {artifact} {} --key KEY --bundle B` (or `vouch release`), and pass that bundle",
            producer_flags(&req.predicate_type)
        ),
        Subject::Image if req.predicate_type == COSIGN_SIGN_PREDICATE => {
            format!("sign the image: `vouch sign image {artifact}@{digest} --key KEY`")
        }
        Subject::Image if req.predicate_type == ANY_PREDICATE_TYPE => format!(
            "sign or attest the image: `vouch sign image {artifact}@{digest} --key KEY`"
        ),
        Subject::Image => format!(
            "attest the image: `vouch attest image {artifact}@{digest} --predicate FILE --type {} --key KEY`",
            short_type(&req.predicate_type)
        ),
    }
}

fn attestation_checks(
    policy: &Policy,
    req: &RequiredAttestation,
    evidence: &Evidence,
    now: time::OffsetDateTime,
    subject: Subject,
    checks: &mut Vec<Check>,
) {
    let name = Some(req.name.as_str());
    let digest = &evidence.artifact.digest;
    let artifact = &evidence.artifact.name;
    let wanted = if req.predicate_type == ANY_PREDICATE_TYPE {
        "an attestation".to_owned()
    } else {
        format!("a `{}` attestation", req.predicate_type)
    };
    let of_type: Vec<&VerifiedStatement> = evidence
        .statements
        .iter()
        .filter(|s| type_matches(&req.predicate_type, &s.statement.predicate_type))
        .collect();
    let covering: Vec<&VerifiedStatement> = of_type
        .iter()
        .copied()
        .filter(|s| s.statement.covers(digest))
        .collect();
    if covering.is_empty() {
        let rejected: Vec<String> = evidence
            .rejected
            .iter()
            .filter(|r| {
                r.claimed_predicate_type
                    .as_deref()
                    .is_some_and(|t| type_matches(&req.predicate_type, t))
            })
            .map(|r| format!("{} ({})", r.source, r.reason))
            .collect();
        let check = if !of_type.is_empty() {
            let others: Vec<String> = of_type
                .iter()
                .flat_map(|s| s.statement.subject.iter())
                .filter_map(|s| {
                    s.digest
                        .get("sha256")
                        .map(|h| format!("{} sha256:{h}", s.name))
                })
                .collect();
            fail(
                "attestation",
                name,
                Code::SubjectMismatch,
                format!(
                    "{wanted} was verified, but for other digest(s) ({}); `{artifact}` is {digest}",
                    others.join(", ")
                ),
                "deploy the exact artifact that was attested, or attest this one (its content changed since it was attested)".to_owned(),
                of_type.iter().map(|s| s.source.clone()).collect(),
            )
        } else if !rejected.is_empty() {
            fail(
                "attestation",
                name,
                Code::UntrustedSigner,
                format!(
                    "{wanted} is present but its signature does not verify with any key or identity policy `{}` trusts: {}",
                    policy.name,
                    rejected.join("; ")
                ),
                format!(
                    "sign the attestation with a key the policy trusts, or add its signer to `signers` of policy `{}`",
                    policy.name
                ),
                Vec::new(),
            )
        } else {
            fail(
                "attestation",
                name,
                Code::AttestationMissing,
                {
                    // Lines whose payload names no type (blob signatures, unreadable
                    // payloads) are said, so passing the wrong file is not a mystery.
                    let untyped: Vec<String> = evidence
                        .rejected
                        .iter()
                        .filter(|r| r.claimed_predicate_type.is_none())
                        .map(|r| format!("{} ({})", r.source, r.reason))
                        .collect();
                    format!(
                        "no {} about `{artifact}` ({digest}) in the evidence{}",
                        wanted
                            .strip_prefix("an ")
                            .or_else(|| wanted.strip_prefix("a "))
                            .unwrap_or(&wanted),
                        if untyped.is_empty() {
                            String::new()
                        } else {
                            format!("; not attestations: {}", untyped.join("; "))
                        }
                    )
                },
                attest_fix(subject, req, artifact, &digest.to_string()),
                Vec::new(),
            )
        };
        checks.push(check);
        return;
    }
    let trusted: Vec<&VerifiedStatement> = covering
        .iter()
        .copied()
        .filter(|s| meets_threshold(policy, &s.signers))
        .collect();
    if trusted.is_empty() {
        let best = covering
            .iter()
            .map(|s| trusted_names(policy, &s.signers))
            .max_by_key(Vec::len)
            .unwrap_or_default();
        let required = required_names(policy);
        let (code, message) = if best.is_empty() {
            (
                Code::UntrustedSigner,
                format!(
                    "{wanted} about `{artifact}` is signed, but by no key or identity policy `{}` trusts (signed by {})",
                    policy.name,
                    describe_signers(&covering)
                ),
            )
        } else {
            (
                Code::SignerThreshold,
                format!(
                    "{wanted} about `{artifact}` is signed by {} but policy `{}` needs {} of its signers{}",
                    best.join(", "),
                    policy.name,
                    policy.signers.threshold,
                    if required.is_empty() {
                        String::new()
                    } else {
                        format!(" including {}", required.join(", "))
                    }
                ),
            )
        };
        checks.push(fail(
            "signers",
            name,
            code,
            message,
            format!(
                "have the missing trusted signers sign the attestation, or change `signers` of policy `{}`",
                policy.name
            ),
            covering.iter().map(|s| s.source.clone()).collect(),
        ));
        return;
    }
    checks.push(pass(
        "attestation",
        name,
        format!("{wanted} about `{artifact}` signed by trusted signers"),
        trusted.iter().map(|s| s.source.clone()).collect(),
    ));

    // Condition and age: admitted if any one trusted statement passes both; otherwise report
    // the newest one's failures.
    let mut results: Vec<(Option<time::OffsetDateTime>, Vec<Check>)> = Vec::new();
    for st in &trusted {
        let mut cs = Vec::new();
        let src = vec![st.source.clone()];
        if let Some(cond) = &req.condition {
            match run_condition(cond, st) {
                Ok(None) => cs.push(pass(
                    "condition",
                    name,
                    format!("Rego condition of `{}` allows {}", req.name, st.source),
                    src.clone(),
                )),
                Ok(Some(reasons)) => cs.push(fail(
                    "condition",
                    name,
                    Code::ConditionFailed,
                    if reasons.is_empty() {
                        format!(
                            "Rego condition of `{}` (policy line {}) does not allow the statement at {}",
                            req.name, cond.line, st.source
                        )
                    } else {
                        format!(
                            "Rego condition of `{}` denies the statement at {}: {}",
                            req.name,
                            st.source,
                            reasons.join("; ")
                        )
                    },
                    "rebuild so the attested facts meet the condition, or correct the condition in the policy".to_owned(),
                    src.clone(),
                )),
                Err(e) => cs.push(fail(
                    "condition",
                    name,
                    Code::ConditionError,
                    format!("Rego condition of `{}` failed to evaluate on {}: {e}", req.name, st.source),
                    "fix the Rego condition so it evaluates on this statement".to_owned(),
                    src.clone(),
                )),
            }
        }
        if let Some(c) = passed_check(policy, req, st) {
            cs.push(c);
        }
        let when = st.signed_at.or_else(|| st.statement.issued_at());
        if let Some(max) = policy.max_age {
            let max_text = policy.max_age_text.clone().unwrap_or_default();
            match when {
                None => cs.push(fail(
                    "max-age",
                    name,
                    Code::AttestationTimeUnknown,
                    format!("the statement at {} records no time, so `maxAge: {max_text}` cannot be checked", st.source),
                    "attest with a predicate that records its time (vouch's do), or with a transparency-log or timestamp-authority signature".to_owned(),
                    src.clone(),
                )),
                Some(t) if t - now > FUTURE_SKEW => cs.push(fail(
                    "max-age",
                    name,
                    Code::AttestationTimeUnknown,
                    format!(
                        "the statement at {} claims to be made at {}, in the future, so its age is unknown",
                        st.source,
                        vouch_attest::rfc3339(t)
                    ),
                    "check the clock of the machine that attested, and attest again".to_owned(),
                    src.clone(),
                )),
                Some(t) if now - t > max => cs.push(fail(
                    "max-age",
                    name,
                    Code::AttestationTooOld,
                    format!(
                        "the statement at {} was made {} ({} ago), older than `maxAge: {max_text}`",
                        st.source,
                        vouch_attest::rfc3339(t),
                        human_age(now - t)
                    ),
                    match subject {
                        Subject::File => "attest again (re-run `vouch release`) or raise `maxAge`".to_owned(),
                        Subject::Image => format!(
                            "attest the image again (`vouch attest image {artifact}@{digest} …`) or raise `maxAge`"
                        ),
                    },
                    src.clone(),
                )),
                Some(t) => cs.push(pass(
                    "max-age",
                    name,
                    format!("{} made {}, within `maxAge: {max_text}`", st.source, vouch_attest::rfc3339(t)),
                    src.clone(),
                )),
            }
        }
        results.push((when, cs));
    }
    if let Some((_, cs)) = results.iter().find(|(_, cs)| cs.iter().all(|c| c.passed)) {
        checks.extend(cs.iter().cloned());
        return;
    }
    let newest = results
        .into_iter()
        .max_by_key(|(when, _)| *when)
        .map(|(_, cs)| cs)
        .unwrap_or_default();
    checks.extend(newest);
}

/// `requirePassed`: whether the statement records a passing result. `None` when the
/// requirement is off for this attestation or its predicate type has no result to check.
fn passed_check(
    policy: &Policy,
    req: &RequiredAttestation,
    st: &VerifiedStatement,
) -> Option<Check> {
    use vouch_attest::predicate::{COSIGN_VULN, VOUCH_PINS};
    let ty = &st.statement.predicate_type;
    let is_pins = same_type(VOUCH_PINS, ty);
    let is_vuln = same_type(COSIGN_VULN, ty);
    if !req.require_passed.unwrap_or(is_pins) || !(is_pins || is_vuln) {
        return None;
    }
    let name = Some(req.name.as_str());
    let src = vec![st.source.clone()];
    let predicate = &st.statement.predicate;
    if is_pins {
        return Some(
            match predicate.get("passed").and_then(serde_json::Value::as_bool) {
                Some(true) => pass(
                    "passed",
                    name,
                    format!("the pins report at {} passed", st.source),
                    src,
                ),
                Some(false) => {
                    let findings = predicate
                        .pointer("/report/findings")
                        .and_then(serde_json::Value::as_array)
                        .map_or(0, Vec::len);
                    fail(
                    "passed",
                    name,
                    Code::AttestationFailed,
                    format!(
                        "the pins report at {} did not pass ({findings} findings recorded)",
                        st.source
                    ),
                    "pin what `vouch pins` reports (or record a reasoned exception) and attest again".to_owned(),
                    src,
                )
                }
                None => fail(
                    "passed",
                    name,
                    Code::AttestationFailed,
                    format!(
                        "the pins predicate at {} records no `passed` result",
                        st.source
                    ),
                    "attest the report `vouch pins --format json` writes (`vouch attest --pins`)"
                        .to_owned(),
                    src,
                ),
            },
        );
    }
    // The vuln predicate: vouch's scan report in `scanner.result` (`findings[].severity.level`).
    let (threshold, unknown_fails) = match (req.fail_on, &policy.rescan) {
        (Some(s), r) => (Some(s), r.as_ref().is_some_and(|r| r.fail_on_unknown)),
        (None, Some(r)) => (Some(r.fail_on), r.fail_on_unknown),
        (None, None) => (None, true),
    };
    let Some(findings) = predicate
        .pointer("/scanner/result/findings")
        .and_then(serde_json::Value::as_array)
    else {
        return Some(fail(
            "passed",
            name,
            Code::AttestationFailed,
            format!(
                "the scan at {} has no findings list in `scanner.result`, so it cannot be shown to pass",
                st.source
            ),
            "attest the report `vouch scan --format json` writes (`vouch attest --scan`)".to_owned(),
            src,
        ));
    };
    let mut failing: Vec<String> = Vec::new();
    for f in findings {
        let flag = |k: &str| {
            f.get(k)
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
        };
        if flag("suppressed") || flag("informational") {
            continue;
        }
        let level = f
            .pointer("/severity/level")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown");
        let fails = match (crate::model::Severity::parse(level), threshold) {
            (Some(s), Some(t)) => s >= t,
            (Some(_), None) => true,
            (None, _) if level == "none" => threshold.is_none(),
            (None, _) => unknown_fails,
        };
        if fails {
            let id = f
                .get("id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            let package = f
                .pointer("/package/name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            failing.push(format!("{id} ({package}, {level})"));
        }
    }
    let at = threshold.map_or_else(|| "any severity".to_owned(), |t| format!("{t} or above"));
    Some(if failing.is_empty() {
        pass(
            "passed",
            name,
            format!("the scan at {} records no finding at {at}", st.source),
            src,
        )
    } else {
        let shown: Vec<&str> = failing.iter().take(5).map(String::as_str).collect();
        fail(
            "passed",
            name,
            Code::AttestationFailed,
            format!(
                "the scan at {} records {} findings at {at}: {}{}",
                st.source,
                failing.len(),
                shown.join(", "),
                if failing.len() > shown.len() { ", …" } else { "" }
            ),
            "upgrade the vulnerable packages (or record a reasoned, expiring ignore) and scan and attest again".to_owned(),
            src,
        )
    })
}

fn rescan_checks(policy: &Policy, evidence: &Evidence, subject: Subject, checks: &mut Vec<Check>) {
    let Some(rule) = &policy.rescan else { return };
    let Some(rescan) = &evidence.rescan else {
        checks.push(fail(
            "rescan",
            None,
            Code::RescanMissing,
            format!(
                "policy `{}` requires a re-scan of the artifact's SBOM, but no verified SBOM attestation about `{}` was re-scanned",
                policy.name, evidence.artifact.name
            ),
            match subject {
                Subject::File => "attest a CycloneDX or SPDX SBOM of the artifact (`vouch release` does) and verify with a local OSV database".to_owned(),
                Subject::Image => format!(
                    "attest a CycloneDX or SPDX SBOM of the image (`vouch attest image {}@{} --predicate SBOM --type cyclonedx --key KEY`) and verify with a local OSV database",
                    evidence.artifact.name, evidence.artifact.digest
                ),
            },
            Vec::new(),
        ));
        return;
    };
    let bad: Vec<String> = rescan
        .findings
        .iter()
        .filter(|f| match f.severity {
            Some(s) => s >= rule.fail_on,
            None => rule.fail_on_unknown,
        })
        .map(|f| {
            format!(
                "{} in {} {} ({})",
                f.id,
                f.package,
                f.version,
                f.severity.map_or("unknown severity", |s| s.as_str())
            )
        })
        .collect();
    let src = vec![rescan.source.clone()];
    if bad.is_empty() {
        checks.push(pass(
            "rescan",
            None,
            format!(
                "re-scan of {} against {} finds nothing at or above {}",
                rescan.source, rescan.database, rule.fail_on
            ),
            src,
        ));
    } else {
        checks.push(fail(
            "rescan",
            None,
            Code::VulnerabilityFound,
            format!(
                "re-scan of {} against {} finds {} vulnerabilit{} at or above {}: {}",
                rescan.source,
                rescan.database,
                bad.len(),
                if bad.len() == 1 { "y" } else { "ies" },
                rule.fail_on,
                bad.join(", ")
            ),
            "upgrade the affected dependencies and release again".to_owned(),
            src,
        ));
    }
}

/// Evaluates one policy against the evidence about a file, as of `now`.
pub fn evaluate_policy(
    policy: &Policy,
    evidence: &Evidence,
    now: time::OffsetDateTime,
) -> PolicyResult {
    evaluate_policy_about(policy, evidence, now, Subject::File)
}

fn evaluate_policy_about(
    policy: &Policy,
    evidence: &Evidence,
    now: time::OffsetDateTime,
    subject: Subject,
) -> PolicyResult {
    let mut checks = Vec::new();
    for req in &policy.attestations {
        attestation_checks(policy, req, evidence, now, subject, &mut checks);
    }
    rescan_checks(policy, evidence, subject, &mut checks);
    let all_passed = checks.iter().all(|c| c.passed);
    PolicyResult {
        name: policy.name.clone(),
        source: policy.source.clone(),
        mode: policy.mode,
        admitted: all_passed || policy.mode == Mode::Warn,
        checks,
    }
}

/// The `no-matching-policy` finding for `name`.
fn no_matching_policy(set: &PolicySet, name: &str) -> Failure {
    Failure {
        policy: None,
        code: Code::NoMatchingPolicy,
        message: format!(
            "no policy in `{}` applies to `{}` (patterns: {})",
            set.file,
            name,
            set.policies
                .iter()
                .flat_map(|p| p.matches.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        fix: format!("add a policy whose `match` globs cover `{name}`"),
    }
}

/// The verdict on `name` when no policy of `set` applies to it, decided by `noMatch` alone
/// (no evidence needed, so an image no policy covers is decided without touching its
/// registry); `None` when a policy applies. `digest` is the artifact's digest when known.
pub fn unmatched(
    set: &PolicySet,
    name: &str,
    digest: Option<&str>,
    now: time::OffsetDateTime,
) -> Option<Verdict> {
    if !set.matching(name).is_empty() {
        return None;
    }
    let finding = no_matching_policy(set, name);
    let (decision, failures, warnings) = match set.no_match {
        NoMatch::Deny => (Decision::Denied, vec![finding], Vec::new()),
        NoMatch::Warn => (Decision::Admitted, Vec::new(), vec![finding]),
        NoMatch::Allow => (Decision::Admitted, Vec::new(), Vec::new()),
    };
    Some(Verdict {
        api_version: VERDICT_VERSION.to_owned(),
        artifact: VerdictArtifact {
            name: name.to_owned(),
            digest: digest.unwrap_or_default().to_owned(),
        },
        decision,
        evaluated_at: vouch_attest::rfc3339(now),
        policies: Vec::new(),
        failures,
        warnings,
    })
}

/// Evaluates every policy of `set` that applies to the artifact. Admitted when at least one
/// applies and all that apply admit it; an artifact no policy matches is decided by the set's
/// `noMatch` (denied by default).
pub fn evaluate(set: &PolicySet, evidence: &Evidence, now: time::OffsetDateTime) -> Verdict {
    evaluate_about(set, evidence, now, Subject::File)
}

/// [`evaluate`] for evidence about a container image: the same decision, with fixes that name
/// the image commands (`vouch sign image`, `vouch attest image`), which is what a `kubectl`
/// user shown a denial can run.
pub fn evaluate_image(set: &PolicySet, evidence: &Evidence, now: time::OffsetDateTime) -> Verdict {
    evaluate_about(set, evidence, now, Subject::Image)
}

fn evaluate_about(
    set: &PolicySet,
    evidence: &Evidence,
    now: time::OffsetDateTime,
    subject: Subject,
) -> Verdict {
    let digest = evidence.artifact.digest.to_string();
    if let Some(v) = unmatched(set, &evidence.artifact.name, Some(&digest), now) {
        return v;
    }
    let artifact = VerdictArtifact {
        name: evidence.artifact.name.clone(),
        digest,
    };
    let matching = set.matching(&evidence.artifact.name);
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    let policies: Vec<PolicyResult> = matching
        .iter()
        .map(|p| evaluate_policy_about(p, evidence, now, subject))
        .collect();
    for r in &policies {
        for c in r.checks.iter().filter(|c| !c.passed) {
            let f = Failure {
                policy: Some(r.name.clone()),
                code: c.code.unwrap_or(Code::AttestationMissing),
                message: c.message.clone(),
                fix: c.fix.clone().unwrap_or_default(),
            };
            match r.mode {
                Mode::Enforce => failures.push(f),
                Mode::Warn => warnings.push(f),
            }
        }
    }
    let decision = if !matching.is_empty() && policies.iter().all(|p| p.admitted) {
        Decision::Admitted
    } else {
        Decision::Denied
    };
    Verdict {
        api_version: VERDICT_VERSION.to_owned(),
        artifact,
        decision,
        evaluated_at: vouch_attest::rfc3339(now),
        policies,
        failures,
        warnings,
    }
}
