//! Policy loading (errors with lines), evaluation (each denial with its own code) and the
//! verdict / policy schemas.

use base64::Engine as _;
use serde_json::json;
use vouch_attest::{Statement, Subject};
use vouch_policy::{
    evaluate, Artifact, Code, Decision, Evidence, PolicyError, PolicySet, Rejected, RescanFinding,
    RescanResult, Severity, Signer, VerifiedStatement,
};

const PROVENANCE: &str = "https://slsa.dev/provenance/v1";
const CYCLONEDX: &str = "https://cyclonedx.org/bom";

fn pem(der: &[u8]) -> String {
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

fn policy_text(key_pem: &str) -> String {
    let mut indented = String::new();
    for l in key_pem.lines() {
        indented.push_str("            ");
        indented.push_str(l);
        indented.push('\n');
    }
    format!(
        r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: release
    match: ["dist/*", "tool-*"]
    signers:
      keys:
        - name: ci
          publicKey: |
{indented}    attestations:
      - name: provenance
        predicateType: slsaprovenance
        condition: |
          package vouch
          allow if input.predicate.runDetails.builder.id == "https://ci.example/builder"
      - name: sbom
        predicateType: cyclonedx
    maxAge: 7d
    rescan:
      failOn: critical
"#
    )
}

fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-01-10 12:00 UTC)
}

fn statement(ty: &str, digest: &vouch_core::Digest, predicate: serde_json::Value) -> Statement {
    Statement::new(vec![Subject::new("tool-linux", digest)], ty, predicate)
}

fn provenance(builder: &str, finished: &str) -> serde_json::Value {
    json!({
        "buildDefinition": {"buildType": "https://vouch.dev/attestation/buildtypes/release/v1", "externalParameters": {}},
        "runDetails": {"builder": {"id": builder}, "metadata": {"finishedOn": finished}}
    })
}

fn sbom(ts: &str) -> serde_json::Value {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"timestamp": ts}, "components": []})
}

struct Case {
    set: PolicySet,
    key: Signer,
    evidence: Evidence,
}

fn case() -> Case {
    let der = b"not really a key, but fingerprints only hash the DER";
    let set = PolicySet::parse("policy.yaml", &policy_text(&pem(der))).unwrap();
    let key = Signer::Key {
        fingerprint: vouch_attest::sha256(der).to_string(),
    };
    let digest = vouch_attest::sha256(b"the binary");
    let evidence = Evidence {
        artifact: Artifact {
            name: "dist/tool-linux".into(),
            digest: digest.clone(),
        },
        statements: vec![
            VerifiedStatement {
                source: "b.intoto.jsonl:1".into(),
                statement: statement(
                    PROVENANCE,
                    &digest,
                    provenance("https://ci.example/builder", "2026-01-09T10:00:00Z"),
                ),
                signers: vec![key.clone()],
                signed_at: None,
            },
            VerifiedStatement {
                source: "b.intoto.jsonl:2".into(),
                statement: statement(CYCLONEDX, &digest, sbom("2026-01-09T10:00:00Z")),
                signers: vec![key.clone()],
                signed_at: None,
            },
        ],
        rejected: vec![],
        rescan: Some(RescanResult {
            source: "b.intoto.jsonl:2".into(),
            database: "fixture db".into(),
            findings: vec![RescanFinding {
                id: "RUSTSEC-0000-0001".into(),
                package: "low-crate".into(),
                version: "1.0.0".into(),
                severity: Some(Severity::High),
            }],
        }),
    };
    Case { set, key, evidence }
}

fn codes(v: &vouch_policy::Verdict) -> Vec<Code> {
    v.failures.iter().map(|f| f.code).collect()
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = vouch_testkit::repo_root().join("schemas").join(name);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&s).unwrap()
}

fn assert_verdict_schema(v: &vouch_policy::Verdict) {
    let json = serde_json::to_value(v).unwrap();
    let validator = schema("verdict.schema.json");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "verdict does not match its schema: {errors:?}\n{json:#}"
    );
}

