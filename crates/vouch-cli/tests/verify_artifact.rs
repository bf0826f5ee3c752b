//! `vouch verify artifact`: bad input is rejected before anything is verified, with its line;
//! tampered envelopes never reach the policy; the `--key` shorthand; GitHub's real keyless
//! attestation bundle (and its wrong-signer variant) through the trust root.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn vouch(dir: &Path, args: &[&str]) -> (i32, String, String) {
    vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch"))
        .dir(dir)
        .env("VOUCH_PASSWORD", "pw")
        .run(args)
}

/// A key pair, an artifact and a bundle with a provenance and a custom attestation about it.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", "ci"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(d.join("app.tar"), b"application bytes\n".repeat(100)).unwrap();
    std::fs::write(
        d.join("custom.json"),
        br#"{"reviewed": true, "reviewer": "alice"}"#,
    )
    .unwrap();
    for extra in [
        &["--provenance", "--builder-id", "https://ci.example/b"][..],
        &[
            "--predicate",
            "custom.json",
            "--type",
            "https://example.com/review/v1",
        ][..],
    ] {
        let mut args = vec![
            "attest",
            "app.tar",
            "--key",
            "ci.key",
            "--bundle",
            "b.intoto.jsonl",
        ];
        args.extend_from_slice(extra);
        let (code, _, err) = vouch(d, &args);
        assert_eq!(code, 0, "{err}");
    }
    dir
}

const POLICY: &str = r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: apps
    match: ["*.tar"]
    signers:
      keys:
        - name: ci
          path: ci.pub
    attestations:
      - name: provenance
        predicateType: slsaprovenance
        condition: |
          package vouch
          allow if input.predicate.runDetails.builder.id == "https://ci.example/b"
      - name: review
        predicateType: https://example.com/review/v1
        condition: |
          package review
          allow if input.predicate.reviewed == true
"#;

fn write(d: &Path, name: &str, text: &str) -> PathBuf {
    vouch_testkit::cli::write(d, name, text)
}

fn verify_json(d: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["verify", "artifact", "app.tar", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = vouch(d, &args);
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, err)
}

#[test]
fn policy_admits_then_tampered_envelope_never_reaches_it() {
    let dir = setup();
    let d = dir.path();
    write(d, "policy.yaml", POLICY);
    let (code, v, err) = verify_json(
        d,
        &["--bundle", "b.intoto.jsonl", "--policy", "policy.yaml"],
    );
    assert_eq!(code, 0, "{v:#}{err}");
    assert_eq!(v["decision"], "admitted");

    // Rewrite the provenance payload (builder id) without re-signing.
    let text = std::fs::read_to_string(d.join("b.intoto.jsonl")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let mut b: Value = serde_json::from_str(line).unwrap();
        let payload = b["dsseEnvelope"]["payload"].as_str().unwrap().to_owned();
        let raw = vouch_sign::encoding::decode_base64(&payload).unwrap();
        let st = String::from_utf8(raw).unwrap();
        if st.contains("https://ci.example/b") {
            let forged = st.replace("https://ci.example/b", "https://ci.example/x");
            b["dsseEnvelope"]["payload"] =
                Value::String(vouch_sign::encoding::encode_base64(forged.as_bytes()));
        }
        out.push_str(&serde_json::to_string(&b).unwrap());
        out.push('\n');
    }
    std::fs::write(d.join("tampered.intoto.jsonl"), out).unwrap();
    let (code, v, err) = verify_json(
        d,
        &[
            "--bundle",
            "tampered.intoto.jsonl",
            "--policy",
            "policy.yaml",
        ],
    );
    assert_eq!(code, 1, "{v:#}{err}");
    let failures = v["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{v:#}");
    assert_eq!(failures[0]["code"], "untrusted-signer");
    // The forged claim was never evaluated: no condition check ran for provenance.
    let checks = v["policies"][0]["checks"].as_array().unwrap();
    assert!(!checks
        .iter()
        .any(|c| c["check"] == "condition" && c["attestation"] == "provenance"));
}

