//! Lockfile records over every lockfile in `../shared/lockfiles` and `../shared/sbom-fixtures`.

use std::path::{Path, PathBuf};

use vouch_lockfile::LockfileKind;
use vouch_pins::records::{check_lockfile, HashStrength};
use vouch_pins::{Code, Finding, LockfileSummary};

fn all_lockfiles(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            all_lockfiles(&p, out);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(LockfileKind::from_file_name)
            .is_some_and(|k| k != LockfileKind::GoMod)
        {
            out.push(p);
        }
    }
}

fn run(path: &Path) -> (Option<LockfileSummary>, Vec<Finding>) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let kind = LockfileKind::from_file_name(name).unwrap();
    let bytes = std::fs::read(path).unwrap();
    check_lockfile(name, kind, &bytes, None, path.parent().unwrap(), false)
}

fn codes(f: &[Finding]) -> Vec<Code> {
    let mut c: Vec<Code> = f.iter().map(|f| f.code).collect();
    c.sort();
    c.dedup();
    c
}

#[test]
fn every_shared_lockfile_is_checked() {
    let mut files = Vec::new();
    all_lockfiles(&vouch_testkit::shared_path("lockfiles"), &mut files);
    all_lockfiles(&vouch_testkit::shared_path("sbom-fixtures"), &mut files);
    assert!(files.len() > 30, "{}", files.len());
    for f in &files {
        let (summary, findings) = run(f);
        let s = summary.unwrap_or_else(|| panic!("{} was not checked: {findings:?}", f.display()));
        assert!(s.recorded <= s.packages, "{}", f.display());
        assert!(
            !codes(&findings).contains(&Code::ParseError),
            "{}: {findings:?}",
            f.display()
        );
    }
}

fn shared(rel: &str) -> PathBuf {
    vouch_testkit::shared_path(rel)
}

fn count(f: &[Finding], code: Code) -> usize {
    f.iter().filter(|x| x.code == code).count()
}

fn lines(f: &[Finding], code: Code) -> Vec<u32> {
    f.iter()
        .filter(|x| x.code == code)
        .filter_map(|x| x.line)
        .collect()
}

#[test]
fn cargo_lock_every_entry_has_a_sha256() {
    let (s, f) = run(&shared(
        "lockfiles/crates.io/ripgrep/HEAD-2026-08/Cargo.lock",
    ));
    let s = s.unwrap();
    let text = std::fs::read_to_string(shared(
        "lockfiles/crates.io/ripgrep/HEAD-2026-08/Cargo.lock",
    ))
    .unwrap();
    // Oracle: registry entries are the ones with a `checksum = ` line.
    let checksums = text
        .lines()
        .filter(|l| l.starts_with("checksum = "))
        .count();
    assert_eq!(s.recorded, checksums);
    assert_eq!(s.packages, checksums, "path members are skipped");
    assert!(f.is_empty(), "{f:?}");
    // Git dependencies are pinned by their locked commit.
    let (s, f) = run(&shared("sbom-fixtures/rust/cargo-lock-git-deps/Cargo.lock"));
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(s.unwrap().packages, 11);
}

#[test]
fn cargo_lock_tampered_checksum_is_not_a_record() {
    let text = std::fs::read_to_string(shared(
        "lockfiles/crates.io/ripgrep/HEAD-2026-08/Cargo.lock",
    ))
    .unwrap();
    let first = text.lines().find(|l| l.starts_with("checksum = ")).unwrap();
    // A hand-made tampered copy: one checksum cut down to a sha1-length value.
    let tampered = text.replacen(first, &format!("{}\"", &first[..first.len() - 25]), 1);
    let (_, f) = check_lockfile(
        "Cargo.lock",
        LockfileKind::CargoLock,
        tampered.as_bytes(),
        None,
        Path::new("."),
        false,
    );
    // Either the parser rejects the malformed checksum or the record check does.
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        matches!(f[0].code, Code::WeakHash | Code::ParseError),
        "{f:?}"
    );
}

#[test]
fn npm_entries_without_integrity_are_reported() {
    let path = shared("lockfiles/npm/sigstore-js/HEAD-2026-08/package-lock.json");
    let (s, f) = run(&path);
    let s = s.unwrap();
    // Oracle: packages other than the root and links that carry no `integrity`.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let pkgs = v["packages"].as_object().unwrap();
    let third_party: Vec<_> = pkgs
        .iter()
        .filter(|(k, p)| {
            !k.is_empty()
                && p.get("link").is_none()
                && p.get("inBundle").is_none()
                && k.contains("node_modules/")
        })
        .collect();
    let without = third_party
        .iter()
        .filter(|(_, p)| p.get("integrity").is_none())
        .count();
    assert!(without > 0);
    assert_eq!(count(&f, Code::MissingIntegrity), without);
    assert_eq!(s.recorded, third_party.len() - without);
    assert!(f
        .iter()
        .any(|x| x.message.contains("npm leaves `integrity` out")));
}