#[test]
fn admits_when_every_check_passes() {
    let c = case();
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(v.decision, Decision::Admitted, "{}", v.render_text());
    assert!(v.failures.is_empty());
    let checks: Vec<&str> = v.policies[0]
        .checks
        .iter()
        .map(|c| c.check.as_str())
        .collect();
    assert_eq!(
        checks,
        [
            "attestation",
            "condition",
            "max-age",
            "attestation",
            "max-age",
            "rescan"
        ]
    );
    assert_verdict_schema(&v);
}

#[test]
fn each_failure_has_its_own_code() {
    // Artifact changed: statements are about another digest.
    let mut c = case();
    c.evidence.artifact.digest = vouch_attest::sha256(b"the binary!");
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(v.decision, Decision::Denied);
    assert_eq!(codes(&v), [Code::SubjectMismatch, Code::SubjectMismatch]);
    assert_verdict_schema(&v);

    // Signed by a key the policy does not trust: the caller could not verify them.
    let mut c = case();
    c.evidence.rejected = c
        .evidence
        .statements
        .drain(..)
        .map(|s| Rejected {
            source: s.source,
            reason: "signature does not verify with any trusted key".into(),
            claimed_predicate_type: Some(s.statement.predicate_type),
        })
        .collect();
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(
        codes(&v)[..2],
        [Code::UntrustedSigner, Code::UntrustedSigner]
    );

    // Verified by some other key (trusted by another policy): untrusted here.
    let mut c = case();
    for s in &mut c.evidence.statements {
        s.signers = vec![Signer::Key {
            fingerprint: vouch_attest::sha256(b"other").to_string(),
        }];
    }
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::UntrustedSigner, Code::UntrustedSigner]);

    // Required attestation missing.
    let mut c = case();
    c.evidence.statements.remove(1);
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::AttestationMissing]);
    assert!(v.failures[0].message.contains(CYCLONEDX));

    // Rego condition false.
    let mut c = case();
    c.evidence.statements[0].statement.predicate =
        provenance("https://evil.example/builder", "2026-01-09T10:00:00Z");
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::ConditionFailed]);

    // Re-scan finds a critical vulnerability.
    let mut c = case();
    c.evidence.rescan.as_mut().unwrap().findings[0].severity = Some(Severity::Critical);
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::VulnerabilityFound]);
    assert!(v.failures[0].message.contains("RUSTSEC-0000-0001"));

    // Too old.
    let v = evaluate(
        &case().set,
        &case().evidence,
        now() + time::Duration::days(30),
    );
    assert_eq!(
        codes(&v),
        [Code::AttestationTooOld, Code::AttestationTooOld]
    );

    // A time in the future is no time at all.
    let v = evaluate(
        &case().set,
        &case().evidence,
        now() - time::Duration::days(2),
    );
    assert_eq!(
        codes(&v),
        [Code::AttestationTimeUnknown, Code::AttestationTimeUnknown]
    );

    // No policy matches.
    let mut c = case();
    c.evidence.artifact.name = "other/thing".into();
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::NoMatchingPolicy]);
    assert!(v.policies.is_empty());
    assert_verdict_schema(&v);
    let _ = c.key;
}

#[test]
fn warn_mode_admits_with_warnings() {
    let der = b"k";
    let text = policy_text(&pem(der)).replace("    signers:", "    mode: warn\n    signers:");
    let set = PolicySet::parse("p.yaml", &text).unwrap();
    let mut c = case();
    c.evidence.statements.clear();
    let v = evaluate(&set, &c.evidence, now());
    assert_eq!(v.decision, Decision::Admitted);
    assert!(v.failures.is_empty());
    assert!(!v.warnings.is_empty());
    assert_verdict_schema(&v);
}

