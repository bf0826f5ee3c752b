//! Corrupting a passing bundle's timestamp token, certificate or log entry one byte at a time
//! never panics and never verifies.

use vouch_sign::bundle::Bundle;
use vouch_trust::{Artifact, TrustedRoot, VerificationPolicy, VerifyOptions};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

#[test]
fn single_byte_corruptions_are_rejected() {
    let dir = vouch_testkit::shared_path(
        "vectors/sigstore/conformance/assets/bundle-verify/rekor2-happy-path",
    );
    let root =
        TrustedRoot::from_json(&std::fs::read(dir.join("trusted_root.json")).unwrap()).unwrap();
    let good =
        Bundle::from_json(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
    let artifact = Artifact::Bytes(std::fs::read(dir.parent().unwrap().join("a.txt")).unwrap());
    let policy = VerificationPolicy::identity(IDENTITY, ISSUER);
    let run = |b: &Bundle| {
        vouch_trust::verify_bundle(b, &artifact, &policy, &root, VerifyOptions::default())
    };
    run(&good).unwrap();

    let token_len = good
        .verification_material
        .timestamp_verification_data
        .as_ref()
        .unwrap()
        .rfc3161_timestamps[0]
        .signed_timestamp
        .as_slice()
        .len();
    let token = good
        .verification_material
        .timestamp_verification_data
        .as_ref()
        .unwrap()
        .rfc3161_timestamps[0]
        .signed_timestamp
        .as_slice()
        .to_vec();
    let tsa_cert = &root.timestamp_authorities[0].chain[0].1;
    let cert_at = token
        .windows(tsa_cert.len())
        .position(|w| w == tsa_cert.as_slice())
        .expect("the token embeds the TSA certificate");
    let mut rejected = 0;
    for i in (0..token_len).step_by(5) {
        let mut b = good.clone();
        let ts = &mut b
            .verification_material
            .timestamp_verification_data
            .as_mut()
            .unwrap()
            .rfc3161_timestamps[0]
            .signed_timestamp
            .0;
        ts[i] ^= 0x01;
        // Only the embedded TSA certificate is unauthenticated: verification uses the trusted
        // root's copy, so a flip there that still parses may verify. Everything else must not.
        let in_embedded_cert = i >= cert_at && i < cert_at + tsa_cert.len();
        if run(&b).is_err() {
            rejected += 1;
        } else {
            assert!(
                in_embedded_cert,
                "timestamp token byte {i} flipped still verifies"
            );
        }
    }
    // Outside the embedded certificate (about 40% of the token) every flip was rejected.
    assert!(
        rejected * 2 > token_len / 5,
        "{rejected} token corruptions rejected"
    );

    let cert_len = good
        .verification_material
        .certificate
        .as_ref()
        .unwrap()
        .raw_bytes
        .as_slice()
        .len();
    for i in (0..cert_len).step_by(7) {
        let mut b = good.clone();
        b.verification_material
            .certificate
            .as_mut()
            .unwrap()
            .raw_bytes
            .0[i] ^= 0x80;
        assert!(
            run(&b).is_err(),
            "certificate byte {i} flipped still verifies"
        );
    }

    let body_len = good.verification_material.tlog_entries[0]
        .canonicalized_body
        .as_slice()
        .len();
    for i in (0..body_len).step_by(11) {
        let mut b = good.clone();
        b.verification_material.tlog_entries[0].canonicalized_body.0[i] ^= 0x01;
        assert!(
            run(&b).is_err(),
            "log entry body byte {i} flipped still verifies"
        );
    }
}

#[test]
fn rekor_v1_promise_and_checkpoint_corruptions_are_rejected() {
    let dir = vouch_testkit::shared_path(
        "vectors/sigstore/conformance/assets/bundle-verify/happy-path-v0.3",
    );
    let root = TrustedRoot::public_good();
    let good =
        Bundle::from_json(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
    let artifact = Artifact::Bytes(std::fs::read(dir.parent().unwrap().join("a.txt")).unwrap());
    let policy = VerificationPolicy::identity(IDENTITY, ISSUER);
    let run = |b: &Bundle| {
        vouch_trust::verify_bundle(b, &artifact, &policy, &root, VerifyOptions::default())
    };
    run(&good).unwrap();

    let entry = &good.verification_material.tlog_entries[0];
    let set_len = entry
        .inclusion_promise
        .as_ref()
        .unwrap()
        .signed_entry_timestamp
        .as_slice()
        .len();
    for i in 0..set_len {
        let mut b = good.clone();
        b.verification_material.tlog_entries[0]
            .inclusion_promise
            .as_mut()
            .unwrap()
            .signed_entry_timestamp
            .0[i] ^= 0x01;
        assert!(run(&b).is_err(), "SET byte {i} flipped still verifies");
    }
    for (what, delta) in [("integrated time", 1), ("log index", 1)] {
        let mut b = good.clone();
        let e = &mut b.verification_material.tlog_entries[0];
        if what == "log index" {
            e.log_index += delta;
        } else {
            e.integrated_time += delta;
        }
        assert!(run(&b).is_err(), "{what} changed still verifies");
    }

    let envelope = entry
        .inclusion_proof
        .as_ref()
        .unwrap()
        .checkpoint
        .envelope
        .clone();
    let note_len = envelope.find("\n\n").unwrap();
    for i in 0..note_len {
        let mut bytes = envelope.clone().into_bytes();
        bytes[i] ^= 0x01;
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let mut b = good.clone();
        b.verification_material.tlog_entries[0]
            .inclusion_proof
            .as_mut()
            .unwrap()
            .checkpoint
            .envelope = text;
        assert!(
            run(&b).is_err(),
            "checkpoint byte {i} flipped still verifies"
        );
    }
}
