//! Real keys, signatures and bundles from `../shared/vectors/sigstore` (see its PROVENANCE.md):
//! every key reads with its documented password, every key-verifiable signature and bundle
//! verifies, and fails once one byte of artifact, signature or payload changes.

use std::path::PathBuf;

use vouch_sign::bundle::Bundle;
use vouch_sign::keys::{KeyError, PrivateKey, PublicKey, SignatureError, Signer};
use vouch_sign::verify::{
    verify_bundle_with_key, verify_envelope_with_key, Artifact, BundleVerifyError, Evidence,
    EvidenceError, EvidenceVerifier, TlogPolicy, VerifiedContent,
};
use vouch_sign::{DigestAlgorithm, Envelope, KeyAlgorithm};

fn v(rel: &str) -> PathBuf {
    vouch_testkit::shared_path(&format!("vectors/sigstore/{rel}"))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(v(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn pem_der(rel: &str) -> Vec<u8> {
    vouch_sign::pem::parse(&read(rel)).unwrap().der.to_vec()
}

#[test]
fn every_cosign_key_reads_with_its_password() {
    let cases = [
        (
            "cosign-test-sigstore-label",
            "hello",
            ".pub.derived",
            KeyAlgorithm::EcdsaP256,
        ),
        (
            "cosign-test-cosign-label",
            "hello",
            ".pub.derived",
            KeyAlgorithm::EcdsaP256,
        ),
        (
            "cosign-generated-empty-password",
            "",
            ".pub.derived",
            KeyAlgorithm::EcdsaP256,
        ),
        (
            "policy-controller-example-cosign",
            "",
            ".pub",
            KeyAlgorithm::EcdsaP256,
        ),
        (
            "sigstore-rs-ecdsa-p256",
            "123",
            ".pub.derived",
            KeyAlgorithm::EcdsaP256,
        ),
        (
            "sigstore-rs-rsa4096",
            "123",
            ".pub.derived",
            KeyAlgorithm::Rsa(4096),
        ),
        (
            "sigstore-rs-ed25519",
            "123",
            ".pub.derived",
            KeyAlgorithm::Ed25519,
        ),
    ];
    for (name, password, pub_ext, alg) in cases {
        let key = PrivateKey::load(&v(&format!("cosign-keys/{name}.key")), password.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.algorithm(), alg, "{name}");
        let expected = pem_der(&format!("cosign-keys/{name}{pub_ext}"));
        assert_eq!(key.public_key().to_spki_der(), expected, "{name}");
        let from_pub = PublicKey::load(&v(&format!("cosign-keys/{name}{pub_ext}"))).unwrap();
        assert_eq!(&from_pub, key.public_key(), "{name}");
        // The key signs, and its public key verifies that signature and no other.
        let sig = key.sign(b"vouch").unwrap();
        from_pub.verify(b"vouch", &sig).unwrap();
        assert!(from_pub.verify(b"vouci", &sig).is_err(), "{name}");

        let wrong = PrivateKey::load(
            &v(&format!("cosign-keys/{name}.key")),
            format!("{password}x").as_bytes(),
        )
        .unwrap_err();
        assert!(wrong.is_wrong_password(), "{name}: {wrong}");
        let msg = wrong.to_string();
        assert!(
            msg.contains(&format!("{name}.key")) && msg.contains("wrong password"),
            "{msg}"
        );
    }
}

#[test]
fn sec1_inside_a_key_file_is_rejected_like_cosign() {
    let err = PrivateKey::load(
        &v("cosign-keys/cosign-test-cosign-label-sec1-inner_fail.key"),
        b"hello",
    )
    .unwrap_err();
    assert!(matches!(err.kind(), KeyError::NotPkcs8(_)), "{err}");
    assert!(err.to_string().contains("SEC1"), "{err}");
}

#[test]
fn truncated_and_malformed_key_files_are_clear_errors() {
    let text = read("cosign-keys/cosign-test-sigstore-label.key");
    let truncated = &text[..text.len() / 2];
    let err = PrivateKey::from_cosign_pem(truncated, b"hello").unwrap_err();
    assert!(err.to_string().contains("truncated PEM"), "{err}");
    let err = PublicKey::from_pem(&read("research-generated/key.pub")[..60]).unwrap_err();
    assert!(err.to_string().contains("truncated PEM"), "{err}");
    // The conformance suite's malformed P-256 point.
    let err = PublicKey::load(&v(
        "conformance/assets/bundle-verify/managed-key-wrong-key_fail/key.pub",
    ))
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("managed-key-wrong-key_fail/key.pub"),
        "{err}"
    );
}

#[test]
fn cosign_image_signatures_verify_and_break_on_one_byte() {
    for (dir, key) in [
        (
            "cosign-image-signatures/ecdsa-p256-registry-testing",
            "cosign.pub",
        ),
        ("cosign-image-signatures/rsa2048-suse-obs", "key.pub"),
    ] {
        let key = PublicKey::load(&v(&format!("{dir}/{key}"))).unwrap();
        let payload = read(&format!("{dir}/payload.json"));
        let sig = vouch_sign::keys::decode_signature_text(&read(&format!("{dir}/signature.b64")));
        key.verify(&payload, &sig)
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        let mut p = payload.clone();
        p[10] ^= 1;
        assert!(key.verify(&p, &sig).is_err(), "{dir}");
        let mut s = sig.clone();
        let n = s.len() - 5;
        s[n] ^= 1;
        assert!(key.verify(&payload, &s).is_err(), "{dir}");
    }
}

#[test]
fn dsse_spec_vector() {
    let vector: serde_json::Value =
        serde_json::from_slice(&read("dsse/dsse-spec-vector.json")).unwrap();
    let pae = vouch_sign::dsse::pae(
        vector["payloadType"].as_str().unwrap(),
        vector["payload_utf8"].as_str().unwrap().as_bytes(),
    );
    assert_eq!(hex::encode(&pae), vector["pae_hex"].as_str().unwrap());
    let key =
        PublicKey::from_pem(vector["key"]["public_key_pem"].as_str().unwrap().as_bytes()).unwrap();
    let env: Envelope = serde_json::from_value(vector["envelope"].clone()).unwrap();
    // P1363 (r||s) signature, as in the spec.
    assert_eq!(
        verify_envelope_with_key(&env, &key).unwrap(),
        b"hello world"
    );
    // Deterministic (RFC 6979) signing reproduces the spec's signature, in DER.
    let private = PrivateKey::from_unencrypted_pem(
        vector["key"]["private_key_pkcs8_pem"]
            .as_str()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let signed = vouch_sign::sign_envelope(&env.payload_type, &env.payload, &private).unwrap();
    assert_eq!(
        vouch_sign::encoding::encode_base64(&signed.signatures[0].sig),
        vector["signature_der_b64"].as_str().unwrap()
    );
    let mut tampered = env.clone();
    tampered.payload.0[0] ^= 1;
    assert!(verify_envelope_with_key(&tampered, &key).is_err());
}

fn bundle(rel: &str) -> Bundle {
    Bundle::from_json(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn must_fail(r: Result<vouch_sign::verify::VerifiedBundle, BundleVerifyError>, what: &str) {
    match r {
        Err(e) => assert!(
            e.is_failure(),
            "{what}: should be a verification failure, got {e}"
        ),
        Ok(_) => panic!("{what}: verified after tampering"),
    }
}

/// Flips one byte of the signature, and of the artifact, and checks both fail.
fn verify_and_tamper(rel: &str, key: &str, artifact: Option<&[u8]>) -> VerifiedContent {
    let key = PublicKey::load(&v(key)).unwrap();
    let b = bundle(rel);
    let art = artifact.map(Artifact::Bytes);
    let ok = verify_bundle_with_key(&b, &key, art.as_ref(), TlogPolicy::InsecureIgnore)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(ok.evidence.is_none());

    let mut bad = b.clone();
    if let Some(m) = bad.message_signature.as_mut() {
        let n = m.signature.len() - 3;
        m.signature.0[n] ^= 1;
    }
    if let Some(e) = bad.dsse_envelope.as_mut() {
        let n = e.signatures[0].sig.len() - 3;
        e.signatures[0].sig.0[n] ^= 1;
    }
    must_fail(
        verify_bundle_with_key(&bad, &key, art.as_ref(), TlogPolicy::InsecureIgnore),
        rel,
    );

    if let Some(bytes) = artifact {
        let mut other = bytes.to_vec();
        other[0] ^= 1;
        must_fail(
            verify_bundle_with_key(
                &b,
                &key,
                Some(&Artifact::Bytes(&other)),
                TlogPolicy::InsecureIgnore,
            ),
            rel,
        );
        // Digest-only mode (`sha256:<hex>`).
        let digest = Artifact::Digest {
            algorithm: DigestAlgorithm::Sha256,
            digest: DigestAlgorithm::Sha256.digest(bytes),
        };
        verify_bundle_with_key(&b, &key, Some(&digest), TlogPolicy::InsecureIgnore).unwrap();
    }
    if let Some(e) = b.dsse_envelope.as_ref() {
        let mut bad = b.clone();
        let env = bad.dsse_envelope.as_mut().unwrap();
        let n = e.payload.len() / 2;
        env.payload.0[n] ^= 1;
        must_fail(
            verify_bundle_with_key(&bad, &key, None, TlogPolicy::InsecureIgnore),
            rel,
        );
    }
    ok.content
}

#[test]
fn key_based_bundles_verify_and_break_on_one_byte() {
    let a_txt = read("conformance/assets/bundle-verify/a.txt");
    verify_and_tamper(
        "research-generated/key-msgsig-no-tlog.sigstore.json",
        "research-generated/key.pub",
        Some(&a_txt),
    );
    let content = verify_and_tamper(
        "research-generated/key-dsse-no-tlog.sigstore.json",
        "research-generated/key.pub",
        Some(&a_txt),
    );
    let VerifiedContent::Dsse { payload, .. } = content else {
        panic!()
    };
    assert!(payload.starts_with(br#"{"_type":"https://in-toto.io/Statement/v1""#));
    verify_and_tamper(
        "bundles/sigstore-go-public-key-validity/bundle.sigstore.json",
        "bundles/sigstore-go-public-key-validity/key.pub",
        Some(&read("bundles/sigstore-go-public-key-validity/artifact")),
    );
    verify_and_tamper(
        "bundles/sigstore-go-npm-publish-key/bundle.sigstore.json",
        "bundles/sigstore-go-npm-publish-key/key.pub",
        None,
    );
    for case in ["managed-key-happy-path", "managed-key-and-trusted-root"] {
        verify_and_tamper(
            &format!("conformance/assets/bundle-verify/{case}/bundle.sigstore.json"),
            &format!("conformance/assets/bundle-verify/{case}/key.pub"),
            Some(&a_txt),
        );
    }
}

#[test]
fn wrong_key_and_keyless_bundles() {
    let other = PublicKey::load(&v(
        "cosign-image-signatures/ecdsa-p256-registry-testing/cosign.pub",
    ))
    .unwrap();
    let b = bundle("research-generated/key-msgsig-no-tlog.sigstore.json");
    let a_txt = read("conformance/assets/bundle-verify/a.txt");
    let err = verify_bundle_with_key(
        &b,
        &other,
        Some(&Artifact::Bytes(&a_txt)),
        TlogPolicy::InsecureIgnore,
    )
    .unwrap_err();
    assert!(
        matches!(err, BundleVerifyError::Signature(SignatureError::Invalid)),
        "{err}"
    );
    let keyless = bundle("bundles/cosign-v3-blob.sigstore.json");
    let err =
        verify_bundle_with_key(&keyless, &other, None, TlogPolicy::InsecureIgnore).unwrap_err();
    assert!(
        !err.is_failure() && matches!(err, BundleVerifyError::Keyless),
        "{err}"
    );
}

struct Recording(std::cell::Cell<usize>);

impl EvidenceVerifier for Recording {
    fn verify_evidence(
        &self,
        bundle: &Bundle,
        _key: &PublicKey,
    ) -> Result<Evidence, EvidenceError> {
        self.0.set(self.0.get() + 1);
        Ok(Evidence {
            times: vec![],
            tlog_entries: bundle.verification_material.tlog_entries.len(),
            timestamps: 0,
        })
    }
}

#[test]
fn evidence_is_required_unless_ignored() {
    let key = PublicKey::load(&v("research-generated/key.pub")).unwrap();
    let a_txt = read("conformance/assets/bundle-verify/a.txt");
    let rec = Recording(std::cell::Cell::new(0));
    let b = bundle("research-generated/key-msgsig-no-tlog.sigstore.json");
    let err = verify_bundle_with_key(
        &b,
        &key,
        Some(&Artifact::Bytes(&a_txt)),
        TlogPolicy::Require(&rec),
    )
    .unwrap_err();
    assert!(matches!(err, BundleVerifyError::NoEvidence) && err.is_failure());
    assert!(err.to_string().contains("--insecure-ignore-tlog"));
    assert_eq!(rec.0.get(), 0);
    let happy =
        bundle("conformance/assets/bundle-verify/managed-key-happy-path/bundle.sigstore.json");
    let key = PublicKey::load(&v(
        "conformance/assets/bundle-verify/managed-key-happy-path/key.pub",
    ))
    .unwrap();
    let ok = verify_bundle_with_key(
        &happy,
        &key,
        Some(&Artifact::Bytes(&a_txt)),
        TlogPolicy::Require(&rec),
    )
    .unwrap();
    assert_eq!(rec.0.get(), 1);
    assert_eq!(ok.evidence.unwrap().tlog_entries, 1);
}

#[test]
fn signed_bundles_round_trip() {
    let key = PrivateKey::generate_p256();
    let data = b"release artifact";
    let digest = DigestAlgorithm::Sha256.digest(data);
    let sig = key.sign_prehash(&digest).unwrap();
    let b = Bundle::for_message_signature(DigestAlgorithm::Sha256, &digest, &sig, key.public_key());
    let parsed = Bundle::from_json(&b.to_json()).unwrap();
    assert_eq!(
        parsed
            .verification_material
            .public_key
            .as_ref()
            .unwrap()
            .hint,
        key.public_key().hint()
    );
    verify_bundle_with_key(
        &parsed,
        key.public_key(),
        Some(&Artifact::Bytes(data)),
        TlogPolicy::InsecureIgnore,
    )
    .unwrap();
    let env = vouch_sign::sign_envelope("text/plain", b"x", &key).unwrap();
    let b = Bundle::for_dsse(env, key.public_key());
    let parsed = Bundle::from_json(&b.to_json()).unwrap();
    let ok = verify_bundle_with_key(&parsed, key.public_key(), None, TlogPolicy::InsecureIgnore)
        .unwrap();
    assert_eq!(
        ok.content,
        VerifiedContent::Dsse {
            payload_type: "text/plain".into(),
            payload: b"x".to_vec()
        }
    );
}
