//! vouch's SBOMs against independent expectations: Syft's transcribed test expectations for
//! `../shared/sbom-fixtures/rust`, cargo-cyclonedx's scope assertions for the build-deps
//! workspace, and every real `Cargo.lock` in `../shared/lockfiles/crates.io` read directly
//! with the `toml` crate.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use vouch_sbom::{Component, DependencyKind, Sbom, Scope, SourceKind};

fn expectation(dir: &str) -> Value {
    let e = common::load_json(&vouch_testkit::shared_path(&format!(
        "sbom-fixtures/rust/{dir}/expected.json"
    )));
    e["expectations"][0].clone()
}

fn sbom_of_fixture(dir: &str) -> Sbom {
    common::sbom_of_lock(&vouch_testkit::shared_path(&format!(
        "sbom-fixtures/rust/{dir}/Cargo.lock"
    )))
}

fn nv(c: &Component) -> (String, String) {
    (c.name.clone(), c.version.clone().unwrap_or_default())
}

/// `(name, version)` edges of the SBOM.
fn edges_by_name(sbom: &Sbom) -> BTreeSet<((String, String), (String, String))> {
    sbom.edges()
        .map(|(a, b)| {
            (
                nv(sbom.component(a).unwrap()),
                nv(sbom.component(b).unwrap()),
            )
        })
        .collect()
}

/// Checks one Syft fixture: same packages (by name and version), the same purl wherever
/// Syft asserts one for a registry crate, the lockfile checksum as a SHA-256 hash, and
/// (where Syft asserts edges) the same edges.
///
/// Deliberate differences from Syft, asserted here rather than hidden:
/// - path/workspace crates (Syft: no purl) get `pkg:cargo/name@version` and the
///   `vouch:source=path` property, so scanners and policies see first-party code too;
/// - git crates (Syft: the same purl as the crates.io crate of that name and version) get a
///   `vcs_url=git+<url>@<rev>` qualifier, so the two are told apart;
/// - vouch adds a root (`metadata.component`): the single top-level path crate, else a
///   synthetic workspace component; its edges are the lockfile's.
fn check_fixture(dir: &str) {
    let exp = expectation(dir);
    let sbom = sbom_of_fixture(dir);
    sbom.check().unwrap();
    let ours: BTreeMap<(String, Option<String>), Vec<&Component>> = {
        let mut m: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for c in sbom
            .all_components()
            .filter(|c| c.bom_ref != "vouch:workspace")
        {
            m.entry((c.name.clone(), c.version.clone()))
                .or_default()
                .push(c);
        }
        m
    };
    let packages = exp["packages"].as_array().unwrap();
    let count: usize = ours.values().map(Vec::len).sum();
    assert_eq!(count, packages.len(), "{dir}: package count");
    for p in packages {
        let key = (
            p["name"].as_str().unwrap().to_owned(),
            Some(p["version"].as_str().unwrap().to_owned()),
        );
        let candidates = ours
            .get(&key)
            .unwrap_or_else(|| panic!("{dir}: missing {key:?}"));
        let source = p["metadata"]["Source"].as_str();
        let c = candidates
            .iter()
            .find(|c| match source {
                Some(s) if s.starts_with("git+") => c.source == Some(SourceKind::Git),
                Some(_) => c.source == Some(SourceKind::Registry),
                None => c.source == Some(SourceKind::Path),
            })
            .unwrap_or_else(|| panic!("{dir}: {key:?} from {source:?} not found"));
        let purl = c.purl.as_ref().unwrap().to_string();
        match (p["purl"].as_str(), source) {
            (Some(want), Some(s)) if s.starts_with("git+") => {
                // Deliberate difference: vcs_url qualifier.
                let (url, rev) = s["git+".len()..].split_once('#').unwrap();
                let url = url.split_once('?').map_or(url, |(u, _)| u);
                assert!(purl.starts_with(&format!("{want}?vcs_url=")), "{purl}");
                let parsed: vouch_core::Purl = purl.parse().unwrap();
                assert_eq!(parsed.qualifiers()["vcs_url"], format!("git+{url}@{rev}"));
            }
            (Some(want), _) => assert_eq!(purl, want, "{dir}"),
            (None, _) => {
                // Deliberate difference: path crates get a purl.
                assert_eq!(
                    purl,
                    format!("pkg:cargo/{}@{}", key.0, key.1.clone().unwrap())
                );
                assert_eq!(c.source, Some(SourceKind::Path));
            }
        }
        let hashes: Vec<String> = c.hashes.iter().map(ToString::to_string).collect();
        match p["metadata"]["Checksum"].as_str() {
            Some(sum) => assert_eq!(hashes, vec![format!("sha256:{sum}")], "{dir} {key:?}"),
            None => assert!(hashes.is_empty()),
        }
        // Lockfile-only mode cannot tell dev/build edges: everything is required.
        assert_eq!(c.scope, Scope::Required);
    }
    if let Some(rels) = exp.get("relationships").and_then(Value::as_array) {
        let side = |v: &Value| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["version"].as_str().unwrap().to_owned(),
            )
        };
        let want: BTreeSet<_> = rels
            .iter()
            .map(|r| (side(&r["dependent"]), side(&r["dependency"])))
            .collect();
        let got: BTreeSet<_> = edges_by_name(&sbom)
            .into_iter()
            .filter(|(a, _)| a.0 != sbom.root.name || sbom.root.bom_ref != "vouch:workspace")
            .collect();
        assert_eq!(got, want, "{dir}: edges");
    }
}

