//! Every real bundle in `../shared/vectors/sigstore` parses, in every spelling it uses.

use std::path::Path;

use vouch_sign::bundle::{Bundle, BundleVersion, Content, KeyMaterial};

fn each_bundle(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            each_bundle(&path, out);
        } else if path.to_string_lossy().ends_with(".sigstore.json") {
            out.push(path);
        }
    }
}

#[test]
fn every_shared_bundle_parses() {
    let root = vouch_testkit::shared_path("vectors/sigstore");
    let mut paths = Vec::new();
    each_bundle(&root, &mut paths);
    assert!(paths.len() > 70, "found only {} bundles", paths.len());
    let mut versions = std::collections::BTreeSet::new();
    let mut failed = Vec::new();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        match Bundle::from_json(&bytes) {
            Ok(b) => {
                versions.insert(b.version().unwrap());
                assert!(b.signature().is_some(), "{}", path.display());
            }
            // Some conformance `_fail` cases are malformed on purpose.
            Err(_) if path.to_string_lossy().contains("_fail") => {}
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(versions.contains(&BundleVersion::V0_1));
    assert!(versions.contains(&BundleVersion::V0_3));
}

#[test]
fn tlog_entry_fields_are_decoded() {
    let path = vouch_testkit::shared_path(
        "vectors/sigstore/conformance/assets/bundle-verify/managed-key-happy-path/bundle.sigstore.json",
    );
    let b = Bundle::from_json(&std::fs::read(&path).unwrap()).unwrap();
    assert!(
        matches!(b.key_material().unwrap(), KeyMaterial::PublicKey(k) if k.hint == "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=")
    );
    let e = &b.verification_material.tlog_entries[0];
    assert!(e.log_index > 0);
    assert!(e.integrated_time > 1_600_000_000);
    assert_eq!(e.log_id.key_id.len(), 32);
    assert!(!e.canonicalized_body.is_empty());
    let proof = e.inclusion_proof.as_ref().unwrap();
    assert_eq!(proof.root_hash.len(), 32);
    assert!(proof.tree_size > proof.log_index);
    assert!(proof.checkpoint.envelope.contains('\n'));
    assert!(e.inclusion_promise.is_some());
    assert!(matches!(b.content().unwrap(), Content::MessageSignature(_)));
}

#[test]
fn dsse_bundle_keeps_payload_bytes() {
    let path = vouch_testkit::shared_path(
        "vectors/sigstore/bundles/cosign-v3-image-sign-kubewarden.sigstore.json",
    );
    let b = Bundle::from_json(&std::fs::read(&path).unwrap()).unwrap();
    let Content::DsseEnvelope(env) = b.content().unwrap() else {
        panic!("not DSSE")
    };
    assert_eq!(env.payload_type, "application/vnd.in-toto+json");
    assert!(env.payload.starts_with(b"{"));
    assert_eq!(env.signatures.len(), 1);
    assert!(b.leaf_certificate().is_some());
    assert_eq!(
        b.verification_material.tlog_entries[0].kind_version.kind,
        "dsse"
    );
}