#[test]
fn npm_bundled_entries_are_covered_by_their_parent() {
    // NodeGoat's lockfile v2: 646 entries carry only `sha1-` values, bundled ones
    // (`inBundle: true`, inside fsevents' tarball) carry none and are not third-party entries.
    let path = shared("lockfiles/npm/NodeGoat/HEAD-2023-06/package-lock.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let entries: Vec<&serde_json::Value> = v["packages"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, p)| {
            k.contains("node_modules/") && p.get("inBundle").is_none() && p.get("link").is_none()
        })
        .map(|(_, p)| p)
        .collect();
    let sha1 = entries
        .iter()
        .filter(|p| {
            p["integrity"]
                .as_str()
                .is_some_and(|i| i.starts_with("sha1-"))
        })
        .count();
    let (s, f) = run(&path);
    let s = s.unwrap();
    assert_eq!(s.packages, entries.len());
    assert_eq!(count(&f, Code::WeakHash), sha1);
    assert_eq!(count(&f, Code::MissingIntegrity), 0);
    // A tarball straight from GitHub is outside the registry allow-list.
    assert_eq!(count(&f, Code::DisallowedSource), 1);
    assert!(f
        .iter()
        .any(|x| x.subject.as_deref() == Some("grunt-if@0.2.0")));
}

#[test]
fn npm_sha1_only_integrity_is_weak() {
    // A hand-made copy where one entry's sha512 is replaced by a sha1 SRI value.
    let path = shared("sbom-fixtures/npm/package-lock-v3/package-lock.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let (s, f) = run(&path);
    assert!(f.is_empty(), "{f:?}");
    let s = s.unwrap();
    let start = text.find("\"integrity\": \"sha512-").unwrap() + "\"integrity\": \"".len();
    let end = start + text[start..].find('"').unwrap();
    let tampered = format!(
        "{}sha1-rqdNXmHB+JlhO/ZL2mbUx48v0X0={}",
        &text[..start],
        &text[end..]
    );
    let (t, f) = check_lockfile(
        "package-lock.json",
        LockfileKind::PackageLockJson,
        tampered.as_bytes(),
        None,
        Path::new("."),
        false,
    );
    assert_eq!(codes(&f), vec![Code::WeakHash]);
    assert_eq!(t.unwrap().recorded, s.recorded - 1);
}

#[test]
fn npm_lockfile_out_of_sync_with_package_json() {
    let dir = tempfile::tempdir().unwrap();
    let lock = std::fs::read_to_string(shared(
        "sbom-fixtures/npm/package-lock-v3/package-lock.json",
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&lock).unwrap();
    let root = &v["packages"][""];
    let mut manifest = serde_json::json!({"name": root["name"], "version": root["version"]});
    for key in ["dependencies", "devDependencies"] {
        if let Some(d) = root.get(key) {
            manifest[key] = d.clone();
        }
    }
    std::fs::write(dir.path().join("package-lock.json"), &lock).unwrap();
    std::fs::write(dir.path().join("package.json"), manifest.to_string()).unwrap();
    let (s, f) = check_lockfile(
        "package-lock.json",
        LockfileKind::PackageLockJson,
        lock.as_bytes(),
        None,
        dir.path(),
        false,
    );
    assert_eq!(s.unwrap().in_sync, Some(true));
    assert!(f.is_empty(), "{f:?}");
    // The manifest gains a dependency the lockfile does not record.
    manifest["dependencies"]["left-pad"] = serde_json::json!("^1.3.0");
    std::fs::write(dir.path().join("package.json"), manifest.to_string()).unwrap();
    let (s, f) = check_lockfile(
        "package-lock.json",
        LockfileKind::PackageLockJson,
        lock.as_bytes(),
        None,
        dir.path(),
        false,
    );
    assert_eq!(s.unwrap().in_sync, Some(false));
    assert_eq!(codes(&f), vec![Code::LockfileOutOfSync]);
    assert!(f[0].message.contains("left-pad"));
}

#[test]
fn yarn_classic_sha1_and_berry_cache_checksums() {
    let (_, f) = run(&shared("sbom-fixtures/npm/yarn-v1-dups/yarn.lock"));
    // async@0.9.2 and merge-objects carry only `sha1-` SRI values; should-type is a git
    // dependency pinned by its commit.
    assert_eq!(lines(&f, Code::WeakHash), vec![5, 15]);
    assert_eq!(count(&f, Code::UnpinnedVcsSource), 0);
    let (s, f) = run(&shared("sbom-fixtures/npm/yarn-berry/yarn.lock"));
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(s.unwrap().recorded, 9);
    // The fixture's made-up checksums (`abc123`) are no known algorithm.
    let (_, f) = run(&shared("sbom-fixtures/npm/yarn-berry-dev-deps/yarn.lock"));
    assert_eq!(count(&f, Code::MissingIntegrity), 4);
}

#[test]
fn pnpm_every_version_is_recorded() {
    for rel in [
        "lockfiles/npm/vue2/HEAD-2024-10-pnpm/pnpm-lock.yaml",
        "sbom-fixtures/npm/pnpm-v5/pnpm-lock.yaml",
        "sbom-fixtures/npm/pnpm-v6/pnpm-lock.yaml",
        "sbom-fixtures/npm/pnpm-v9-snapshots/pnpm-lock.yaml",
        "sbom-fixtures/npm/pnpm-multi-doc/pnpm-lock.yaml",
    ] {
        let path = shared(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let (s, f) = run(&path);
        assert!(f.is_empty(), "{rel}: {f:?}");
        // Oracle: one `resolution: {integrity: …}` line per registry package (a `directory`
        // resolution is a local package and is skipped).
        let resolutions = text
            .lines()
            .filter(|l| l.trim_start().starts_with("resolution: {integrity:"))
            .count();
        assert_eq!(s.unwrap().recorded, resolutions, "{rel}");
    }
}

#[test]
fn python_lockfiles() {
    let (s, f) = run(&shared(
        "lockfiles/PyPI/pygoat/HEAD-2026-03/requirements.txt",
    ));
    let s = s.unwrap();
    assert_eq!(s.recorded, 0);
    assert_eq!(count(&f, Code::MissingIntegrity), s.packages);
    for rel in [
        "lockfiles/PyPI/sigstore-python/HEAD-2026-08/requirements.txt",
        "lockfiles/PyPI/sigstore-python/HEAD-2026-08/uv.lock",
        "lockfiles/PyPI/poetry/HEAD-2026-06/poetry.lock",
        "lockfiles/PyPI/pipenv/2018-03-00158fc/Pipfile.lock",
    ] {
        let (s, f) = run(&shared(rel));
        let s = s.unwrap();
        assert!(f.is_empty(), "{rel}: {f:?}");
        assert!(s.packages > 0 && s.recorded == s.packages, "{rel}");
    }
    // A package from test.pypi.org is outside the allow-list.
    let (_, f) = run(&shared("sbom-fixtures/python/poetry-dev-deps/poetry.lock"));
    assert!(count(&f, Code::DisallowedSource) >= 1, "{f:?}");
}

#[test]
fn go_sum_records_h1_hashes_of_built_modules() {
    let path = shared("lockfiles/Go/gh-cli/v2.60.0-2024-10/go.sum");
    let text = std::fs::read_to_string(&path).unwrap();
    let (s, f) = run(&path);
    assert!(f.is_empty(), "{f:?}");
    let built = text
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|v| !v.ends_with("/go.mod"))
        })
        .count();
    assert_eq!(s.unwrap().recorded, built);
}

