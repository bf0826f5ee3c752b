//! `vouch attest`: in-toto Statement v1 in DSSE in Sigstore bundles v0.3, appended to a
//! `.intoto.jsonl` bundle; checked with independent verifiers (`securesystemslib` for the
//! DSSE envelopes, `@sigstore/verify` for the bundles).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn vouch(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch"))
        .dir(dir)
        .env("VOUCH_PASSWORD", "pw")
        .envs(envs)
        .run(args)
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", "ci"], &[]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(d.join("app-linux.tar"), b"linux build\n".repeat(50)).unwrap();
    std::fs::write(d.join("app-macos.tar"), b"macos build\n".repeat(50)).unwrap();
    dir
}

fn sha256_hex(path: &Path) -> String {
    vouch_attest::sha256(&std::fs::read(path).unwrap())
        .hex()
        .to_owned()
}

fn statement(line: &Value) -> Value {
    assert_eq!(
        line["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let env = &line["dsseEnvelope"];
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    let raw = vouch_sign::encoding::decode_base64(env["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn python_dsse_verifier() -> Option<PathBuf> {
    if !vouch_testkit::require_tool("python3") {
        return None;
    }
    let (ok, _, _) = vouch_testkit::run(
        Command::new("python3").args(["-c", "import securesystemslib, cryptography"]),
    );
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "securesystemslib missing: .ci/run installs tests/verifiers/requirements.txt"
        );
        return None;
    }
    Some(vouch_testkit::repo_root().join("tests/verifiers/dsse_verify.py"))
}

fn node_bundle_verifier() -> Option<PathBuf> {
    if !vouch_testkit::require_tool("node") {
        return None;
    }
    let dir = vouch_testkit::repo_root().join("tests/verifiers");
    if !dir.join("node_modules/@sigstore/verify").is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tests/verifiers/node_modules is missing: .ci/run runs `npm ci` there"
        );
        return None;
    }
    Some(dir.join("sigstore-verify.js"))
}

