//! `vouch pins` end to end: exit codes, JSON against its schema, SARIF, policy files,
//! `pins diff`, and this repository passing its own check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn vouch_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vouch"));
    c.args(args).env("NO_COLOR", "1");
    if let Some(d) = dir {
        c.current_dir(d);
    }
    c.output().unwrap()
}

fn vouch(args: &[&str]) -> Output {
    vouch_in(None, args)
}

fn fixture(rel: &str) -> String {
    vouch_testkit::shared_path(&format!("pinning-fixtures/{rel}"))
        .display()
        .to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn validator(rel: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(vouch_testkit::repo_root().join(rel)).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{doc}");
}

#[test]
fn exit_codes_follow_the_verdicts() {
    for (rel, code) in [
        ("scorecard/workflow-pinned.yaml", 0),
        ("scorecard/Dockerfile-pinned-arg", 0),
        ("pinned-examples/osv-scanner-reusable.yml", 0),
        ("scorecard/workflow-not-pinned.yaml", 1),
        ("scorecard/Dockerfile-pinned-as-without-hash", 1),
        ("zizmor/unpinned-images.yml", 1),
    ] {
        let o = vouch(&["pins", "--format", "json", &fixture(rel)]);
        assert_eq!(o.status.code(), Some(code), "{rel}: {}", stderr(&o));
    }
}

#[test]
fn json_report_matches_its_schema() {
    let v = validator("schemas/pins-report.schema.json");
    for rel in [
        "zizmor/unpinned-images.yml",
        "scorecard/Dockerfile-not-pinned-as",
        "scorecard/shell-download-lines.sh",
        "pinned-examples/osv-scanner-reusable.yml",
    ] {
        let o = vouch(&["pins", "--format", "json", &fixture(rel)]);
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_valid(&v, &doc);
    }
    // A lockfile run fills `lockfiles`.
    let lock = vouch_testkit::shared_path("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    let o = vouch(&["pins", "--format", "json", lock.to_str().unwrap()]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&v, &doc);
    assert_eq!(doc["lockfiles"][0]["packages"], 56);
}

#[test]
fn sarif_is_valid_and_located() {
    let v = validator("fixtures/sarif/sarif-2.1.0-subset.schema.json");
    let o = vouch(&[
        "pins",
        "--format",
        "sarif",
        &fixture("scorecard/github-workflow-multiple-unpinned-uses.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&v, &sarif);
    assert_valid(
        &validator("fixtures/sarif/sarif-2.1.0-rtm.5.schema.json"),
        &sarif,
    );
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let lines: Vec<u64> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, vec![22, 24]);
    assert_eq!(results[0]["ruleId"], "unpinned-action");
    let idx = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], "unpinned-action");
}

#[test]
fn table_names_file_line_and_code() {
    let o = vouch(&[
        "pins",
        "--format",
        "table",
        &fixture("scorecard/Dockerfile-not-pinned-as"),
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("Dockerfile-not-pinned-as:17"), "{out}");
    assert!(out.contains("unpinned-image"), "{out}");
    assert!(out.contains("2 errors"), "{out}");
}

#[test]
fn bad_input_is_exit_2_with_one_line() {
    let o = vouch(&["pins", "/nonexistent/workflow.yml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: `/nonexistent/workflow.yml` does not exist"),
        "{}",
        stderr(&o)
    );
    let o = vouch(&[
        "pins",
        "--format",
        "xml",
        &fixture("scorecard/workflow-pinned.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const WORKFLOW: &str = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container:\n      image: postgres:16\n    steps:\n      - uses: my-org/setup@v1\n      - uses: evil-corp/thing@0123456789012345678901234567890123456789\n";

#[test]
fn per_owner_policy_and_exceptions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", WORKFLOW);
    let run = |d: &Path| {
        let o = vouch(&["pins", "--format", "json", d.to_str().unwrap()]);
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        (o, doc)
    };
    let (o, doc) = run(dir.path());
    assert_eq!(o.status.code(), Some(1));
    let codes: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["unpinned-image", "unpinned-action"]);

    write(
        dir.path(),
        ".vouch/pins.toml",
        "[owners]\nmy-org = \"tag\"\nevil-corp = \"deny\"\n\n[[exceptions]]\ncode = \"unpinned-image\"\nsubject = \"postgres:16\"\nreason = \"mirrored and rescanned nightly\"\nexpires = \"2999-01-01\"\n",
    );
    let (o, doc) = run(dir.path());
    assert_eq!(o.status.code(), Some(1), "owner-denied still fails");
    let findings = doc["findings"].as_array().unwrap();
    let failing: Vec<&str> = findings
        .iter()
        .filter(|f| f.get("waived").is_none())
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(failing, vec!["owner-denied"]);
    let waived = findings.iter().find(|f| f.get("waived").is_some()).unwrap();
    assert_eq!(waived["waived"]["reason"], "mirrored and rescanned nightly");

    // Without the denied owner, the run passes.
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &WORKFLOW.replace("evil-corp", "good-corp"),
    );
    let (o, _) = run(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // An expired exception no longer applies and is itself reported.
    let policy = std::fs::read_to_string(dir.path().join(".vouch/pins.toml")).unwrap();
    write(
        dir.path(),
        ".vouch/pins.toml",
        &policy.replace("2999-01-01", "2001-01-01"),
    );
    let (o, doc) = run(dir.path());
    assert_eq!(o.status.code(), Some(1));
    let codes: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"exception-expired") && codes.contains(&"unpinned-image"),
        "{codes:?}"
    );

    // An exception without a reason is a bad policy file: exit 2.
    write(
        dir.path(),
        ".vouch/pins.toml",
        "[[exceptions]]\ncode = \"unpinned-image\"\nexpires = \"2999-01-01\"\n",
    );
    let (o, _) = run(dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pins.toml"), "{}", stderr(&o));
}

#[test]
fn kubernetes_and_compose_in_a_tree() {
    let dir = tempfile::tempdir().unwrap();
    let digest = "sha256:7df1eeff67eb0ba84f6b9d2940765a6bb1158081426745c185a03b1507de6a09";
    write(
        dir.path(),
        "deploy/app.yaml",
        &format!("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: init\n          image: busybox:1.36\n      containers:\n        - name: app\n          image: ghcr.io/o/app@{digest}\n"),
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  db:\n    image: postgres:16\n  web:\n    build: .\n",
    );
    write(dir.path(), "notes.yaml", "just: data\n");
    let o = vouch(&["pins", "--format", "json", dir.path().to_str().unwrap()]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("compose.yaml".to_owned(), 3),
            ("deploy/app.yaml".to_owned(), 8)
        ]
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn diff_exits_1_on_a_hash_changed_at_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let lock = std::fs::read_to_string(vouch_testkit::shared_path(
        "sbom-fixtures/rust/cargo-lock-basic/Cargo.lock",
    ))
    .unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("Cargo.lock"), &lock).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    let line = lock.lines().find(|l| l.starts_with("checksum = ")).unwrap();
    let tampered = lock.replacen(line, &format!("checksum = \"{}\"", "f".repeat(64)), 1);
    std::fs::write(dir.path().join("Cargo.lock"), tampered).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "two"]);
    let d = dir.path().to_str().unwrap();
    let o = vouch(&[
        "pins", "--format", "json", "diff", "--from", "HEAD~1", "--to", "HEAD", d,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&validator("schemas/lockfile-diff.schema.json"), &doc);
    assert_eq!(doc["summary"]["hashChanged"], 1);
    let o = vouch(&[
        "pins", "--format", "json", "diff", "--from", "HEAD", "--to", "HEAD", d,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = vouch(&["pins", "diff", "--from", "nope", d]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn this_repository_passes_its_own_pins_check() {
    let root: PathBuf = vouch_testkit::repo_root();
    let o = vouch_in(Some(&root), &["pins", "--format", "table", "."]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
}
