//! The acceptance oracle at library level: every lockfile in `shared/lockfiles` with an
//! `_expected/…findings.json` gives the same (package, version, advisory id) set when scanned
//! against a database imported from `shared/osv`. (The CLI suite checks the same through
//! the binary.)

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use vouch_core::{Ecosystem, Package};
use vouch_lockfile::{LockfileKind, Source};
use vouch_osv::db::{import, NoProgress};
use vouch_osv::{scan_packages, Database};

fn db() -> &'static Database {
    static DB: OnceLock<(tempfile::TempDir, Database)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("db");
        let summary = import(
            &[vouch_testkit::shared_path("osv")],
            &dest,
            "2026-01-01T00:00:00Z",
            &NoProgress,
        )
        .unwrap();
        assert!(summary.records > 8000, "{summary:?}");
        let db = Database::open(&dest).unwrap();
        (dir, db)
    })
    .1
}

type Key = (String, String, String);

fn check(rel: &str) {
    let path = vouch_testkit::shared_path(&format!("lockfiles/{rel}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let kind = LockfileKind::from_file_name(name).unwrap();
    let lf = match kind {
        LockfileKind::CargoLock => vouch_lockfile::cargo::parse(&text, name),
        LockfileKind::PackageLockJson => vouch_lockfile::npm::parse(&text, name),
        LockfileKind::RequirementsTxt => vouch_lockfile::python::parse_requirements(&text, name),
        LockfileKind::PoetryLock => vouch_lockfile::python::parse_poetry(&text, name),
        LockfileKind::UvLock => vouch_lockfile::python::parse_uv(&text, name),
        LockfileKind::PipfileLock => vouch_lockfile::python::parse_pipfile(&text, name),
        LockfileKind::GoMod => vouch_lockfile::gomod::parse(&text, name),
        other => panic!("{other:?}"),
    }
    .unwrap();
    let eco: Ecosystem = kind.ecosystem();
    let packages: Vec<Package> = lf
        .packages
        .iter()
        // Registry packages only: git/path/URL sources have no registry version to look up.
        .filter(|p| matches!(p.source, Some(Source::Registry { .. })))
        .map(|p| Package {
            ecosystem: eco,
            name: p.name.clone(),
            version: p.version.clone(),
            purl: None,
            hashes: Vec::new(),
        })
        .collect();
    let report = scan_packages(db(), &packages).unwrap();
    let mut got: BTreeSet<Key> = BTreeSet::new();
    for f in &report.findings {
        for id in &f.records {
            // OSV spells Go versions without the `v` go.mod has.
            let v = if eco == Ecosystem::Go {
                f.package
                    .version
                    .trim_start_matches('v')
                    .trim_end_matches("+incompatible")
                    .to_owned()
            } else {
                f.package.version.clone()
            };
            got.insert((f.package.name.clone(), v, id.clone()));
        }
    }
    let exp_path = vouch_testkit::shared_path(&format!("lockfiles/_expected/{rel}.findings.json"));
    let exp: serde_json::Value = serde_json::from_slice(&std::fs::read(exp_path).unwrap()).unwrap();
    let want: BTreeSet<Key> = exp["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"].as_str().unwrap().to_owned(),
                f["version"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{rel}: missing {missing:#?}\nextra {extra:#?}"
    );
    assert!(
        report.unparsed_versions.is_empty(),
        "{rel}: {:?}",
        report.unparsed_versions
    );
}

macro_rules! expected {
    ($($name:ident: $rel:literal;)*) => {
        $( #[test] fn $name() { check($rel); } )*

        #[test]
        fn every_expected_file_has_a_test() {
            let root = vouch_testkit::shared_path("lockfiles/_expected");
            let tested: Vec<PathBuf> = [$($rel),*].iter().map(|r| root.join(format!("{r}.findings.json"))).collect();
            let mut stack = vec![root];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() { stack.push(p); }
                    else if p.to_string_lossy().ends_with(".findings.json") {
                        assert!(tested.contains(&p), "{} has no test", p.display());
                    }
                }
            }
        }
    };
}

expected! {
    cargo_nushell_head: "crates.io/nushell/HEAD-2026-08/Cargo.lock";
    cargo_alacritty_head: "crates.io/alacritty/HEAD-2026-06/Cargo.lock";
    cargo_alacritty_v043: "crates.io/alacritty/v0.4.3/Cargo.lock";
    cargo_alacritty_v060: "crates.io/alacritty/v0.6.0/Cargo.lock";
    cargo_alacritty_v072: "crates.io/alacritty/v0.7.2/Cargo.lock";
    cargo_ripgrep_head: "crates.io/ripgrep/HEAD-2026-08/Cargo.lock";
    cargo_ripgrep_13: "crates.io/ripgrep/13.0.0/Cargo.lock";
    pypi_sigstore_requirements: "PyPI/sigstore-python/HEAD-2026-08/requirements.txt";
    pypi_sigstore_uv: "PyPI/sigstore-python/HEAD-2026-08/uv.lock";
    pypi_pygoat_requirements: "PyPI/pygoat/HEAD-2026-03/requirements.txt";
    pypi_pipenv_pipfile_lock: "PyPI/pipenv/2018-03-00158fc/Pipfile.lock";
    pypi_poetry_lock: "PyPI/poetry/HEAD-2026-06/poetry.lock";
    go_gh_cli_v1: "Go/gh-cli/v1.0.0/go.mod";
    go_gh_cli_v2_60: "Go/gh-cli/v2.60.0-2024-10/go.mod";
    npm_nodejs_goof: "npm/nodejs-goof/HEAD-2026-05/package-lock.json";
    npm_sigstore_js: "npm/sigstore-js/HEAD-2026-08/package-lock.json";
    npm_nodegoat_head: "npm/NodeGoat/HEAD-2023-06/package-lock.json";
    npm_nodegoat_2019: "npm/NodeGoat/2019-06-5ddceb1/package-lock.json";
}
