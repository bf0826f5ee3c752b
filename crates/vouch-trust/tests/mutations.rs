//! Passing conformance bundles checked against trusted roots with one part taken away or
//! swapped: each rejection must come from the check that lost its trust anchor.

use serde_json::Value;
use vouch_sign::bundle::Bundle;
use vouch_trust::{Artifact, Check, TrustedRoot, VerificationPolicy, VerifyOptions};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn suite() -> std::path::PathBuf {
    vouch_testkit::shared_path("vectors/sigstore/conformance/assets/bundle-verify")
}

fn json(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn check(case: &str, root: &Value) -> Result<(), Check> {
    let bundle =
        Bundle::from_json(&std::fs::read(suite().join(case).join("bundle.sigstore.json")).unwrap())
            .unwrap();
    let root = TrustedRoot::from_json(&serde_json::to_vec(root).unwrap()).unwrap();
    let artifact = Artifact::Bytes(std::fs::read(suite().join("a.txt")).unwrap());
    vouch_trust::verify_bundle(
        &bundle,
        &artifact,
        &VerificationPolicy::identity(IDENTITY, ISSUER),
        &root,
        VerifyOptions::default(),
    )
    .map(|_| ())
    .map_err(|e| e.check().unwrap_or_else(|| panic!("{case}: unusable: {e}")))
}

#[test]
fn rekor_v1_bundle_loses_each_anchor() {
    let prod = json(&vouch_testkit::shared_path(
        "vectors/sigstore/trusted-roots/public-good-production.trusted_root.json",
    ));
    let staging = json(&vouch_testkit::shared_path(
        "vectors/sigstore/trusted-roots/public-good-staging.trusted_root.json",
    ));
    assert_eq!(check("happy-path-v0.3", &prod), Ok(()));

    let mut r = prod.clone();
    r["certificateAuthorities"] = staging["certificateAuthorities"].clone();
    assert_eq!(check("happy-path-v0.3", &r), Err(Check::CertificateChain));

    let mut r = prod.clone();
    r["ctlogs"] = Value::Array(vec![]);
    assert_eq!(check("happy-path-v0.3", &r), Err(Check::Sct));

    let mut r = prod.clone();
    r["tlogs"] = staging["tlogs"].clone();
    assert_eq!(check("happy-path-v0.3", &r), Err(Check::TlogEntry));

    // The log key's window ends one second before the entry was integrated (1710869186).
    let mut r = prod.clone();
    for t in r["tlogs"].as_array_mut().unwrap() {
        t["publicKey"]["validFor"]["end"] = "2024-03-19T17:26:25Z".into();
    }
    assert_eq!(check("happy-path-v0.3", &r), Err(Check::ValidityTime));

    // The same key listed under another log ID: the entry names a log the root lacks.
    let mut r = prod.clone();
    let key_id = r["tlogs"][0]["logId"]["keyId"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("wNI9"));
    let mut other = r["tlogs"][0].clone();
    other["logId"]["keyId"] = format!("AAAA{}", &key_id[4..]).into();
    r["tlogs"] = Value::Array(vec![other]);
    assert_eq!(check("happy-path-v0.3", &r), Err(Check::TlogEntry));
}

#[test]
fn rekor_v2_bundle_loses_each_anchor() {
    let own = json(&suite().join("rekor2-happy-path/trusted_root.json"));
    assert_eq!(check("rekor2-happy-path", &own), Ok(()));

    let mut r = own.clone();
    r["timestampAuthorities"] = Value::Array(vec![]);
    assert_eq!(check("rekor2-happy-path", &r), Err(Check::Timestamp));

    // The CA is trusted only from after the timestamp (2025-06-12T12:02:20Z).
    let mut r = own.clone();
    for ca in r["certificateAuthorities"].as_array_mut().unwrap() {
        ca["validFor"]["start"] = "2025-06-12T12:02:21Z".into();
    }
    assert_eq!(check("rekor2-happy-path", &r), Err(Check::CertificateChain));

    // The Rekor v2 log key is trusted only until just before the timestamp.
    let mut r = own.clone();
    for t in r["tlogs"].as_array_mut().unwrap() {
        t["publicKey"]["validFor"]["end"] = "2025-06-12T12:02:19Z".into();
    }
    assert_eq!(check("rekor2-happy-path", &r), Err(Check::ValidityTime));
}