#[test]
fn syft_fixture_cargo_lock_basic() {
    check_fixture("cargo-lock-basic");
    // The fixture's `bogus` dependency names no package: it is reported, not an edge.
    let text = std::fs::read_to_string(vouch_testkit::shared_path(
        "sbom-fixtures/rust/cargo-lock-basic/Cargo.lock",
    ))
    .unwrap();
    let lock = vouch_lockfile::cargo::parse_lock(&text, "Cargo.lock").unwrap();
    assert_eq!(lock.unresolved.len(), 1);
    assert_eq!(lock.unresolved[0].1, "bogus");
}

#[test]
fn syft_fixture_cargo_lock_git_deps() {
    check_fixture("cargo-lock-git-deps");
    let sbom = sbom_of_fixture("cargo-lock-git-deps");
    assert_eq!(sbom.root.name, "hello_world");
    // Registry and git regex are two components with distinct purls.
    let regex: BTreeSet<String> = sbom
        .components
        .iter()
        .filter(|c| c.name == "regex")
        .map(|c| c.purl.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(regex.len(), 2);
}

#[test]
fn syft_fixture_cargo_lock_path_deps() {
    check_fixture("cargo-lock-path-deps");
    let sbom = sbom_of_fixture("cargo-lock-path-deps");
    assert_eq!(sbom.root.name, "app");
    assert_eq!(
        sbom.root.purl.as_ref().unwrap().to_string(),
        "pkg:cargo/app@1.0.0"
    );
}

fn component<'a>(sbom: &'a Sbom, name: &str) -> &'a Component {
    sbom.all_components()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

/// cargo-cyclonedx's `parse_toml_with_excluded` / `parse_toml_only_normal` assertions on the
/// `build_then_runtime_dep` workspace, for the SBOM of `top_level_crate`.
#[test]
fn build_only_crates_are_excluded_with_their_kind() {
    let ws = common::build_deps_workspace();
    let sbom = common::sbom_of_workspace(ws.path(), &["top_level_crate"]);
    sbom.check().unwrap();
    assert_eq!(sbom.root.name, "top_level_crate");
    for name in [
        "build_dep",
        "runtime_dep_of_build_dep",
        "runtime_dep_of_runtime_dep",
    ] {
        let c = component(&sbom, name);
        assert_eq!(c.scope, Scope::Excluded, "{name}");
        assert_eq!(c.dependency_kind, Some(DependencyKind::Build), "{name}");
    }
    // The dev-dependency cycle back to build_dep (a dev-dependency of a non-root package)
    // is not followed: Cargo does not build it for top_level_crate.
    assert!(!edges_by_name(&sbom)
        .iter()
        .any(|(a, b)| a.0 == "runtime_dep_of_runtime_dep" && b.0 == "build_dep"));
    // The CycloneDX output carries scope and the kind property.
    let doc: Value = serde_json::from_slice(&vouch_sbom::to_cyclonedx_json(
        &sbom,
        vouch_sbom::SpecVersion::V1_6,
    ))
    .unwrap();
    let build_dep = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "build_dep")
        .unwrap();
    assert_eq!(build_dep["scope"], "excluded");
    assert!(build_dep["properties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "vouch:dependency-kind" && p["value"] == "build"));

    // --profile runtime: every remaining component is required (here: only the root).
    let runtime = sbom.runtime_only();
    runtime.check().unwrap();
    assert!(runtime
        .components
        .iter()
        .all(|c| c.scope == Scope::Required));
    assert!(runtime.components.is_empty());
}

#[test]
fn whole_workspace_has_every_member_as_a_root_dependency() {
    let ws = common::build_deps_workspace();
    let sbom = common::sbom_of_workspace(ws.path(), &[]);
    sbom.check().unwrap();
    assert_eq!(sbom.root.bom_ref, "vouch:workspace");
    let members: BTreeSet<&str> = sbom.dependencies["vouch:workspace"]
        .iter()
        .map(|r| sbom.component(r).unwrap().name.as_str())
        .collect();
    // runtime_dep_of_runtime_dep is a path dependency inside the workspace directory, so
    // Cargo makes it a member too.
    assert_eq!(
        members,
        BTreeSet::from([
            "build_dep",
            "runtime_dep_of_build_dep",
            "runtime_dep_of_runtime_dep",
            "top_level_crate"
        ])
    );
    for c in &sbom.components {
        assert_eq!(c.scope, Scope::Required, "{} is a member", c.name);
    }
}

/// The registry packages of a `Cargo.lock`, read independently with `toml`:
/// `(name, version, checksum)`, the checksum inline (v2+) or in `[metadata]` (v1).
fn registry_packages(text: &str) -> BTreeSet<(String, String, Option<String>)> {
    let doc: toml::Table = text.parse().unwrap();
    let meta = doc.get("metadata").and_then(toml::Value::as_table);
    doc["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let name = p["name"].as_str().unwrap();
            let version = p["version"].as_str().unwrap();
            let source = p.get("source")?.as_str()?;
            if !(source.starts_with("registry+") || source.starts_with("sparse+")) {
                return None;
            }
            let sum = p
                .get("checksum")
                .and_then(toml::Value::as_str)
                .or_else(|| {
                    meta?
                        .get(&format!("checksum {name} {version} ({source})"))?
                        .as_str()
                })
                .map(str::to_owned);
            Some((name.to_owned(), version.to_owned(), sum))
        })
        .collect()
}

