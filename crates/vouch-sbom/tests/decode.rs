//! `vouch_sbom::decode` reads back what vouch writes (the same components and edges in all
//! three formats) and what other producers write (the CycloneDX and SPDX spec examples).

mod common;

use std::collections::BTreeSet;

use vouch_sbom::time::OffsetDateTime;
use vouch_sbom::{decode, DecodeError, Format, Sbom, SpecVersion};

/// Per component: purl, hashes, license, scope and dependency kind; plus edges by purl.
type View = (
    BTreeSet<(String, Vec<String>, String, String)>,
    BTreeSet<(String, String)>,
);

fn view(s: &Sbom) -> View {
    let key = |r: &str| {
        let c = s.component(r).unwrap();
        c.purl
            .as_ref()
            .map_or_else(|| format!("ref:{}", c.name), ToString::to_string)
    };
    let comps = s
        .all_components()
        .map(|c| {
            (
                c.purl
                    .as_ref()
                    .map_or_else(|| format!("ref:{}", c.name), ToString::to_string),
                c.hashes.iter().map(ToString::to_string).collect(),
                format!("{:?}", c.license),
                format!("{:?}/{:?}", c.scope, c.dependency_kind),
            )
        })
        .collect();
    let edges = s.edges().map(|(a, b)| (key(a), key(b))).collect();
    (comps, edges)
}

fn round_trip(what: &str, sbom: &Sbom) {
    let mut sbom = sbom.clone();
    sbom.timestamp = Some(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    for v in [SpecVersion::V1_6, SpecVersion::V1_5] {
        let bytes = vouch_sbom::to_cyclonedx_json(&sbom, v);
        assert_eq!(vouch_sbom::detect(&bytes), Some(Format::CycloneDx(v)));
        let back = decode(&bytes).unwrap();
        assert_eq!(back, sbom, "{what}: CycloneDX {v:?} round trip is exact");
    }
    let bytes = vouch_sbom::to_spdx_json(&sbom);
    assert_eq!(vouch_sbom::detect(&bytes), Some(Format::Spdx23));
    let back = decode(&bytes).unwrap();
    back.check().unwrap();
    assert_eq!(
        view(&back),
        view(&sbom),
        "{what}: SPDX keeps components and edges"
    );
    assert_eq!(back.root.name, sbom.root.name);
    assert_eq!(back.timestamp, sbom.timestamp);
    assert_eq!(back.tool, sbom.tool);
}

#[test]
fn this_repository_round_trips() {
    round_trip("this repository", &common::sbom_of_this_repo());
}

#[test]
fn build_deps_workspace_round_trips_with_scopes() {
    let ws = common::build_deps_workspace();
    round_trip(
        "workspace -p",
        &common::sbom_of_workspace(ws.path(), &["top_level_crate"]),
    );
}

#[test]
fn shared_lockfiles_round_trip() {
    for p in common::shared_cargo_locks() {
        round_trip(&p.display().to_string(), &common::sbom_of_lock(&p));
    }
}

#[test]
fn packages_are_what_a_scanner_looks_up() {
    let path = vouch_testkit::shared_path("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    let sbom = common::sbom_of_lock(&path);
    let bytes = vouch_sbom::to_cyclonedx_json(&sbom, SpecVersion::V1_6);
    let pkgs = decode(&bytes).unwrap().packages();
    let regex = pkgs
        .iter()
        .find(|p| p.name == "regex")
        .expect("ripgrep 13 locks regex");
    assert_eq!(regex.version, "1.5.4");
    assert_eq!(regex.ecosystem, vouch_core::Ecosystem::CratesIo);
    assert_eq!(regex.hashes.len(), 1);
}

#[test]
fn spec_examples_from_other_producers_decode() {
    let dir = vouch_testkit::shared_path("schemas/cyclonedx/examples-1.6");
    let mut decoded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.starts_with("valid-") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let sbom = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        sbom.check().unwrap_or_else(|e| panic!("{name}: {e}"));
        decoded += 1;
    }
    assert!(decoded > 40);

    let bom = std::fs::read(dir.join("valid-bom-1.6.json")).unwrap();
    let sbom = decode(&bom).unwrap();
    assert!(!sbom.components.is_empty());

    let spdx = std::fs::read(vouch_testkit::shared_path(
        "schemas/spdx-2.3/SPDXJSONExample-v2.3.spdx.json",
    ))
    .unwrap();
    let sbom = decode(&spdx).unwrap();
    sbom.check().unwrap();
    let purls: Vec<String> = sbom
        .all_components()
        .filter_map(|c| c.purl.as_ref().map(ToString::to_string))
        .collect();
    assert!(
        purls.iter().any(|p| p.starts_with("pkg:maven/")),
        "{purls:?}"
    );
}

#[test]
fn bad_documents_are_errors() {
    assert!(matches!(decode(b"not json"), Err(DecodeError::Json(_))));
    assert!(matches!(decode(b"{}"), Err(DecodeError::UnknownFormat)));
    let e = decode(br#"{"bomFormat":"CycloneDX","specVersion":"9.9"}"#).unwrap_err();
    assert!(e.to_string().contains("specVersion `9.9`"), "{e}");
    let e = decode(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"x","purl":"nope"}]}"#,
    )
    .unwrap_err();
    assert!(matches!(e, DecodeError::Invalid(_)), "{e}");
}

