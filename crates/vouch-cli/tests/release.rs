//! End to end: build a small Cargo project, `vouch release` its binary, then
//! `vouch verify artifact` admits it under a policy requiring provenance + SBOM + scan, and
//! denies each tampered or non-compliant variant with its own reason.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BUILDER: &str = "https://ci.example/builders/release";

fn vouch(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch"))
        .dir(dir)
        .env("VOUCH_PASSWORD", "pw")
        .envs(envs)
        .run(args)
}

/// Copies the fixture crate and builds it offline; returns the binary's path.
fn build_fixture(dir: &Path) -> PathBuf {
    let src = vouch_testkit::repo_root().join("fixtures/release-crate");
    let project = dir.join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        std::fs::copy(src.join(f), project.join(f)).unwrap();
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let (ok, _, err) = vouch_testkit::run(
        Command::new(cargo)
            .current_dir(&project)
            .args(["build", "--offline", "--quiet"])
            .env("CARGO_TARGET_DIR", project.join("target"))
            .env_remove("RUSTFLAGS"),
    );
    assert!(ok, "cargo build of the fixture failed: {err}");
    let bin = project.join("target/debug/vouch-release-fixture");
    assert!(bin.is_file());
    bin
}

fn policy(dir: &Path, file: &str, builder: &str, max_age: &str) -> PathBuf {
    let text = format!(
        r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: fixture-release
    match: ["vouch-release-fixture"]
    signers:
      keys:
        - name: ci
          path: ci.pub
    attestations:
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
        condition: |
          package vouch
          allow if input.predicate.runDetails.builder.id == "{builder}"
      - name: sbom
        predicateType: cyclonedx
      - name: scan
        predicateType: https://cosign.sigstore.dev/attestation/vuln/v1
    maxAge: {max_age}
    rescan:
      failOn: critical
"#
    );
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

fn release(dir: &Path, bin: &Path, key: &str, bundle: &str, envs: &[(&str, &str)]) {
    let (code, _, err) = vouch(
        dir,
        &[
            "release",
            bin.to_str().unwrap(),
            "--key",
            key,
            "--bundle",
            bundle,
            "--project",
            "project",
            "--db",
            "db",
            "--builder-id",
            BUILDER,
            "--source-uri",
            "git+https://example.com/acme/fixture",
            "--source-commit",
            "4d329c75e7ec1725f7c9ce917a8799d408d06be3",
        ],
        envs,
    );
    assert_eq!(code, 0, "vouch release failed: {err}");
}

/// Runs `vouch verify artifact … --format json`; returns the exit code and the verdict.
fn verify(dir: &Path, artifact: &Path, bundle: &str, policy: &Path) -> (i32, Value) {
    let (code, out, err) = vouch(
        dir,
        &[
            "verify",
            "artifact",
            artifact.to_str().unwrap(),
            "--bundle",
            bundle,
            "--policy",
            policy.to_str().unwrap(),
            "--db",
            "db",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(
        code == 0 || code == 1,
        "verify could not run ({code}): {err}"
    );
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}")),
    )
}

fn codes(verdict: &Value) -> Vec<String> {
    verdict["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_denied(code: i32, verdict: &Value, expected: &str) {
    assert_eq!(code, 1, "{verdict:#}");
    assert_eq!(verdict["decision"], "denied");
    let c = codes(verdict);
    assert_eq!(c.first().map(String::as_str), Some(expected), "{verdict:#}");
    for f in verdict["failures"].as_array().unwrap() {
        assert!(
            !f["fix"].as_str().unwrap().is_empty(),
            "every failure says what would fix it"
        );
    }
}

#[test]
fn release_is_admitted_and_each_violation_denied_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let bin = build_fixture(d);
    for prefix in ["ci", "other"] {
        let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", prefix], &[]);
        assert_eq!(code, 0, "{err}");
    }
    let zip = vouch_testkit::shared_path("osv/crates.io/all.zip");
    let (code, _, err) = vouch(
        d,
        &["db", "import", zip.to_str().unwrap(), "--db", "db"],
        &[],
    );
    assert_eq!(code, 0, "{err}");

    release(d, &bin, "ci.key", "release.intoto.jsonl", &[]);
    let lines = std::fs::read_to_string(d.join("release.intoto.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 4, "SBOM, scan, pins, provenance");
    let mut sig = bin.clone().into_os_string();
    sig.push(".sigstore.json");
    assert!(Path::new(&sig).is_file(), "a blob signature per artifact");
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            bin.to_str().unwrap(),
            "--key",
            "ci.pub",
            "--bundle",
            Path::new(&sig).to_str().unwrap(),
            "--insecure-ignore-tlog",
        ],
        &[],
    );
    assert_eq!(code, 0, "the release's blob signature verifies: {err}");

    // Admitted.
    let good = policy(d, "policy.yaml", BUILDER, "30d");
    let (code, verdict) = verify(d, &bin, "release.intoto.jsonl", &good);
    assert_eq!(code, 0, "{verdict:#}");
    assert_eq!(verdict["decision"], "admitted");
    assert_eq!(verdict["artifact"]["digest"].as_str().unwrap().len(), 71);
    let checks: Vec<&str> = verdict["policies"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert!(
        checks.contains(&"condition") && checks.contains(&"rescan"),
        "{checks:?}"
    );

    // The binary changed by one byte.
    let changed_dir = d.join("changed");
    std::fs::create_dir_all(&changed_dir).unwrap();
    let changed = changed_dir.join("vouch-release-fixture");
    let mut bytes = std::fs::read(&bin).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&changed, bytes).unwrap();
    let (code, verdict) = verify(d, &changed, "release.intoto.jsonl", &good);
    assert_denied(code, &verdict, "subject-mismatch");

    // Statements signed by a key the policy does not trust.
    release(d, &bin, "other.key", "other.intoto.jsonl", &[]);
    let (code, verdict) = verify(d, &bin, "other.intoto.jsonl", &good);
    assert_denied(code, &verdict, "untrusted-signer");

    // A required attestation missing: the bundle without its SBOM line.
    let mut without_sbom = String::new();
    for l in lines.lines() {
        let b: Value = serde_json::from_str(l).unwrap();
        let payload = b["dsseEnvelope"]["payload"].as_str().unwrap();
        let st: Value =
            serde_json::from_slice(&vouch_sign::encoding::decode_base64(payload).unwrap()).unwrap();
        if st["predicateType"] != "https://cyclonedx.org/bom" {
            without_sbom.push_str(l);
            without_sbom.push('\n');
        }
    }
    std::fs::write(d.join("no-sbom.intoto.jsonl"), without_sbom).unwrap();
    let (code, verdict) = verify(d, &bin, "no-sbom.intoto.jsonl", &good);
    assert_denied(code, &verdict, "attestation-missing");
    assert!(verdict["failures"][0]["message"]
        .as_str()
        .unwrap()
        .contains("https://cyclonedx.org/bom"));

    // The Rego condition is false: the policy expects another builder.
    let strict = policy(d, "strict.yaml", "https://ci.example/builders/other", "30d");
    let (code, verdict) = verify(d, &bin, "release.intoto.jsonl", &strict);
    assert_denied(code, &verdict, "condition-failed");
    assert_eq!(codes(&verdict).len(), 1);

    // An attested SBOM whose re-scan now finds a critical vulnerability.
    std::fs::copy(d.join("release.intoto.jsonl"), d.join("vuln.intoto.jsonl")).unwrap();
    let sbom = vouch_testkit::repo_root().join("fixtures/release-crate/vulnerable-sbom.cdx.json");
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            bin.to_str().unwrap(),
            "--key",
            "ci.key",
            "--predicate",
            sbom.to_str().unwrap(),
            "--type",
            "cyclonedx",
            "--bundle",
            "vuln.intoto.jsonl",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (code, verdict) = verify(d, &bin, "vuln.intoto.jsonl", &good);
    assert_denied(code, &verdict, "vulnerability-found");
    assert!(verdict["failures"][0]["message"]
        .as_str()
        .unwrap()
        .contains("RUSTSEC-2017-0004"));
    assert_eq!(codes(&verdict).len(), 1);

    // Attestations older than the maximum age (made 40 days ago).
    let old = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 40 * 86_400)
        .to_string();
    release(
        d,
        &bin,
        "ci.key",
        "old.intoto.jsonl",
        &[("SOURCE_DATE_EPOCH", &old)],
    );
    let (code, verdict) = verify(d, &bin, "old.intoto.jsonl", &good);
    assert_denied(code, &verdict, "attestation-too-old");
    assert!(codes(&verdict).iter().all(|c| c == "attestation-too-old"));

    // An artifact no policy matches.
    let renamed = d.join("renamed-binary");
    std::fs::copy(&bin, &renamed).unwrap();
    let (code, verdict) = verify(d, &renamed, "release.intoto.jsonl", &good);
    assert_denied(code, &verdict, "no-matching-policy");
}

