//! Real bundles from cosign, sigstore-go and npm (shared `vectors/sigstore/bundles/`), each
//! verified against the root its producer used, and each also rejected when one thing is off.

use std::path::PathBuf;

use vouch_sign::bundle::Bundle;
use vouch_trust::{
    Artifact, Check, PublicKey, Signer, TrustedRoot, VerificationPolicy, VerifyError, VerifyOptions,
};

fn dir() -> PathBuf {
    vouch_testkit::shared_path("vectors/sigstore/bundles")
}

fn bundle(rel: &str) -> Bundle {
    Bundle::from_json(&std::fs::read(dir().join(rel)).unwrap()).unwrap()
}

fn verify(
    b: &Bundle,
    a: &Artifact,
    p: &VerificationPolicy,
    r: &TrustedRoot,
) -> Result<vouch_trust::VerifiedBundle, VerifyError> {
    vouch_trust::verify_bundle(b, a, p, r, VerifyOptions::default())
}

const GITHUB: &str = "https://token.actions.githubusercontent.com";

#[test]
fn cosign_v3_image_signature_dsse() {
    let b = bundle("cosign-v3-image-sign-kubewarden.sigstore.json");
    let digest = Artifact::from_digest(
        "sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172",
    )
    .unwrap();
    let policy = VerificationPolicy::identity(
        "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0",
        GITHUB,
    );
    let root = TrustedRoot::public_good();
    let v = verify(&b, &digest, &policy, &root).unwrap();
    assert_eq!(v.verified_times.len(), 2, "SET and RFC 3161 time");
    let other = Artifact::from_digest(&format!("sha256:{}", "0".repeat(64))).unwrap();
    let err = verify(&b, &other, &policy, &root).unwrap_err();
    assert_eq!(err.check(), Some(Check::Signature), "{err}");
}

#[test]
fn cosign_v3_blob_hashedrekord_with_timestamp() {
    let b = bundle("cosign-v3-blob.sigstore.json");
    let bytes = std::fs::read(dir().join("cosign-v3-blob.txt")).unwrap();
    let root = TrustedRoot::public_good();
    // Learn the identity from the certificate, then require it.
    let cert = vouch_trust::certs::parse(b.leaf_certificate().unwrap()).unwrap();
    let id = vouch_trust::certs::identity(&cert);
    let policy = VerificationPolicy::identity(&id.sans[0], id.issuer.as_deref().unwrap());
    verify(&b, &Artifact::Bytes(bytes.clone()), &policy, &root).unwrap();
    let mut tampered = bytes;
    tampered.push(b'\n');
    let err = verify(&b, &Artifact::Bytes(tampered), &policy, &root).unwrap_err();
    assert_eq!(err.check(), Some(Check::Signature), "{err}");
}

#[test]
fn cosign_attestation_with_email_identity() {
    let b = bundle("cosign-oci-attestation.sigstore.json");
    let digest = Artifact::from_digest(
        "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4",
    )
    .unwrap();
    let root = TrustedRoot::public_good();
    let v = verify(
        &b,
        &digest,
        &VerificationPolicy::identity("cody@soyland.com", "https://github.com/login/oauth"),
        &root,
    )
    .unwrap();
    let Signer::Certificate { identity, .. } = v.signer else {
        panic!("keyless")
    };
    assert_eq!(identity.sans, ["cody@soyland.com"]);
    let err = verify(
        &b,
        &digest,
        &VerificationPolicy::identity("cody@soyland.com", GITHUB),
        &root,
    )
    .unwrap_err();
    assert_eq!(err.check(), Some(Check::Identity), "{err}");
}

#[test]
fn npm_publish_attestation_with_key_and_sha512_subject() {
    let b = bundle("sigstore-go-npm-publish-key/bundle.sigstore.json");
    let key = PublicKey::from_pem(
        &std::fs::read_to_string(dir().join("sigstore-go-npm-publish-key/key.pub")).unwrap(),
    )
    .unwrap();
    let digest = Artifact::from_digest("sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751").unwrap();
    let root = TrustedRoot::public_good();
    let v = verify(&b, &digest, &VerificationPolicy::Key(key), &root).unwrap();
    assert!(matches!(v.signer, Signer::PublicKey { .. }));
    // Another key: the envelope signature does not verify.
    let other = PublicKey::from_pem(
        &std::fs::read_to_string(vouch_testkit::shared_path(
            "vectors/sigstore/research-generated/key.pub",
        ))
        .unwrap(),
    )
    .unwrap();
    let err = verify(&b, &digest, &VerificationPolicy::Key(other), &root).unwrap_err();
    assert_eq!(err.check(), Some(Check::Signature), "{err}");
}

#[test]
fn key_bundle_with_only_a_timestamp() {
    let d = dir().join("sigstore-go-public-key-validity");
    let b = Bundle::from_json(&std::fs::read(d.join("bundle.sigstore.json")).unwrap()).unwrap();
    let key = PublicKey::from_pem(&std::fs::read_to_string(d.join("key.pub")).unwrap()).unwrap();
    let root =
        TrustedRoot::from_json(&std::fs::read(d.join("trusted_root.json")).unwrap()).unwrap();
    let artifact = Artifact::Bytes(std::fs::read(d.join("artifact")).unwrap());
    let policy = VerificationPolicy::Key(key);
    // No transparency-log entry: rejected by default, accepted when the caller allows it.
    let err = verify(&b, &artifact, &policy, &root).unwrap_err();
    assert_eq!(err.check(), Some(Check::TlogEntry), "{err}");
    let v = vouch_trust::verify_bundle(
        &b,
        &artifact,
        &policy,
        &root,
        VerifyOptions {
            require_tlog: false,
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert_eq!(v.verified_times.len(), 1, "the RFC 3161 time");
}

#[test]
fn key_bundles_without_a_log_need_the_caller_to_allow_it() {
    let d = vouch_testkit::shared_path("vectors/sigstore/research-generated");
    let key = PublicKey::from_pem(&std::fs::read_to_string(d.join("key.pub")).unwrap()).unwrap();
    let artifact = Artifact::Bytes(
        std::fs::read(vouch_testkit::shared_path(
            "vectors/sigstore/conformance/assets/a.txt",
        ))
        .unwrap(),
    );
    let root = TrustedRoot::public_good();
    let policy = VerificationPolicy::Key(key);
    let lenient = VerifyOptions {
        require_tlog: false,
        ..VerifyOptions::default()
    };
    for name in [
        "key-msgsig-no-tlog.sigstore.json",
        "key-dsse-no-tlog.sigstore.json",
    ] {
        let b = Bundle::from_json(&std::fs::read(d.join(name)).unwrap()).unwrap();
        let err = verify(&b, &artifact, &policy, &root).unwrap_err();
        assert_eq!(err.check(), Some(Check::TlogEntry), "{name}: {err}");
        let v = vouch_trust::verify_bundle(&b, &artifact, &policy, &root, lenient)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(v.verified_times.is_empty(), "{name}");
    }
}