/// A truncated SBOM printed serde's message twice (in the text and as the error source), and
/// an SPDX 3 document was "not a CycloneDX or SPDX JSON document"; SPDX 3.0.1 JSON-LD is now
/// read: the spec's example SBOM has `my-package` 1.0 as its root element.
#[test]
fn truncated_and_spdx3_documents_say_what_they_are_once() {
    let e = decode(br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "compo"#).unwrap_err();
    assert!(
        e.to_string().starts_with("failed to parse SBOM JSON: EOF"),
        "{e}"
    );
    assert!(std::error::Error::source(&e).is_none());
    let spdx3 = std::fs::read(vouch_testkit::shared_path(
        "schemas/spdx-3.0.1/package_sbom.spdx3.json",
    ))
    .unwrap();
    let sbom = decode(&spdx3).unwrap();
    assert_eq!(sbom.root.name, "my-package");
    assert_eq!(sbom.root.version.as_deref(), Some("1.0"));
    assert!(sbom.components.is_empty(), "{:?}", sbom.components);
    assert_eq!(vouch_sbom::detect(&spdx3), Some(vouch_sbom::Format::Spdx3));
}

#[test]
fn first_party_crates_are_components_but_not_scannable_packages() {
    let sbom = common::sbom_of_lock(&vouch_testkit::shared_path(
        "sbom-fixtures/rust/cargo-lock-path-deps/Cargo.lock",
    ));
    for bytes in [
        vouch_sbom::to_cyclonedx_json(&sbom, SpecVersion::V1_6),
        vouch_sbom::to_spdx_json(&sbom),
    ] {
        let back = decode(&bytes).unwrap();
        assert_eq!(back.all_components().count(), 3);
        assert!(back.root.is_first_party());
        let names: Vec<String> = back.packages().into_iter().map(|p| p.name).collect();
        assert_eq!(names, vec!["memchr"]);
    }
}

#[test]
fn xml_and_tag_value_sboms_are_named_not_json_errors() {
    for (rel, what) in [
        (
            "lockfiles/_peer-fixtures/osv-scanner/testdata/sbom-insecure/alpine.cdx.xml",
            "XML document",
        ),
        (
            "schemas/spdx-2.3/SPDXTagExample-v2.3.spdx",
            "SPDX tag-value document",
        ),
    ] {
        let bytes = std::fs::read(vouch_testkit::shared_path(rel)).unwrap();
        match decode(&bytes) {
            Err(e @ DecodeError::Unsupported(_)) => {
                let msg = e.to_string();
                assert!(msg.contains(what), "{rel}: {msg}");
                assert!(msg.contains("JSON only"), "{rel}: {msg}");
            }
            other => panic!("{rel}: {other:?}"),
        }
    }
}