#[test]
fn threshold_and_required_signers() {
    let text = format!(
        r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: two-of-three
    match: ["**"]
    signers:
      threshold: 2
      keys:
        - {{name: a, publicKey: "{a}"}}
        - {{name: b, publicKey: "{b}", required: true}}
      identities:
        - issuer: https://token.actions.githubusercontent.com
          subject: https://github.com/acme/tool/.github/workflows/*@refs/tags/*
    attestations:
      - predicateType: cyclonedx
"#,
        a = pem(b"a").replace('\n', "\\n"),
        b = pem(b"b").replace('\n', "\\n"),
    );
    let set = PolicySet::parse("p.yaml", &text).unwrap();
    let fp = |k: &[u8]| Signer::Key {
        fingerprint: vouch_attest::sha256(k).to_string(),
    };
    let gha = Signer::Identity {
        issuer: "https://token.actions.githubusercontent.com".into(),
        subject: "https://github.com/acme/tool/.github/workflows/release.yml@refs/tags/v1".into(),
    };
    let digest = vouch_attest::sha256(b"x");
    let run = |signers: Vec<Signer>| {
        let ev = Evidence {
            artifact: Artifact {
                name: "x".into(),
                digest: digest.clone(),
            },
            statements: vec![VerifiedStatement {
                source: "b:1".into(),
                statement: statement(CYCLONEDX, &digest, sbom("2026-01-09T10:00:00Z")),
                signers,
                signed_at: None,
            }],
            rejected: vec![],
            rescan: None,
        };
        evaluate(&set, &ev, now())
    };
    assert!(run(vec![fp(b"a"), fp(b"b")]).admitted());
    assert!(run(vec![gha.clone(), fp(b"b")]).admitted());
    // Two trusted signers, but not the required one.
    assert_eq!(
        codes(&run(vec![fp(b"a"), gha.clone()])),
        [Code::SignerThreshold]
    );
    // One is not enough.
    assert_eq!(codes(&run(vec![fp(b"b")])), [Code::SignerThreshold]);
    // An identity from another workflow path is not trusted.
    let wrong = Signer::Identity {
        issuer: "https://token.actions.githubusercontent.com".into(),
        subject: "https://github.com/evil/tool/.github/workflows/release.yml@refs/tags/v1".into(),
    };
    assert_eq!(codes(&run(vec![wrong, fp(b"b")])), [Code::SignerThreshold]);

    // One key listed under two names is still one signer.
    let dup = text.replace(
        &format!(
            "{{name: a, publicKey: \"{}\"}}",
            pem(b"a").replace('\n', "\\n")
        ),
        &format!(
            "{{name: a, publicKey: \"{}\"}}",
            pem(b"b").replace('\n', "\\n")
        ),
    );
    assert_ne!(dup, text);
    let set = PolicySet::parse("p.yaml", &dup).unwrap();
    let ev = Evidence {
        artifact: Artifact {
            name: "x".into(),
            digest: digest.clone(),
        },
        statements: vec![VerifiedStatement {
            source: "b:1".into(),
            statement: statement(CYCLONEDX, &digest, sbom("2026-01-09T10:00:00Z")),
            signers: vec![fp(b"b")],
            signed_at: None,
        }],
        rejected: vec![],
        rescan: None,
    };
    assert_eq!(codes(&evaluate(&set, &ev, now())), [Code::SignerThreshold]);
}

fn load_err(text: &str) -> (usize, String) {
    match PolicySet::parse("p.yaml", text).unwrap_err() {
        PolicyError::Invalid { line, message, .. } => (line, message),
        e @ (PolicyError::KeyFile { .. } | PolicyError::TriageFile { .. }) => panic!("{e}"),
    }
}

