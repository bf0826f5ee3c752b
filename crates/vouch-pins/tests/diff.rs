//! `pins diff`: a git repository with two commits of a Cargo.lock and a package-lock.json
//! (both derived from shared lockfiles) gives every change category.

use std::path::Path;
use std::process::Command;

use vouch_pins::diff::{diff_revisions, ChangeKind, ChangeRecord};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the fixture");
    text.replacen(from, to, 1)
}

const EXTRA_CRATE: &str = "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{sum}\"\n";

fn extra(name: &str, version: &str, sum: char) -> String {
    EXTRA_CRATE
        .replace("{name}", name)
        .replace("{version}", version)
        .replace("{sum}", &sum.to_string().repeat(64))
}

fn repo() -> (tempfile::TempDir, ChangeRecord) {
    let cargo = std::fs::read_to_string(vouch_testkit::shared_path(
        "lockfiles/crates.io/ripgrep/HEAD-2026-08/Cargo.lock",
    ))
    .unwrap();
    let npm = std::fs::read_to_string(vouch_testkit::shared_path(
        "sbom-fixtures/npm/package-lock-v3/package-lock.json",
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(
        dir.path().join("Cargo.lock"),
        format!("{cargo}{}", extra("old-gone", "0.1.0", 'a')),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("web")).unwrap();
    std::fs::write(dir.path().join("web/package-lock.json"), &npm).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);

    // Cargo.lock: aho-corasick upgraded, bstr downgraded, log moved to a git source, memchr
    // re-published with another checksum (the tampered copy), old-gone removed, brand-new added.
    let mut c = replace_once(
        &cargo,
        "name = \"aho-corasick\"\nversion = \"1.1.5\"",
        "name = \"aho-corasick\"\nversion = \"1.2.0\"",
    );
    c = replace_once(
        &c,
        "name = \"bstr\"\nversion = \"1.13.0\"",
        "name = \"bstr\"\nversion = \"1.12.1\"",
    );
    c = replace_once(
        &c,
        "name = \"log\"\nversion = \"0.4.33\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0ceec5bc11778974d1bcb055b18002eba7f4b3518b6a0081b3af5f21666da9ad\"",
        "name = \"log\"\nversion = \"0.4.33\"\nsource = \"git+https://github.com/evil/log?rev=0123456789012345678901234567890123456789#0123456789012345678901234567890123456789\"",
    );
    c = replace_once(
        &c,
        "cf8baf1c55e62ffcace7a9f06f4bd9cd3f0c4beb022d3b367256b91b87513d98",
        "0000000000000000000000000000000000000000000000000000000000000bad",
    );
    std::fs::write(
        dir.path().join("Cargo.lock"),
        format!("{c}{}", extra("brand-new", "3.0.0", 'b')),
    )
    .unwrap();

    // package-lock.json: csstype upgraded, @types/react downgraded, async's integrity changed
    // at the same version, @types/scheduler removed, left-pad added, @types/prop-types moved.
    let mut n = replace_once(&npm, "\"version\": \"3.1.1\"", "\"version\": \"3.1.3\"");
    n = replace_once(&n, "csstype-3.1.1.tgz", "csstype-3.1.3.tgz");
    n = replace_once(&n, "\"version\": \"18.0.20\"", "\"version\": \"18.0.9\"");
    n = replace_once(&n, "react-18.0.20.tgz", "react-18.0.9.tgz");
    n = replace_once(
        &n,
        "sha512-iAB+JbDEGXhyIUavoDl9WP/Jj106Kz9DEn1DPgYw5ruDn0e3Wgi3sKFm55sASdGBNOQB8F59d9qQ7deqrHA8wQ==",
        "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
    );
    n = replace_once(
        &n,
        "    \"node_modules/@types/scheduler\": {\n      \"version\": \"0.16.2\",\n      \"resolved\": \"https://registry.npmjs.org/@types/scheduler/-/scheduler-0.16.2.tgz\",\n      \"integrity\": \"sha512-hppQEBDmlwhFAXKJX2KnWLYu5yMfi91yazPb2l+lbJiwW+wdo1gNeRA+3RgNSO39WYX2euey41KEwnqesU2Jew==\"\n    },\n",
        "    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n      \"integrity\": \"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEvHmIMrlZ2QZ/ydmYpU2H8kLG5AqLYEtyu6jYEN9O6HzKA==\"\n    },\n",
    );
    n = replace_once(
        &n,
        "https://registry.npmjs.org/@types/prop-types/-/prop-types-15.7.5.tgz",
        "https://npm.evil.example/@types/prop-types/-/prop-types-15.7.5.tgz",
    );
    std::fs::write(dir.path().join("web/package-lock.json"), n).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "two"]);
    let record = diff_revisions(dir.path(), "HEAD~1", "HEAD").unwrap();
    (dir, record)
}

fn kinds(record: &ChangeRecord, file: &str) -> Vec<(ChangeKind, String)> {
    let l = record.lockfiles.iter().find(|l| l.file == file).unwrap();
    let mut v: Vec<_> = l.changes.iter().map(|c| (c.kind, c.name.clone())).collect();
    v.sort();
    v
}

#[test]
fn every_change_category() {
    let (_dir, record) = repo();
    assert_eq!(record.lockfiles.len(), 2);
    assert_eq!(
        kinds(&record, "Cargo.lock"),
        vec![
            (ChangeKind::Added, "brand-new".to_owned()),
            (ChangeKind::Removed, "old-gone".to_owned()),
            (ChangeKind::Upgraded, "aho-corasick".to_owned()),
            (ChangeKind::Downgraded, "bstr".to_owned()),
            (ChangeKind::SourceChanged, "log".to_owned()),
            (ChangeKind::HashChanged, "memchr".to_owned()),
        ]
    );
    assert_eq!(
        kinds(&record, "web/package-lock.json"),
        vec![
            (ChangeKind::Added, "left-pad".to_owned()),
            (ChangeKind::Removed, "@types/scheduler".to_owned()),
            (ChangeKind::Upgraded, "csstype".to_owned()),
            (ChangeKind::Downgraded, "@types/react".to_owned()),
            (ChangeKind::SourceChanged, "@types/prop-types".to_owned()),
            (ChangeKind::HashChanged, "async".to_owned()),
        ]
    );
    assert!(record.has_critical());
    let critical: Vec<_> = record
        .lockfiles
        .iter()
        .flat_map(|l| &l.changes)
        .filter(|c| c.critical)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(critical, vec!["memchr", "async"]);
    let memchr = record.lockfiles[0]
        .changes
        .iter()
        .find(|c| c.name == "memchr")
        .unwrap();
    assert_eq!(
        memchr.from.as_ref().unwrap().version,
        memchr.to.as_ref().unwrap().version
    );
    assert_eq!(record.summary.hash_changed, 2);
    assert_eq!(record.summary.added, 2);
    assert_eq!(record.from.commit.len(), 40);
    assert_ne!(record.from.commit, record.to.commit);
}

#[test]
fn record_matches_its_schema() {
    let (_dir, record) = repo();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            vouch_testkit::repo_root().join("schemas/lockfile-diff.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value = serde_json::to_value(&record).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // A record missing its revisions is rejected.
    let mut broken = value.clone();
    broken.as_object_mut().unwrap().remove("from");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn unchanged_revisions_give_an_empty_record() {
    let (dir, _) = repo();
    let r = diff_revisions(dir.path(), "HEAD", "HEAD").unwrap();
    assert!(r.lockfiles.is_empty());
    assert!(!r.has_critical());
    assert!(diff_revisions(dir.path(), "no-such-rev", "HEAD").is_err());
}
