//! The exact shape of vouch's output for a small real lockfile (Syft's path-deps fixture:
//! a path crate `app` depending on crates.io `memchr` and path crate `telemetry`), in
//! CycloneDX 1.6 and SPDX 2.3. Reviewed by hand; a change here is a change to the format.

mod common;

use vouch_sbom::time::OffsetDateTime;

fn sbom() -> vouch_sbom::Sbom {
    let mut s = common::sbom_of_lock(&vouch_testkit::shared_path(
        "sbom-fixtures/rust/cargo-lock-path-deps/Cargo.lock",
    ));
    s.timestamp = Some(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
    // The tool version changes with every release; pin it for the snapshot.
    s.tool = Some(vouch_sbom::Tool {
        name: "vouch".into(),
        version: Some("0.0.0-test".into()),
    });
    s
}

#[test]
fn cyclonedx_1_6_shape() {
    let json = vouch_sbom::to_cyclonedx_json(&sbom(), vouch_sbom::SpecVersion::V1_6);
    insta::assert_snapshot!(String::from_utf8(json).unwrap());
}

#[test]
fn spdx_2_3_shape() {
    let json = vouch_sbom::to_spdx_json(&sbom());
    insta::assert_snapshot!(String::from_utf8(json).unwrap());
}