#[test]
fn malformed_policies_are_rejected_with_their_line() {
    let good = policy_text(&pem(b"k"));
    assert!(PolicySet::parse("p.yaml", &good).is_ok());

    let unknown = good.replace("    maxAge: 7d", "    maxAge: 7d\n    maxAgee: 8d");
    let (line, msg) = load_err(&unknown);
    assert_eq!(
        line,
        good.lines().position(|l| l == "    maxAge: 7d").unwrap() + 2
    );
    assert!(msg.contains("unknown key `maxAgee`"), "{msg}");
    let err = PolicySet::parse("p.yaml", &unknown)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&format!("`p.yaml` line {line}: ")), "{err}");

    let bad_glob = good.replace("\"dist/*\"", "\"dist/[a\"");
    let (line, msg) = load_err(&bad_glob);
    assert_eq!(line, 4);
    assert!(msg.contains("bad glob `dist/[a`"), "{msg}");

    let bad_rego = good.replace(
        "allow if input.predicate.runDetails.builder.id ==",
        "allow if input.predicate.runDetails.builder.id ===",
    );
    let (line, msg) = load_err(&bad_rego);
    let rego_line = good.lines().position(|l| l.contains("allow if")).unwrap() + 1;
    assert_eq!(line, rego_line, "{msg}");
    assert!(msg.contains("does not compile"), "{msg}");

    let no_allow = good.replace("allow if input", "permit if input");
    assert!(load_err(&no_allow).1.contains("defines no `allow` rule"));

    let (line, msg) = load_err(&good.replace("maxAge: 7d", "maxAge: 7 days"));
    assert!(msg.contains("`maxAge`") && line > 1, "{msg}");
    let (_, msg) = load_err(&good.replace("failOn: critical", "failOn: severe"));
    assert!(msg.contains("`failOn`"), "{msg}");
    let (line, msg) = load_err("apiVersion: vouch.dev/policy/v1\npolicies:\n  - name: [\n");
    assert!(msg.contains("invalid YAML") && line >= 3, "{line} {msg}");
    let (_, msg) = load_err(&good.replace("vouch.dev/policy/v1", "vouch.dev/policy/v9"));
    assert!(msg.contains("unsupported `apiVersion`"));

    let each = good.replace("    maxAge: 7d", "    maxAge: 7d\n    platforms: each");
    let set = PolicySet::parse("p.yaml", &each).unwrap();
    assert_eq!(
        set.policies[0].platforms,
        Some(vouch_policy::PlatformScope::Each)
    );
    assert_eq!(
        PolicySet::parse("p.yaml", &good).unwrap().policies[0].platforms,
        None
    );
    let (line, msg) =
        load_err(&good.replace("    maxAge: 7d", "    maxAge: 7d\n    platforms: all"));
    assert!(
        msg.contains("`platforms` must be `index` or `each`"),
        "{msg}"
    );
    assert_eq!(
        line,
        good.lines().position(|l| l == "    maxAge: 7d").unwrap() + 2
    );
}

#[test]
fn policy_schema_agrees_with_the_loader() {
    let validator = schema("policy.schema.json");
    let good = policy_text(&pem(b"k"));
    let json = vouch_policy::policy_file_to_json(&good).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let docs_example =
        std::fs::read_to_string(vouch_testkit::repo_root().join("docs/policy.example.yaml"))
            .unwrap();
    assert!(PolicySet::parse("docs/policy.example.yaml", &docs_example).is_ok());
    let json = vouch_policy::policy_file_to_json(&docs_example).unwrap();
    assert!(validator.is_valid(&json));
    let unknown = good.replace("    maxAge: 7d", "    maxAge: 7d\n    maxAgee: 8d");
    let json = vouch_policy::policy_file_to_json(&unknown).unwrap();
    assert!(!validator.is_valid(&json));
    let each = good.replace("    maxAge: 7d", "    maxAge: 7d\n    platforms: each");
    assert!(validator.is_valid(&vouch_policy::policy_file_to_json(&each).unwrap()));
    let all = good.replace("    maxAge: 7d", "    maxAge: 7d\n    platforms: all");
    assert!(!validator.is_valid(&vouch_policy::policy_file_to_json(&all).unwrap()));
}

#[test]
fn every_truncation_of_a_policy_is_an_error_or_a_policy_never_a_panic() {
    let text = std::fs::read_to_string(vouch_testkit::repo_root().join("docs/policy.example.yaml"))
        .unwrap();
    for end in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
        if let Err(e) = PolicySet::parse("p.yaml", &text[..end]) {
            assert!(e.to_string().starts_with("`p.yaml` line "), "{e}");
        }
    }
}

#[test]
fn denial_text_names_artifact_policy_checks_and_fixes() {
    let mut c = case();
    c.evidence.statements[0].statement.predicate =
        provenance("https://evil.example/builder", "2026-01-09T10:00:00Z");
    c.evidence.rescan.as_mut().unwrap().findings[0].severity = Some(Severity::Critical);
    let v = evaluate(&c.set, &c.evidence, now());
    insta::assert_snapshot!(v.render_text());
}