#[test]
fn attestations_append_and_verify_with_independent_verifiers() {
    let dir = setup();
    let d = dir.path();
    let vex = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/1",
        "author": "Release team",
        "timestamp": "2026-01-01T00:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": "RUSTSEC-2017-0004"},
            "products": [{"@id": "pkg:cargo/app@1.0.0"}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path"
        }]
    });
    std::fs::write(d.join("vex.json"), vex.to_string()).unwrap();
    std::fs::write(
        d.join("change.json"),
        json!({
            "version": 1,
            "from": {"rev": "v1", "commit": "1".repeat(40)},
            "to": {"rev": "HEAD", "commit": "2".repeat(40)},
            "lockfiles": [],
            "summary": {"added": 0, "removed": 0, "upgraded": 0, "downgraded": 0, "sourceChanged": 0, "hashChanged": 0}
        })
        .to_string(),
    )
    .unwrap();
    let arts = ["app-linux.tar", "app-macos.tar"];
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            arts[0],
            arts[1],
            "--key",
            "ci.key",
            "--bundle",
            "out.intoto.jsonl",
            "--predicate",
            "vex.json",
            "--type",
            "openvex",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            arts[0],
            arts[1],
            "--key",
            "ci.key",
            "--bundle",
            "out.intoto.jsonl",
            "--provenance",
            "--builder-id",
            "https://ci.example/b",
            "--lockfile-diff",
            "change.json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");

    let all = lines(&d.join("out.intoto.jsonl"));
    assert_eq!(all.len(), 3, "one line per attestation, appended");
    let types: Vec<String> = all
        .iter()
        .map(|l| statement(l)["predicateType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "https://openvex.dev/ns/v0.2.0",
            "https://vouch.dev/attestation/lockfile-change/v1",
            "https://slsa.dev/provenance/v1"
        ]
    );
    for line in &all {
        let st = statement(line);
        assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
        let subjects = st["subject"].as_array().unwrap();
        assert_eq!(subjects.len(), 2);
        for (s, a) in subjects.iter().zip(arts) {
            assert_eq!(s["name"], a);
            assert_eq!(s["digest"]["sha256"], sha256_hex(&d.join(a)));
        }
    }
    let prov = statement(&all[2]);
    assert_eq!(
        prov["predicate"]["runDetails"]["builder"]["id"],
        "https://ci.example/b"
    );
    assert_eq!(
        prov["predicate"]["buildDefinition"]["buildType"],
        "https://vouch.dev/attestation/buildtypes/release/v1"
    );
    assert_eq!(statement(&all[0])["predicate"], vex);

    // Independent verifiers, one line at a time.
    let dsse = python_dsse_verifier();
    let node = node_bundle_verifier();
    let root = vouch_testkit::shared_path(
        "vectors/sigstore/trusted-roots/public-good-production.trusted_root.json",
    );
    for (i, line) in all.iter().enumerate() {
        let file = d.join(format!("line{i}.json"));
        std::fs::write(&file, serde_json::to_vec(line).unwrap()).unwrap();
        if let Some(script) = &dsse {
            let (ok, out, err) = vouch_testkit::run(
                Command::new("python3")
                    .arg(script)
                    .arg(&file)
                    .arg(d.join("ci.pub")),
            );
            assert!(ok, "securesystemslib rejects line {i}: {out}{err}");
        }
        if let Some(script) = &node {
            let (ok, out, err) = vouch_testkit::run(
                Command::new("node")
                    .arg(script)
                    .arg(&file)
                    .arg(d.join("ci.pub"))
                    .arg(&root),
            );
            assert!(ok, "@sigstore/verify rejects line {i}: {out}{err}");
        }
    }
    // And a forged payload is rejected by them too (the harness is not a rubber stamp).
    if let Some(script) = &dsse {
        let mut forged = all[2].clone();
        let text = serde_json::to_string(&prov)
            .unwrap()
            .replace("ci.example/b", "ci.example/x");
        forged["dsseEnvelope"]["payload"] =
            Value::String(vouch_sign::encoding::encode_base64(text.as_bytes()));
        let file = d.join("forged.json");
        std::fs::write(&file, serde_json::to_vec(&forged).unwrap()).unwrap();
        let (ok, _, _) = vouch_testkit::run(
            Command::new("python3")
                .arg(script)
                .arg(&file)
                .arg(d.join("ci.pub")),
        );
        assert!(!ok, "securesystemslib accepted a forged payload");
    }
}

