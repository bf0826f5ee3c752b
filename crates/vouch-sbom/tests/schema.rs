//! Every SBOM vouch writes validates against the official CycloneDX 1.6/1.5 and SPDX 2.3
//! JSON schemas; the validator setup itself is checked on the CycloneDX conformance corpus.

mod common;

use common::{cyclonedx_validator, errors, load_json, spdx_validator};
use vouch_sbom::time::OffsetDateTime;
use vouch_sbom::{Sbom, SpecVersion};

fn corpus(version: &str) {
    let v = cyclonedx_validator(version);
    let dir = vouch_testkit::shared_path(&format!("schemas/cyclonedx/examples-{version}"));
    let (mut valid, mut invalid) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let doc = load_json(&path);
        let errs = errors(&v, &doc);
        if name.starts_with("valid-") {
            assert!(errs.is_empty(), "{name} should validate: {errs:?}");
            valid += 1;
        } else if name.starts_with("invalid-") {
            assert!(!errs.is_empty(), "{name} should not validate");
            invalid += 1;
        }
    }
    assert!(
        valid > 30 && invalid > 20,
        "corpus too small: {valid}/{invalid}"
    );
}

#[test]
fn validator_accepts_valid_and_rejects_invalid_cyclonedx_1_6_corpus() {
    corpus("1.6");
}

#[test]
fn validator_accepts_valid_and_rejects_invalid_cyclonedx_1_5_corpus() {
    corpus("1.5");
}

#[test]
fn spdx_validator_accepts_the_spec_example_and_rejects_a_broken_one() {
    let v = spdx_validator();
    let mut doc = load_json(&vouch_testkit::shared_path(
        "schemas/spdx-2.3/SPDXJSONExample-v2.3.spdx.json",
    ));
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    doc.as_object_mut().unwrap().remove("documentNamespace");
    assert!(!errors(&v, &doc).is_empty());
}

fn check_all_formats(what: &str, sbom: &Sbom) {
    let cdx16 = cyclonedx_validator("1.6");
    let cdx15 = cyclonedx_validator("1.5");
    let spdx = spdx_validator();
    let mut sbom = sbom.clone();
    sbom.check().unwrap();
    for ts in [
        None,
        Some(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()),
    ] {
        sbom.timestamp = ts;
        for (version, validator) in [(SpecVersion::V1_6, &cdx16), (SpecVersion::V1_5, &cdx15)] {
            let doc: serde_json::Value =
                serde_json::from_slice(&vouch_sbom::to_cyclonedx_json(&sbom, version)).unwrap();
            let errs = errors(validator, &doc);
            assert!(errs.is_empty(), "{what} CycloneDX {version:?}: {errs:?}");
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&vouch_sbom::to_spdx_json(&sbom)).unwrap();
        let errs = errors(&spdx, &doc);
        assert!(errs.is_empty(), "{what} SPDX: {errs:?}");
    }
}

#[test]
fn this_repository_validates_in_every_format() {
    let sbom = common::sbom_of_this_repo();
    check_all_formats("this repository", &sbom);
    check_all_formats("this repository (runtime)", &sbom.runtime_only());
}

#[test]
fn build_deps_workspace_validates_in_every_format() {
    let ws = common::build_deps_workspace();
    check_all_formats("workspace", &common::sbom_of_workspace(ws.path(), &[]));
    check_all_formats(
        "workspace -p",
        &common::sbom_of_workspace(ws.path(), &["top_level_crate"]),
    );
}

#[test]
fn every_shared_lockfile_validates_in_every_format() {
    let mut paths = common::shared_cargo_locks();
    for d in [
        "cargo-lock-basic",
        "cargo-lock-git-deps",
        "cargo-lock-path-deps",
    ] {
        paths.push(vouch_testkit::shared_path(&format!(
            "sbom-fixtures/rust/{d}/Cargo.lock"
        )));
    }
    for p in paths {
        check_all_formats(&p.display().to_string(), &common::sbom_of_lock(&p));
    }
}

/// The checks above can fail: the same validators reject vouch output with one field broken.
#[test]
fn validators_reject_tampered_vouch_output() {
    let sbom = common::sbom_of_lock(&vouch_testkit::shared_path(
        "sbom-fixtures/rust/cargo-lock-basic/Cargo.lock",
    ));
    for (version, v) in [("1.6", SpecVersion::V1_6), ("1.5", SpecVersion::V1_5)] {
        let validator = cyclonedx_validator(version);
        let good: serde_json::Value =
            serde_json::from_slice(&vouch_sbom::to_cyclonedx_json(&sbom, v)).unwrap();
        assert!(errors(&validator, &good).is_empty());
        let mut bad = good.clone();
        bad["components"][0]["scope"] = "dev".into();
        assert!(!errors(&validator, &bad).is_empty(), "scope enum");
        let mut bad = good.clone();
        bad["components"][0]["hashes"][0]["content"] = "xyz".into();
        assert!(!errors(&validator, &bad).is_empty(), "hash content");
        let mut bad = good;
        bad["serialNumber"] = "urn:uuid:not-a-uuid".into();
        assert!(!errors(&validator, &bad).is_empty(), "serial number");
    }
    let validator = spdx_validator();
    let good: serde_json::Value = serde_json::from_slice(&vouch_sbom::to_spdx_json(&sbom)).unwrap();
    assert!(errors(&validator, &good).is_empty());
    let mut bad = good.clone();
    bad["packages"][0]
        .as_object_mut()
        .unwrap()
        .remove("downloadLocation");
    assert!(!errors(&validator, &bad).is_empty(), "downloadLocation");
    let mut bad = good;
    bad["relationships"][1]["relationshipType"] = "USES".into();
    assert!(!errors(&validator, &bad).is_empty(), "relationship type");
}