#[test]
fn rego_deny_messages_are_quoted() {
    let text = policy_text(&pem(b"k")).replace(
        "          allow if input.predicate.runDetails.builder.id == \"https://ci.example/builder\"\n",
        "          allow if true\n          deny contains msg if {\n            not startswith(input.predicate.runDetails.builder.id, \"https://ci.example/\")\n            msg := sprintf(\"built by %s\", [input.predicate.runDetails.builder.id])\n          }\n",
    );
    let set = PolicySet::parse("p.yaml", &text).unwrap();
    let mut c = case();
    c.set = set;
    c.evidence.statements[0].signers = vec![Signer::Key {
        fingerprint: vouch_attest::sha256(b"k").to_string(),
    }];
    c.evidence.statements[1].signers = c.evidence.statements[0].signers.clone();
    assert!(evaluate(&c.set, &c.evidence, now()).admitted());
    c.evidence.statements[0].statement.predicate =
        provenance("https://evil.example/b", "2026-01-09T10:00:00Z");
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::ConditionFailed]);
    assert!(
        v.failures[0]
            .message
            .ends_with("built by https://evil.example/b"),
        "{}",
        v.failures[0].message
    );
}

/// The missing-attestation denial read "no a `…` attestation", and its fix suggested
/// `vouch attest --type T …`, which clap rejects without `--predicate` even where vouch has a
/// producer flag for that type.
#[test]
fn missing_attestation_message_is_grammatical_and_its_fix_runs() {
    let mut c = case();
    c.evidence.statements.remove(1);
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(codes(&v), [Code::AttestationMissing]);
    let f = &v.failures[0];
    assert!(
        f.message.starts_with(&format!(
            "no `{CYCLONEDX}` attestation about `dist/tool-linux`"
        )),
        "{}",
        f.message
    );
    assert!(
        f.fix.contains("vouch attest dist/tool-linux --sbom "),
        "{}",
        f.fix
    );

    let mut c = case();
    c.evidence.statements.remove(0);
    let v = evaluate(&c.set, &c.evidence, now());
    assert!(
        v.failures[0].fix.contains("--provenance"),
        "{}",
        v.failures[0].fix
    );

    // Any predicate type: "no attestation about", not "no an attestation".
    let set = PolicySet::simple(
        "ci.pub",
        &pem(b"not really a key, but fingerprints only hash the DER"),
        &[],
    )
    .unwrap();
    let mut c = case();
    c.evidence.statements.clear();
    let v = evaluate(&set, &c.evidence, now());
    let any = v
        .failures
        .iter()
        .find(|f| f.message.contains("no attestation about `dist/tool-linux`"));
    assert!(any.is_some(), "{:?}", v.failures);
    assert!(any.unwrap().fix.contains("--predicate FILE --type URI"));

    // A blob-signature bundle passed as attestations is named in the denial.
    c.evidence.rejected.push(vouch_policy::Rejected {
        source: "app.sigstore.json:1".into(),
        reason: "a message signature, not an attestation".into(),
        claimed_predicate_type: None,
    });
    let v = evaluate(&set, &c.evidence, now());
    assert!(
        v.failures[0].message.ends_with(
            "; not attestations: app.sigstore.json:1 (a message signature, not an attestation)"
        ),
        "{}",
        v.failures[0].message
    );
}

#[test]
fn no_match_decides_what_no_policy_covers() {
    let der = b"not really a key, but fingerprints only hash the DER";
    let mut c = case();
    c.evidence.artifact.name = "elsewhere/other".into();
    // The default: denied, `no-matching-policy`.
    let v = evaluate(&c.set, &c.evidence, now());
    assert_eq!(v.decision, Decision::Denied);
    assert_eq!(codes(&v), vec![Code::NoMatchingPolicy]);
    assert_verdict_schema(&v);
    for (mode, decision, warned) in [
        ("deny", Decision::Denied, false),
        ("warn", Decision::Admitted, true),
        ("allow", Decision::Admitted, false),
    ] {
        let text = policy_text(&pem(der)).replacen(
            "policies:\n",
            &format!("noMatch: {mode}\npolicies:\n"),
            1,
        );
        let set = PolicySet::parse("policy.yaml", &text).unwrap();
        let v = evaluate(&set, &c.evidence, now());
        assert_eq!(v.decision, decision, "{mode}");
        assert_eq!(
            v.warnings.iter().any(|w| w.code == Code::NoMatchingPolicy),
            warned,
            "{mode}"
        );
        assert_verdict_schema(&v);
        // Decided without evidence, and without a digest when none is known.
        let u = vouch_policy::unmatched(&set, "elsewhere/other", None, now()).unwrap();
        assert_eq!(u.decision, decision, "{mode}");
        assert_eq!(u.artifact.digest, "");
        assert_verdict_schema(&u);
        // A covered artifact is not decided by `noMatch`.
        assert!(vouch_policy::unmatched(&set, "dist/tool-linux", None, now()).is_none());
    }
}