#[test]
fn key_shorthand_requires_the_named_predicates() {
    let dir = setup();
    let d = dir.path();
    let (code, v, err) = verify_json(
        d,
        &[
            "--bundle",
            "b.intoto.jsonl",
            "--key",
            "ci.pub",
            "--require-predicate",
            "slsaprovenance",
        ],
    );
    assert_eq!(code, 0, "{v:#}{err}");
    let (code, v, _) = verify_json(
        d,
        &[
            "--bundle",
            "b.intoto.jsonl",
            "--key",
            "ci.pub",
            "--require-predicate",
            "openvex",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(v["failures"][0]["code"], "attestation-missing");
    // No --require-predicate: any verified statement about the artifact will do.
    let (code, _, _) = verify_json(d, &["--bundle", "b.intoto.jsonl", "--key", "ci.pub"]);
    assert_eq!(code, 0);
    // Another key: nothing verifies.
    let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", "other"]);
    assert_eq!(code, 0, "{err}");
    let (code, v, _) = verify_json(d, &["--bundle", "b.intoto.jsonl", "--key", "other.pub"]);
    assert_eq!(code, 1);
    assert_eq!(v["failures"][0]["code"], "untrusted-signer");
    // Neither --policy nor --key: could not verify.
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "artifact",
            "app.tar",
            "--bundle",
            "b.intoto.jsonl",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no policy"), "{err}");
}

#[test]
fn malformed_policy_is_rejected_before_verification_with_its_line() {
    let dir = setup();
    let d = dir.path();
    let cases = [
        (
            POLICY.replace(
                "    match: [\"*.tar\"]",
                "    match: [\"*.tar\"]\n    matchh: [\"x\"]",
            ),
            5,
            "unknown key `matchh`",
        ),
        (
            POLICY.replace("\"*.tar\"", "\"app[.tar\""),
            4,
            "bad glob `app[.tar`",
        ),
        (
            POLICY.replace(
                "allow if input.predicate.reviewed == true",
                "allow if input.predicate.reviewed == = true",
            ),
            19,
            "does not compile",
        ),
    ];
    for (text, line, what) in cases {
        write(d, "bad.yaml", &text);
        // The bundle does not even exist: the policy error must come first.
        let (code, out, err) = vouch(
            d,
            &[
                "verify",
                "artifact",
                "app.tar",
                "--bundle",
                "missing.intoto.jsonl",
                "--policy",
                "bad.yaml",
            ],
        );
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert!(err.contains(&format!("`bad.yaml` line {line}: ")), "{err}");
        assert!(err.contains(what), "{err}");
    }
}

#[test]
fn truncated_bundle_line_is_reported_by_number() {
    let dir = setup();
    let d = dir.path();
    write(d, "policy.yaml", POLICY);
    let text = std::fs::read_to_string(d.join("b.intoto.jsonl")).unwrap();
    let first = text.lines().next().unwrap();
    let truncated = format!("{text}{}", &first[..first.len() / 2]);
    std::fs::write(d.join("t.intoto.jsonl"), truncated).unwrap();
    let (code, out, err) = vouch(
        d,
        &[
            "verify",
            "artifact",
            "app.tar",
            "--bundle",
            "t.intoto.jsonl",
            "--policy",
            "policy.yaml",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("`t.intoto.jsonl` line 3: not valid JSON"),
        "{err}"
    );
    // Appending to a damaged bundle is refused, and the file is left as it was.
    let before = std::fs::read(d.join("t.intoto.jsonl")).unwrap();
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            "app.tar",
            "--key",
            "ci.key",
            "--predicate",
            "custom.json",
            "--type",
            "https://example.com/review/v1",
            "--bundle",
            "t.intoto.jsonl",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(std::fs::read(d.join("t.intoto.jsonl")).unwrap(), before);
}

const GITHUB_POLICY: &str = r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: bcr-publish
    match: ["MODULE*.bazel"]
    signers:
      identities:
        - name: publish-to-bcr
          issuer: https://token.actions.githubusercontent.com
          subject: https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1
    attestations:
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
        condition: |
          package vouch
          allow if {
            input.predicate.buildDefinition.buildType == "https://actions.github.io/buildtypes/workflow/v1"
            input.predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/aspect-build/rules_lint"
          }
"#;

#[test]
fn github_keyless_attestation_admitted_and_wrong_signer_denied() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "gh.yaml", GITHUB_POLICY);
    let gh = vouch_testkit::shared_path("policy-examples/provenance/github-attestation");
    let run = |artifact: &str| {
        let a = gh.join(artifact);
        let b = gh.join(format!("{artifact}.intoto.jsonl"));
        let (code, out, err) = vouch(
            d,
            &[
                "verify",
                "artifact",
                a.to_str().unwrap(),
                "--bundle",
                b.to_str().unwrap(),
                "--policy",
                "gh.yaml",
                "--format",
                "json",
            ],
        );
        (
            code,
            serde_json::from_str::<Value>(&out).unwrap_or(Value::Null),
            err,
        )
    };
    let (code, v, err) = run("MODULE.bazel");
    assert_eq!(code, 0, "{v:#}{err}");
    assert_eq!(v["decision"], "admitted");
    // Same artifact, same predicate claims, but signed by another workflow: the claims are
    // bound to the certificate identity, which the policy does not trust.
    let (code, v, err) = run("MODULE-wrong-signer.bazel");
    assert_eq!(code, 1, "{v:#}{err}");
    assert_eq!(v["failures"][0]["code"], "untrusted-signer");
    let msg = v["failures"][0]["message"].as_str().unwrap();
    assert!(msg.contains("loosebazooka/aa-test"), "{msg}");
}

#[test]
fn slsa_generator_v02_bundle_statement_is_read() {
    // slsa-github-generator's bundle wraps an in-toto v0.1 statement with a SLSA v0.2
    // predicate; its subject binary is not in ../shared, so only the statement is checked.
    let path = vouch_testkit::shared_path(
        "policy-examples/provenance/slsa-github-generator/binary-linux-amd64-push-v14.intoto.jsonl",
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let file = vouch_attest::BundleFile::parse("generator", &text).unwrap();
    let line = &file.lines[0];
    let bundle = vouch_sign::Bundle::from_json(&serde_json::to_vec(&line.json).unwrap()).unwrap();
    let vouch_sign::bundle::Content::DsseEnvelope(env) = bundle.content().unwrap() else {
        panic!("expected a DSSE bundle")
    };
    let st = vouch_attest::Statement::from_payload(&env.payload_type, &env.payload).unwrap();
    assert_eq!(st.type_, vouch_attest::STATEMENT_V01);
    let summary =
        vouch_attest::predicate::provenance::summarize(&st.predicate_type, &st.predicate).unwrap();
    assert_eq!(
        summary.builder_id,
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0"
    );
    assert_eq!(
        summary.source_uri.as_deref(),
        Some("git+https://github.com/slsa-framework/example-package@refs/tags/v14")
    );
}

#[test]
fn two_of_two_keys_with_one_bundle_each() {
    let dir = setup();
    let d = dir.path();
    let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", "second"]);
    assert_eq!(code, 0, "{err}");
    write(
        d,
        "two.yaml",
        r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: two-person
    match: ["app.tar"]
    signers:
      threshold: 2
      keys:
        - {name: ci, path: ci.pub}
        - {name: second, path: second.pub, required: true}
    attestations:
      - predicateType: https://example.com/review/v1
"#,
    );
    let attest = |key: &str, bundle: &str| {
        let (code, _, err) = vouch(
            d,
            &[
                "attest",
                "app.tar",
                "--key",
                key,
                "--predicate",
                "custom.json",
                "--type",
                "https://example.com/review/v1",
                "--bundle",
                bundle,
            ],
        );
        assert_eq!(code, 0, "{err}");
    };
    attest("ci.key", "one.intoto.jsonl");
    let (code, v, _) = verify_json(d, &["--bundle", "one.intoto.jsonl", "--policy", "two.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(v["failures"][0]["code"], "signer-threshold", "{v:#}");
    // The same statement, signed by the second key in its own bundle line: 2 of 2.
    attest("second.key", "one.intoto.jsonl");
    let (code, v, err) = verify_json(d, &["--bundle", "one.intoto.jsonl", "--policy", "two.yaml"]);
    assert_eq!(code, 0, "{v:#}{err}");
    // Bundles may also be split across files.
    attest("ci.key", "a.intoto.jsonl");
    attest("second.key", "b.intoto.jsonl");
    let (code, _, _) = verify_json(
        d,
        &[
            "--bundle",
            "a.intoto.jsonl",
            "--bundle",
            "b.intoto.jsonl",
            "--policy",
            "two.yaml",
        ],
    );
    assert_eq!(code, 0);
}

#[test]
fn admits_a_bundle_vouch_did_not_write() {
    // A key-based DSSE bundle made outside vouch (checked with @sigstore/verify and
    // securesystemslib when it was made): in-toto Statement v1, CycloneDX predicate, subject
    // conformance/assets/a.txt.
    let dir = tempfile::tempdir().unwrap();
    let r = vouch_testkit::shared_path("vectors/sigstore/research-generated");
    let a = vouch_testkit::shared_path("vectors/sigstore/conformance/assets/a.txt");
    let bundle = r.join("key-dsse-no-tlog.sigstore.json");
    let key = r.join("key.pub");
    let run = |artifact: &Path, ty: &str| {
        vouch(
            dir.path(),
            &[
                "verify",
                "artifact",
                artifact.to_str().unwrap(),
                "--bundle",
                bundle.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
                "--require-predicate",
                ty,
            ],
        )
    };
    let (code, out, err) = run(&a, "cyclonedx");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = run(&a, "slsaprovenance");
    assert_eq!(code, 1);
    assert!(out.contains("attestation-missing"), "{out}");
    // Another file is not its subject.
    let other = dir.path().join("a.txt");
    std::fs::write(&other, b"not a\n").unwrap();
    let (code, out, _) = run(&other, "cyclonedx");
    assert_eq!(code, 1);
    assert!(out.contains("subject-mismatch"), "{out}");
}

#[test]
fn keyless_identity_shorthand() {
    let dir = tempfile::tempdir().unwrap();
    let gh = vouch_testkit::shared_path("policy-examples/provenance/github-attestation");
    let a = gh.join("MODULE.bazel");
    let b = gh.join("MODULE.bazel.intoto.jsonl");
    let run = |san: &str| {
        vouch(
            dir.path(),
            &[
                "verify",
                "artifact",
                a.to_str().unwrap(),
                "--bundle",
                b.to_str().unwrap(),
                "--certificate-identity",
                san,
                "--certificate-oidc-issuer",
                "https://token.actions.githubusercontent.com",
                "--require-predicate",
                "slsaprovenance",
            ],
        )
    };
    let (code, out, err) =
        run("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/*@refs/tags/v0.0.1");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) =
        run("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/*@refs/heads/main");
    assert_eq!(code, 1);
    assert!(out.contains("untrusted-signer"), "{out}");
}

#[test]
fn bare_dsse_envelope_lines_are_accepted() {
    let dir = setup();
    let d = dir.path();
    // The same attestations as bare DSSE envelopes (in-toto's own `.jsonl` shape).
    let text = std::fs::read_to_string(d.join("b.intoto.jsonl")).unwrap();
    let mut bare = String::new();
    for line in text.lines() {
        let b: Value = serde_json::from_str(line).unwrap();
        bare.push_str(&serde_json::to_string(&b["dsseEnvelope"]).unwrap());
        bare.push('\n');
    }
    std::fs::write(d.join("bare.jsonl"), bare).unwrap();
    write(d, "policy.yaml", POLICY);
    let (code, v, err) = verify_json(d, &["--bundle", "bare.jsonl", "--policy", "policy.yaml"]);
    assert_eq!(code, 0, "{v:#}{err}");

    // slsa-verifier's VSA: a bare envelope signed with a plain PEM key, about a GCE image.
    let vsa = vouch_testkit::shared_path("policy-examples/provenance/vsa");
    let text = std::fs::read_to_string(vsa.join("gke-gce-pre.bcid-vsa.jsonl")).unwrap();
    let file = vouch_attest::BundleFile::parse("vsa", &text).unwrap();
    assert_eq!(file.lines[0].kind, vouch_attest::LineKind::Envelope);
    let env =
        vouch_sign::Envelope::from_json(&serde_json::to_vec(&file.lines[0].json).unwrap()).unwrap();
    let key = vouch_sign::PublicKey::from_pem(
        &std::fs::read(vsa.join("vsa_signing_public_key.pem")).unwrap(),
    )
    .unwrap();
    let payload = vouch_sign::verify_envelope_with_key(&env, &key).unwrap();
    let st = vouch_attest::Statement::from_payload(&env.payload_type, payload).unwrap();
    assert_eq!(
        st.predicate_type,
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(st.subject[0].digest["gce_image_id"], "8970095005306000053");
    assert_eq!(st.predicate["verificationResult"], "PASSED");
}

/// A single pretty-printed bundle (`.sigstore.json` as sigstore-js, `jq` or the conformance
/// suite write it) was refused as "line 1: not valid JSON"; it is read as one attestation, and
/// `vouch attest --bundle` appending to it turns it into JSON Lines.
#[test]
fn pretty_printed_single_bundle_is_read() {
    let dir = setup();
    let d = dir.path();
    let first = std::fs::read_to_string(d.join("b.intoto.jsonl")).unwrap();
    let first: Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let pretty = serde_json::to_string_pretty(&first).unwrap();
    write(d, "p.sigstore.json", &pretty);
    let (code, v, err) = verify_json(
        d,
        &[
            "--bundle",
            "p.sigstore.json",
            "--key",
            "ci.pub",
            "--require-predicate",
            "slsaprovenance",
        ],
    );
    assert_eq!(code, 0, "{v:#}{err}");
    // Cut short: still an error with the line.
    write(d, "cut.sigstore.json", &pretty[..pretty.len() - 40]);
    let (code, _, err) = verify_json(d, &["--bundle", "cut.sigstore.json", "--key", "ci.pub"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`cut.sigstore.json` line 1: not valid JSON"),
        "{err}"
    );

    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            "app.tar",
            "--key",
            "ci.key",
            "--bundle",
            "p.sigstore.json",
            "--predicate",
            "custom.json",
            "--type",
            "https://example.com/review/v1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(d.join("p.sigstore.json")).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(text.lines().next().unwrap()).unwrap(),
        first
    );
    let (code, v, err) = verify_json(
        d,
        &[
            "--bundle",
            "p.sigstore.json",
            "--key",
            "ci.pub",
            "--require-predicate",
            "slsaprovenance",
            "--require-predicate",
            "https://example.com/review/v1",
        ],
    );
    assert_eq!(code, 0, "{v:#}{err}");
}

/// `--bundle -` failed with "No such file or directory" (so `cosign download attestation … |
/// vouch verify artifact F --bundle -` could not work), and a missing bundle printed the OS
/// error on a second `caused by:` line.
#[test]
fn bundle_from_standard_input_and_one_line_read_errors() {
    use std::io::Write as _;
    let dir = setup();
    let d = dir.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .current_dir(d)
        .args([
            "verify", "artifact", "app.tar", "--bundle", "-", "--key", "ci.pub",
        ])
        .args(["--require-predicate", "slsaprovenance", "--format", "json"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(d.join("b.intoto.jsonl")).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "admitted");

    for (bundle, says) in [
        (
            "missing.jsonl",
            "error: `missing.jsonl`: cannot read bundle: no such file",
        ),
        (".", "error: `.`: cannot read bundle: is a directory"),
    ] {
        let (code, _, err) = vouch(
            d,
            &[
                "verify", "artifact", "app.tar", "--bundle", bundle, "--key", "ci.pub",
            ],
        );
        assert_eq!(code, 2, "{err}");
        assert_eq!(err.trim_end(), says);
    }
    let (code, _, err) = vouch(
        d,
        &[
            "verify", "artifact", "-", "--bundle", "-", "--key", "ci.pub",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("standard input (`-`) can be read once"),
        "{err}"
    );
}