#[test]
fn provenance_is_filled_from_github_actions() {
    let dir = setup();
    let d = dir.path();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "acme/app"),
        (
            "GITHUB_WORKFLOW_REF",
            "acme/app/.github/workflows/release.yml@refs/tags/v1.2.0",
        ),
        ("GITHUB_RUN_ID", "1234"),
        ("GITHUB_RUN_ATTEMPT", "1"),
        ("GITHUB_SHA", "4d329c75e7ec1725f7c9ce917a8799d408d06be3"),
        ("GITHUB_REF", "refs/tags/v1.2.0"),
        ("GITHUB_EVENT_NAME", "push"),
        ("SOURCE_DATE_EPOCH", "1767225600"),
    ];
    let (code, out, err) = vouch(
        d,
        &[
            "attest",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--provenance",
            "--project",
            ".",
        ],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    let line: Value = serde_json::from_str(out.trim()).unwrap();
    let p = &statement(&line)["predicate"];
    assert_eq!(
        p["runDetails"]["builder"]["id"],
        "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0"
    );
    assert_eq!(
        p["runDetails"]["metadata"]["invocationId"],
        "https://github.com/acme/app/actions/runs/1234/attempts/1"
    );
    assert_eq!(
        p["runDetails"]["metadata"]["finishedOn"],
        "2026-01-01T00:00:00Z"
    );
    let deps = p["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap();
    assert_eq!(
        deps[0]["uri"],
        "git+https://github.com/acme/app@refs/tags/v1.2.0"
    );
    assert_eq!(
        deps[0]["digest"]["gitCommit"],
        "4d329c75e7ec1725f7c9ce917a8799d408d06be3"
    );
    assert_eq!(
        p["buildDefinition"]["internalParameters"]["github"]["event_name"],
        "push"
    );
}

#[test]
fn bad_input_writes_nothing() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(d.join("not-vex.json"), br#"{"hello": "world"}"#).unwrap();
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--bundle",
            "b.intoto.jsonl",
            "--predicate",
            "not-vex.json",
            "--type",
            "openvex",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not-vex.json"), "{err}");
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--bundle",
            "b.intoto.jsonl",
            "--predicate",
            "not-vex.json",
            "--type",
            "bogus",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown predicate type `bogus`"), "{err}");
    // Outside CI, provenance needs a builder id.
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--bundle",
            "b.intoto.jsonl",
            "--provenance",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--builder-id"), "{err}");
    assert!(!d.join("b.intoto.jsonl").exists());
}

#[test]
fn spdx_sbom_attestation_verifies_under_the_key_shorthand() {
    let dir = setup();
    let d = dir.path();
    let project = vouch_testkit::repo_root().join("fixtures/release-crate");
    let (code, _, err) = vouch(
        d,
        &[
            "attest",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--bundle",
            "b.intoto.jsonl",
            "--sbom",
            "--sbom-format",
            "spdx",
            "--project",
            project.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let st = statement(&lines(&d.join("b.intoto.jsonl"))[0]);
    assert_eq!(st["predicateType"], "https://spdx.dev/Document");
    assert_eq!(st["predicate"]["spdxVersion"], "SPDX-2.3");
    let (code, out, err) = vouch(
        d,
        &[
            "verify",
            "artifact",
            "app-linux.tar",
            "--bundle",
            "b.intoto.jsonl",
            "--key",
            "ci.pub",
            "--require-predicate",
            "spdx",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("admitted: app-linux.tar"), "{out}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--lockfile-diff` wrapped any JSON object, so a file that was not a change record (or a
/// revision range, which it could not compute) was signed or failed as "cannot read file";
/// it now takes the record `vouch pins diff` writes, or computes it from `FROM..TO`.
#[test]
fn lockfile_diff_takes_the_pins_diff_record_or_a_revision_range() {
    let dir = setup();
    let d = dir.path();
    let lock = |v: &str| {
        format!(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\"]\n\n[[package]]\nname = \"itoa\"\nversion = \"{v}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            if v == "1.0.10" { "a".repeat(64) } else { "b".repeat(64) }
        )
    };
    let repo = d.join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("Cargo.lock"), lock("1.0.10")).unwrap();
    git(&repo, &["add", "Cargo.lock"]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    git(&repo, &["tag", "v1"]);
    std::fs::write(repo.join("Cargo.lock"), lock("1.0.11")).unwrap();
    git(&repo, &["commit", "-q", "-am", "two"]);

    let (code, out, err) = vouch(
        &repo,
        &["pins", "diff", "--from", "v1", "--format", "json"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    std::fs::write(d.join("change.json"), &out).unwrap();
    let pins_record: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(pins_record["summary"]["upgraded"], 1, "{out}");

    for spec in ["change.json", "v1..HEAD", "v1.."] {
        let (code, _, err) = vouch(
            d,
            &[
                "attest",
                "app-linux.tar",
                "--key",
                "ci.key",
                "--bundle",
                "b.intoto.jsonl",
                "--lockfile-diff",
                spec,
                "--project",
                "repo",
            ],
            &[],
        );
        assert_eq!(code, 0, "{spec}: {err}");
    }
    let all = lines(&d.join("b.intoto.jsonl"));
    assert_eq!(all.len(), 3);
    for line in &all {
        let st = statement(line);
        assert_eq!(
            st["predicateType"],
            "https://vouch.dev/attestation/lockfile-change/v1"
        );
        assert_eq!(st["predicate"]["record"], pins_record);
    }

    // The same record given as a full predicate with --type is checked too.
    let wrapped = |record: Value| {
        json!({"generatedAt": "2026-01-01T00:00:00Z", "tool": {"name": "vouch", "version": "0"}, "record": record})
            .to_string()
    };
    std::fs::write(d.join("pred-ok.json"), wrapped(pins_record.clone())).unwrap();
    std::fs::write(d.join("pred-bad.json"), wrapped(json!({"added": []}))).unwrap();
    for (file, code_wanted) in [("pred-ok.json", 0), ("pred-bad.json", 2)] {
        let (code, _, err) = vouch(
            d,
            &[
                "attest",
                "app-linux.tar",
                "--key",
                "ci.key",
                "--predicate",
                file,
                "--type",
                "lockfile-change",
            ],
            &[],
        );
        assert_eq!(code, code_wanted, "{file}: {err}");
    }

    // Not a change record, or neither a file nor a range: exit 2 naming it, nothing written.
    std::fs::write(d.join("other.json"), br#"{"added": []}"#).unwrap();
    for (spec, says) in [
        ("other.json", "`other.json`: not a lockfile change record"),
        ("missing.json", "`missing.json`: cannot read file"),
        ("nosuchrev..HEAD", "nosuchrev"),
    ] {
        let (code, _, err) = vouch(
            d,
            &[
                "attest",
                "app-linux.tar",
                "--key",
                "ci.key",
                "--bundle",
                "c.intoto.jsonl",
                "--lockfile-diff",
                spec,
                "--project",
                "repo",
            ],
            &[],
        );
        assert_eq!(code, 2, "{spec}: {err}");
        assert!(err.contains(says), "{spec}: {err}");
        assert!(!d.join("c.intoto.jsonl").exists());
    }
}

/// `vouch attest a a ./a` listed the same subject three times in the statement.
#[test]
fn an_artifact_named_twice_is_one_subject() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(d.join("pred.json"), br#"{"a": 1}"#).unwrap();
    let (code, out, err) = vouch(
        d,
        &[
            "attest",
            "app-linux.tar",
            "app-macos.tar",
            "./app-linux.tar",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--predicate",
            "pred.json",
            "--type",
            "https://example.com/t",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let line: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let names: Vec<String> = statement(&line)["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["app-linux.tar", "app-macos.tar"]);
}

/// `vouch release -o F` / `--format json` and `vouch attest --bundle B -o F` accepted the
/// global flags and silently ignored them; they are usage errors now, before anything runs.
#[test]
fn output_flags_that_would_be_ignored_are_errors() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(d.join("pred.json"), br#"{"a": 1}"#).unwrap();
    let attest = |extra: &[&str]| {
        let mut args = vec![
            "attest",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--predicate",
            "pred.json",
            "--type",
            "https://example.com/t",
        ];
        args.extend_from_slice(extra);
        vouch(d, &args, &[])
    };
    let (code, _, err) = attest(&["--bundle", "b.intoto.jsonl", "-o", "out.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--bundle `b.intoto.jsonl` and -o `out.jsonl`"),
        "{err}"
    );
    let (code, _, err) = attest(&["--format", "json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown output format `json`"), "{err}");
    let (code, out, err) = attest(&["--format", "jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);

    for (extra, says) in [
        (&["-o", "summary.json"][..], "-o is not supported"),
        (&["--format", "json"], "unknown output format `json`"),
    ] {
        let mut args = vec![
            "release",
            "app-linux.tar",
            "--key",
            "ci.key",
            "--no-pins",
            "--builder-id",
            "https://ci.example/b",
        ];
        args.extend_from_slice(extra);
        let (code, _, err) = vouch(d, &args, &[]);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.lines().next().unwrap().starts_with("error: "), "{err}");
        assert!(err.contains(says), "{err}");
    }
    assert!(!d.join("b.intoto.jsonl").exists());
    assert!(!d.join("out.jsonl").exists());
    assert!(!d.join("summary.json").exists());
    assert!(!d.join("app-linux.tar.intoto.jsonl").exists());
}