#[test]
fn release_fails_on_scan_findings_unless_told_to_continue() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let project = d.join("project");
    std::fs::create_dir_all(&project).unwrap();
    // A lockfile-only project locking base64 0.5.1 (RUSTSEC-2017-0004, critical).
    std::fs::write(
        project.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"base64\",\n]\n\n[[package]]\nname = \"base64\"\nversion = \"0.5.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"9a9a7e7be4eb1e5f61fb6e2bd8d7e8c1a1b7c7e1cf44e4bd7b0a9d8a8c5a6b1c\"\n",
    )
    .unwrap();
    std::fs::write(d.join("app"), b"binary").unwrap();
    let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", "ci"], &[]);
    assert_eq!(code, 0, "{err}");
    let zip = vouch_testkit::shared_path("osv/crates.io/all.zip");
    let (code, _, err) = vouch(
        d,
        &["db", "import", zip.to_str().unwrap(), "--db", "db"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let args = [
        "release",
        "app",
        "--key",
        "ci.key",
        "--project",
        "project",
        "--db",
        "db",
        "--no-pins",
        "--builder-id",
        BUILDER,
    ];
    let (code, _, err) = vouch(d, &args, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("vulnerabilit"), "{err}");
    // The attestations were written all the same, and record the finding.
    let text = std::fs::read_to_string(d.join("app.intoto.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 3, "SBOM, scan, provenance");
    assert!(text.lines().any(|l| {
        let b: Value = serde_json::from_str(l).unwrap();
        let raw =
            vouch_sign::encoding::decode_base64(b["dsseEnvelope"]["payload"].as_str().unwrap())
                .unwrap();
        String::from_utf8(raw)
            .unwrap()
            .contains("RUSTSEC-2017-0004")
    }));
    let mut cont = args.to_vec();
    cont.push("--continue-on-findings");
    let (code, _, err) = vouch(d, &cont, &[]);
    assert_eq!(code, 0, "{err}");
    // Only findings at or above --fail-on count.
    let mut high = args.to_vec();
    high.extend(["--fail-on", "critical"]);
    let (code, _, _) = vouch(d, &high, &[]);
    assert_eq!(code, 1);
}
