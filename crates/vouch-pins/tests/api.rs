//! The library surface others build on: codes documented and in the schema, the report's
//! JSON against its schema, verified pins for SLSA `resolvedDependencies`, policy sources.

use std::path::Path;

use vouch_pins::scan::Options;
use vouch_pins::{Code, Config};

fn root() -> std::path::PathBuf {
    vouch_testkit::repo_root()
}

#[test]
fn every_code_is_documented_and_in_the_schema() {
    let doc = std::fs::read_to_string(root().join("docs/pins-codes.md")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/pins-report.schema.json")).unwrap(),
    )
    .unwrap();
    let in_schema: Vec<&str> = schema["$defs"]["finding"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(in_schema, ours);
    for c in Code::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", c.as_str())),
            "{c} is not in docs/pins-codes.md"
        );
        // serde and as_str agree.
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn report_schema_and_resolved_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let img =
        "ghcr.io/o/app:1@sha256:7df1eeff67eb0ba84f6b9d2940765a6bb1158081426745c185a03b1507de6a09";
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &format!("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container:\n      image: {img}\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - uses: actions/setup-node@v4\n"),
    );
    let lock = std::fs::read(vouch_testkit::shared_path(
        "sbom-fixtures/rust/cargo-lock-basic/Cargo.lock",
    ))
    .unwrap();
    std::fs::write(dir.path().join("Cargo.lock"), &lock).unwrap();
    let opts = Options {
        tools: false,
        ..Options::default()
    };
    let report = vouch_pins::check_path(dir.path(), &Config::default(), &opts).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/pins-report.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(report.failed(), "setup-node@v4 is unpinned");

    let deps = report.resolved_dependencies();
    let uris: Vec<&str> = deps.iter().map(|d| d.uri.as_str()).collect();
    assert_eq!(
        uris,
        vec![
            "file:Cargo.lock",
            "git+https://github.com/actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
            "oci://ghcr.io/o/app:1@sha256:7df1eeff67eb0ba84f6b9d2940765a6bb1158081426745c185a03b1507de6a09",
        ]
    );
    use sha2::Digest as _;
    let lock_digest = hex::encode(sha2::Sha256::digest(&lock));
    assert_eq!(deps[0].digest["sha256"], lock_digest);
    assert_eq!(
        deps[1].digest["gitCommit"],
        "11bd71901bbe5b1630ceea73d27597364c9af683"
    );
    assert_eq!(
        report
            .references
            .iter()
            .find(|r| r.line == 8)
            .unwrap()
            .comment
            .as_deref(),
        Some("v4.2.2")
    );
}

#[test]
fn allowed_sources_extend_the_registry_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    let poetry = std::fs::read(vouch_testkit::shared_path(
        "sbom-fixtures/python/poetry-dev-deps/poetry.lock",
    ))
    .unwrap();
    std::fs::write(dir.path().join("poetry.lock"), &poetry).unwrap();
    let opts = Options {
        tools: false,
        ..Options::default()
    };
    let r = vouch_pins::check_path(dir.path(), &Config::default(), &opts).unwrap();
    assert!(r.with_code(Code::DisallowedSource).count() > 0);
    let config = Config::parse(
        ".vouch/pins.toml",
        "allowed-sources = [\"https://test.pypi.org/simple\"]\n",
    )
    .unwrap();
    let r = vouch_pins::check_path(dir.path(), &config, &opts).unwrap();
    assert_eq!(r.with_code(Code::DisallowedSource).count(), 0);
}

fn git(dir: &Path, args: &[&str]) {
    let o = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn lockfiles_must_be_tracked_and_in_sync() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    );
    write(d, "src/lib.rs", "");
    write(d, "Cargo.lock", "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\n");
    let opts = Options::default();
    let r = vouch_pins::check_path(d, &Config::default(), &opts).unwrap();
    assert_eq!(r.lockfiles[0].tracked, Some(false));
    assert_eq!(r.lockfiles[0].in_sync, Some(true));
    let codes: Vec<Code> = r.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![Code::LockfileUntracked]);

    git(d, &["add", "Cargo.lock", "Cargo.toml", "src/lib.rs"]);
    let r = vouch_pins::check_path(d, &Config::default(), &opts).unwrap();
    assert_eq!(r.lockfiles[0].tracked, Some(true));
    assert!(!r.failed(), "{:?}", r.findings);

    // The manifest moves on without the lockfile: `cargo metadata --locked` would rewrite it.
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.2.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    );
    let r = vouch_pins::check_path(d, &Config::default(), &opts).unwrap();
    assert_eq!(r.lockfiles[0].in_sync, Some(false));
    let codes: Vec<Code> = r.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![Code::LockfileOutOfSync]);

    // A manifest with dependencies and no lockfile at all.
    std::fs::remove_file(d.join("Cargo.lock")).unwrap();
    write(
        d,
        "web/package.json",
        "{\"name\": \"w\", \"dependencies\": {\"left-pad\": \"^1.3.0\"}}",
    );
    let r = vouch_pins::check_path(d, &Config::default(), &opts).unwrap();
    let mut got: Vec<(String, Code)> = r
        .findings
        .iter()
        .map(|f| (f.file.clone(), f.code))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("Cargo.toml".to_owned(), Code::LockfileMissing),
            ("web/package.json".to_owned(), Code::LockfileMissing)
        ]
    );
}

#[test]
fn scripts_run_by_workflows_and_dockerfiles_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sudo -E bash .ci/setup --fast\n",
    );
    write(
        d,
        ".ci/setup",
        "#!/bin/sh\nset -e\ncurl -fsSL https://get.example.com | sh\n",
    );
    write(d, "Dockerfile", "FROM scratch\nRUN ./tools/bootstrap\n");
    write(d, "tools/bootstrap", "npm install\n");
    let opts = Options {
        lockfiles: false,
        ..Options::default()
    };
    let r = vouch_pins::check_path(d, &Config::default(), &opts).unwrap();
    let got: Vec<(&str, Code, Option<u32>)> = r
        .findings
        .iter()
        .map(|f| (f.file.as_str(), f.code, f.line))
        .collect();
    assert_eq!(
        got,
        vec![
            (".ci/setup", Code::DownloadThenRun, Some(3)),
            ("tools/bootstrap", Code::NpmInstall, Some(1)),
        ]
    );
}

#[test]
fn helm_templates_are_not_manifests_until_rendered() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "chart/templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n",
    );
    let opts = Options {
        lockfiles: false,
        ..Options::default()
    };
    let r = vouch_pins::check_path(dir.path(), &Config::default(), &opts).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // Named explicitly, the template's image is a run-time expression.
    let r = vouch_pins::check_path(
        &dir.path().join("chart/templates/deploy.yaml"),
        &Config::default(),
        &opts,
    )
    .unwrap();
    assert_eq!(
        r.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![Code::ExpressionReference]
    );
}