#[test]
fn require_digest_and_namespaces_are_read_and_checked() {
    let der = b"k";
    let base = policy_text(&pem(der));
    let set = PolicySet::parse("policy.yaml", &base).unwrap();
    assert!(set.require_digest, "on by default");
    assert!(set.namespaces.checks(Some("anything")));
    let text = base.replacen(
        "policies:\n",
        "requireDigest: false\nnamespaces:\n  include: [\"prod-*\", default]\n  exclude: [prod-sandbox]\npolicies:\n",
        1,
    );
    let set = PolicySet::parse("policy.yaml", &text).unwrap();
    assert!(!set.require_digest);
    assert!(set.namespaces.checks(Some("prod-eu")));
    assert!(set.namespaces.checks(Some("default")));
    assert!(!set.namespaces.checks(Some("prod-sandbox")));
    assert!(!set.namespaces.checks(Some("kube-system")));
    // Cluster-scoped requests are always checked.
    assert!(set.namespaces.checks(None));
    // The file validates against the policy schema too.
    let json = vouch_policy::policy_file_to_json(&text).unwrap();
    let errors: Vec<String> = schema("policy.schema.json")
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    for (bad, line, needle) in [
        (
            "noMatch: maybe\n",
            2,
            "`noMatch` must be `deny`, `warn` or `allow`, got `maybe`",
        ),
        (
            "requireDigest: \"no\"\n",
            2,
            "`requireDigest` must be true or false",
        ),
        (
            "namespaces: {only: [x]}\n",
            2,
            "unknown key `only` in `namespaces`",
        ),
        (
            "namespaces: {exclude: []}\n",
            2,
            "`namespaces.exclude` must list at least one glob",
        ),
    ] {
        let text = base.replacen("policies:\n", &format!("{bad}policies:\n"), 1);
        let (l, m) = load_err(&text);
        assert_eq!(l, line, "{bad}: {m}");
        assert!(m.contains(needle), "{bad}: {m}");
    }
}