#[test]
fn lockfile_mode_lists_every_registry_package_with_its_checksum() {
    for path in common::shared_cargo_locks() {
        let text = std::fs::read_to_string(&path).unwrap();
        let want = registry_packages(&text);
        assert!(
            want.iter().all(|(_, _, sum)| sum.is_some()),
            "{}",
            path.display()
        );
        let sbom = common::sbom_of_lock(&path);
        sbom.check().unwrap();
        let got: BTreeSet<(String, String, Option<String>)> = sbom
            .all_components()
            .filter(|c| c.source == Some(SourceKind::Registry))
            .map(|c| {
                let purl = c.purl.as_ref().unwrap();
                assert_eq!(purl.ty(), "cargo");
                assert!(purl.qualifiers().is_empty(), "crates.io purl {purl}");
                (
                    purl.name().to_owned(),
                    purl.version().unwrap().to_owned(),
                    c.hashes.first().map(|h| {
                        assert_eq!(h.algorithm(), vouch_core::DigestAlgorithm::Sha256);
                        h.hex().to_owned()
                    }),
                )
            })
            .collect();
        assert_eq!(got, want, "{}", path.display());
        // Every package of the file is a component (the root may be one of them).
        let doc: toml::Table = text.parse().unwrap();
        let total = doc["package"].as_array().unwrap().len();
        let ours = sbom
            .all_components()
            .filter(|c| c.bom_ref != "vouch:workspace")
            .count();
        assert_eq!(ours, total, "{}", path.display());
    }
}

#[test]
fn git_packages_in_nushell_carry_vcs_url() {
    let path = vouch_testkit::shared_path("lockfiles/crates.io/nushell/HEAD-2026-08/Cargo.lock");
    let sbom = common::sbom_of_lock(&path);
    let reedline = component(&sbom, "reedline");
    assert_eq!(reedline.source, Some(SourceKind::Git));
    assert_eq!(
        reedline.purl.as_ref().unwrap().qualifiers()["vcs_url"],
        "git+https://github.com/nushell/reedline@e4fe8edfb28440614e58a8c9dba78d128783f70f"
    );
}

#[test]
fn every_lockfile_version_is_recognised() {
    let versions: BTreeSet<u32> = common::shared_cargo_locks()
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let lock = vouch_lockfile::cargo::parse_lock(&text, "Cargo.lock").unwrap();
            // Real lockfiles resolve completely, git entries without their revision included.
            assert_eq!(lock.unresolved, vec![], "{}", p.display());
            lock.version
        })
        .collect();
    assert_eq!(versions, BTreeSet::from([1, 2, 3, 4]));
}

#[test]
fn a_member_manifest_describes_that_member() {
    let ws = common::build_deps_workspace();
    let sbom = common::sbom_of_workspace(&ws.path().join("build_dep"), &[]);
    sbom.check().unwrap();
    assert_eq!(sbom.root.name, "build_dep");
    let names: BTreeSet<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["runtime_dep_of_build_dep", "runtime_dep_of_runtime_dep"])
    );
}