#[test]
fn gemfile_lock_checksums_section() {
    let (s, f) = run(&shared(
        "lockfiles/RubyGems/railsgoat/HEAD-2026-01/Gemfile.lock",
    ));
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(s.unwrap().recorded, 197);
    // Before Bundler recorded checksums, every gem is unrecorded.
    let (s, f) = run(&shared(
        "lockfiles/RubyGems/railsgoat/2020-12-87846e6/Gemfile.lock",
    ));
    let s = s.unwrap();
    assert_eq!(s.recorded, 0);
    assert_eq!(count(&f, Code::MissingIntegrity), s.packages);
    assert!(f[0].message.contains("bundle lock --add-checksums"));
}

#[test]
fn composer_empty_shasum_is_pinned_by_reference() {
    let (s, f) = run(&shared(
        "lockfiles/Packagist/symfony-demo/HEAD-2026-08/composer.lock",
    ));
    assert!(f.is_empty(), "{f:?}");
    let s = s.unwrap();
    assert_eq!(s.recorded, s.packages);
    // Drupal packages whose `source.reference` is not a commit id.
    let (_, f) = run(&shared(
        "lockfiles/_peer-fixtures/osv-scanner/testdata/locks-many-with-insecure/composer.lock",
    ));
    assert_eq!(count(&f, Code::UnpinnedVcsSource), 2);
}

#[test]
fn hash_algorithms() {
    use vouch_pins::records::hash_strength;
    assert_eq!(
        hash_strength("sha1-rqdNXmHB+JlhO/ZL2mbUx48v0X0="),
        HashStrength::Weak
    );
    assert_eq!(
        hash_strength("md5:d41d8cd98f00b204e9800998ecf8427e"),
        HashStrength::Weak
    );
    assert_eq!(
        hash_strength("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        HashStrength::Strong
    );
}
