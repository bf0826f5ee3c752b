//! `vouch verify bundle` on a real GitHub `actions/attest-build-provenance` bundle (shared
//! `policy-examples/provenance/github-attestation/`) with the embedded production root: the
//! workflow's identity verifies (text and JSON output), a bundle with the same claims signed by
//! another workflow exits 1 naming the identity check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKFLOW: &str =
    "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn dir() -> PathBuf {
    let shared = std::env::var_os("VOUCH_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    shared.join("policy-examples/provenance/github-attestation")
}

fn verify(name: &str, extra: &[&str]) -> Output {
    let d = dir();
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(extra)
        .args(["verify", "bundle", "--bundle"])
        .arg(d.join(format!("{name}.intoto.jsonl")))
        .args(["--certificate-identity", WORKFLOW])
        .args(["--certificate-oidc-issuer", ISSUER])
        .arg(d.join(name))
        .output()
        .unwrap()
}

#[test]
fn github_attestation_verifies_with_workflow_identity() {
    let out = verify("MODULE.bazel", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("Verified OK\n"), "{stdout}");
    assert!(
        stdout.contains(&format!("signer: {WORKFLOW}\n")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("issuer: {ISSUER}\n")), "{stdout}");
}

#[test]
fn json_output_carries_the_signer_identity() {
    let out = verify("MODULE.bazel", &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    let cert = &v["signer"]["certificate"];
    assert_eq!(cert["subjectAlternativeNames"][0], WORKFLOW);
    assert_eq!(cert["issuer"], ISSUER);
    assert_eq!(
        cert["extensions"]["sourceRepositoryURI"],
        "https://github.com/aspect-build/rules_lint"
    );
    assert_eq!(v["payloadType"], "application/vnd.in-toto+json");
    assert!(v["signingTime"]
        .as_str()
        .unwrap()
        .starts_with("2025-03-26T"));
}

#[test]
fn wrong_signer_exits_1_naming_the_identity_check() {
    let out = verify("MODULE-wrong-signer.bazel", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("identity check failed"), "{stderr}");
    assert!(stderr.contains("malicious_attestation.yaml"), "{stderr}");
}

#[test]
fn identity_regexps_are_anchored() {
    let d = dir();
    let run = |identity_re: &str| {
        Command::new(env!("CARGO_BIN_EXE_vouch"))
            .args(["verify", "bundle", "--bundle"])
            .arg(d.join("MODULE.bazel.intoto.jsonl"))
            .args(["--certificate-identity-regexp", identity_re])
            .args([
                "--certificate-oidc-issuer-regexp",
                r"https://token\.actions\.githubusercontent\.com",
            ])
            .arg(d.join("MODULE.bazel"))
            .output()
            .unwrap()
    };
    let ok = run(
        r"https://github\.com/bazel-contrib/publish-to-bcr/\.github/workflows/publish\.yaml@refs/tags/v.*",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let prefix = run(r"https://github\.com/bazel-contrib/");
    assert_eq!(prefix.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&prefix.stderr).contains("identity check failed"));
    let invalid = run(r"(unclosed");
    assert_eq!(invalid.status.code(), Some(2));
}
