//! Shared helpers for vouch-sbom's integration tests: schema validators set up offline from
//! `../shared/schemas`, and the SBOMs every test looks at.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use jsonschema::{Draft, Resource, Validator};
use serde_json::Value;
use vouch_sbom::cargo::{CatalogOptions, MetadataOptions};
use vouch_sbom::Sbom;

pub fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The official CycloneDX schema of `version` ("1.5", "1.6"), with the `spdx.schema.json`
/// and `jsf-0.82.schema.json` it `$ref`s registered under their `$id`s (no network).
pub fn cyclonedx_validator(version: &str) -> Validator {
    let dir = vouch_testkit::shared_path("schemas/cyclonedx");
    let schema = load_json(&dir.join(format!("bom-{version}.schema.json")));
    let mut opts = jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true);
    for file in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        let contents = load_json(&dir.join(file));
        let id = contents["$id"]
            .as_str()
            .expect("schemas have an $id")
            .to_owned();
        opts = opts.with_resource(
            id,
            Resource::from_contents(contents).expect("a known draft"),
        );
    }
    opts.build(&schema).expect("the CycloneDX schema compiles")
}

/// The official SPDX 2.3 JSON schema.
pub fn spdx_validator() -> Validator {
    let schema = load_json(&vouch_testkit::shared_path(
        "schemas/spdx-2.3/spdx-schema.json",
    ));
    jsonschema::options()
        .with_draft(Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SPDX schema compiles")
}

/// Every validation error of `doc`, as text.
pub fn errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// `Cargo.lock` files under `../shared/lockfiles/crates.io`.
pub fn shared_cargo_locks() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = vouch_testkit::shared_path("lockfiles/crates.io");
    for project in std::fs::read_dir(&root).unwrap() {
        for label in std::fs::read_dir(project.unwrap().path()).unwrap() {
            let p = label.unwrap().path().join("Cargo.lock");
            if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 7, "expected the shared Cargo.lock corpus");
    out
}

/// Lockfile-only SBOM of a `Cargo.lock`.
pub fn sbom_of_lock(path: &Path) -> Sbom {
    let text = std::fs::read_to_string(path).unwrap();
    let lock = vouch_lockfile::cargo::parse_lock(&text, &path.display().to_string()).unwrap();
    vouch_sbom::cargo::from_lockfile(&lock, "test")
}

/// `../shared/sbom-fixtures/rust/cargo-workspace-build-deps` copied into a temporary
/// directory with the empty `src/` stubs its README asks for.
pub fn build_deps_workspace() -> tempfile::TempDir {
    let src = vouch_testkit::shared_path("sbom-fixtures/rust/cargo-workspace-build-deps");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(src.join("Cargo.toml"), tmp.path().join("Cargo.toml")).unwrap();
    std::fs::copy(src.join("Cargo.lock"), tmp.path().join("Cargo.lock")).unwrap();
    for (krate, stub) in [
        ("top_level_crate", "main.rs"),
        ("build_dep", "lib.rs"),
        ("runtime_dep_of_build_dep", "lib.rs"),
        ("runtime_dep_of_runtime_dep", "lib.rs"),
    ] {
        let dir = tmp.path().join(krate);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::copy(src.join(krate).join("Cargo.toml"), dir.join("Cargo.toml")).unwrap();
        let body = if stub == "main.rs" {
            "fn main() {}\n"
        } else {
            ""
        };
        std::fs::write(dir.join("src").join(stub), body).unwrap();
    }
    tmp
}

/// The SBOM of a Cargo workspace through `cargo metadata --locked --offline`.
pub fn sbom_of_workspace(dir: &Path, packages: &[&str]) -> Sbom {
    let md = vouch_sbom::cargo::metadata(&MetadataOptions {
        manifest_path: dir.join("Cargo.toml"),
        offline: true,
        ..MetadataOptions::default()
    })
    .unwrap();
    vouch_sbom::cargo::from_metadata(
        &md,
        &CatalogOptions {
            packages: packages.iter().map(|s| (*s).to_owned()).collect(),
        },
    )
    .unwrap()
}

/// This repository's SBOM.
pub fn sbom_of_this_repo() -> Sbom {
    sbom_of_workspace(&vouch_testkit::repo_root(), &[])
}