/// Issue 16, item 3: a required `vuln` or `pins` attestation counts only when it records a
/// pass (`requirePassed`; on by default for vouch's pins predicate).
#[test]
fn required_vuln_or_pins_attestation_must_record_a_pass() {
    const PINS: &str = "https://vouch.dev/attestation/pins/v1";
    const VULN: &str = "https://cosign.sigstore.dev/attestation/vuln/v1";
    let der = b"k";
    let key = Signer::Key {
        fingerprint: vouch_attest::sha256(der).to_string(),
    };
    let digest = vouch_attest::sha256(b"the binary");
    let policy = |attestations: &str, rescan: &str| {
        let mut indented = String::new();
        for l in pem(der).lines() {
            indented.push_str("            ");
            indented.push_str(l);
            indented.push('\n');
        }
        PolicySet::parse(
            "policy.yaml",
            &format!(
                "apiVersion: vouch.dev/policy/v1\npolicies:\n  - name: p\n    match: [\"**\"]\n    signers:\n      keys:\n        - name: ci\n          publicKey: |\n{indented}    attestations:\n{attestations}{rescan}"
            ),
        )
        .unwrap()
    };
    let evidence = |ty: &str, predicate: serde_json::Value| Evidence {
        artifact: Artifact {
            name: "dist/tool".into(),
            digest: digest.clone(),
        },
        statements: vec![VerifiedStatement {
            source: "b.intoto.jsonl:1".into(),
            statement: statement(ty, &digest, predicate),
            signers: vec![key.clone()],
            signed_at: None,
        }],
        rejected: vec![],
        rescan: None,
    };
    let pins = |passed: bool| {
        json!({"generatedAt": "2026-01-09T10:00:00Z", "tool": {"name": "vouch", "version": "0.1.0"},
               "passed": passed, "report": {"findings": [{"code": "unpinned-action"}]}})
    };
    let scan = |levels: &[&str]| {
        let findings: Vec<serde_json::Value> = levels
            .iter()
            .enumerate()
            .map(|(i, l)| json!({"id": format!("GHSA-{i}"), "package": {"name": "left-pad"}, "severity": {"level": l, "basis": "cvss-v3"}}))
            .collect();
        json!({"invocation": {}, "scanner": {"uri": "https://vouch.dev", "version": "0.1.0", "result": {"findings": findings}},
               "metadata": {"scanStartedOn": "2026-01-09T10:00:00Z", "scanFinishedOn": "2026-01-09T10:00:00Z"}})
    };

    // Pins: on by default.
    let set = policy("      - predicateType: pins\n", "");
    let v = evaluate(&set, &evidence(PINS, pins(false)), now());
    assert_eq!(codes(&v), [Code::AttestationFailed], "{v:#?}");
    assert!(v.failures[0]
        .message
        .contains("did not pass (1 findings recorded)"));
    assert_verdict_schema(&v);
    assert!(evaluate(&set, &evidence(PINS, pins(true)), now()).admitted());
    let off = policy(
        "      - predicateType: pins\n        requirePassed: false\n",
        "",
    );
    assert!(evaluate(&off, &evidence(PINS, pins(false)), now()).admitted());

    // Vuln: off by default; on, no finding at or above the threshold.
    let set = policy("      - predicateType: vuln\n", "");
    assert!(evaluate(&set, &evidence(VULN, scan(&["critical"])), now()).admitted());
    let set = policy(
        "      - predicateType: vuln\n        requirePassed: true\n        failOn: high\n",
        "",
    );
    let v = evaluate(&set, &evidence(VULN, scan(&["medium", "critical"])), now());
    assert_eq!(codes(&v), [Code::AttestationFailed]);
    assert!(
        v.failures[0]
            .message
            .contains("1 findings at high or above: GHSA-1 (left-pad, critical)"),
        "{}",
        v.failures[0].message
    );
    assert_verdict_schema(&v);
    assert!(evaluate(&set, &evidence(VULN, scan(&["medium", "low"])), now()).admitted());
    // The threshold defaults to the policy's re-scan threshold.
    let set = policy(
        "      - predicateType: vuln\n        requirePassed: true\n",
        "    rescan:\n      failOn: critical\n",
    );
    let mut e = evidence(VULN, scan(&["high"]));
    e.rescan = Some(RescanResult {
        source: "x".into(),
        database: "d".into(),
        findings: vec![],
    });
    let v = evaluate(&set, &e, now());
    assert!(!codes(&v).contains(&Code::AttestationFailed), "{v:#?}");
    // `failOn` is for the vuln predicate only.
    let (line, m) = load_err(&format!(
        "apiVersion: vouch.dev/policy/v1\npolicies:\n  - name: p\n    match: [\"**\"]\n    signers:\n      keys:\n        - name: ci\n          publicKey: |\n            {}\n    attestations:\n      - predicateType: pins\n        failOn: high\n",
        pem(der).lines().collect::<Vec<_>>().join("\n            ")
    ));
    assert!(
        m.contains("`failOn` applies to the vuln predicate only"),
        "{line}: {m}"
    );
}

/// Issue 16, item 8: fixes for an image name the commands that fix an image.
#[test]
fn image_fix_hints_name_the_image_commands() {
    let c = case();
    let mut e = c.evidence.clone();
    e.statements.clear();
    e.rescan = None;
    let file = evaluate(&c.set, &e, now());
    let image = vouch_policy::evaluate_image(&c.set, &e, now());
    assert_eq!(codes(&file), codes(&image), "the same decision");
    let fixes = |v: &vouch_policy::Verdict| -> Vec<String> {
        v.failures.iter().map(|f| f.fix.clone()).collect()
    };
    assert!(
        fixes(&file)
            .iter()
            .any(|f| f.contains("vouch attest dist/tool-linux --provenance --key KEY --bundle B")),
        "{:?}",
        fixes(&file)
    );
    for f in fixes(&image) {
        assert!(!f.contains("--bundle"), "{f}");
        assert!(
            f.contains("vouch attest image dist/tool-linux@sha256:"),
            "{f}"
        );
    }
    assert!(fixes(&image)
        .iter()
        .any(|f| f.contains("--type slsaprovenance")));
}
