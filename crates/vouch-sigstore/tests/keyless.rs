//! Keyless and logged key-based signing against loopback Fulcio, Rekor v1/v2 and a timestamp
//! authority made of `@sigstore/mock`; every bundle is then verified by vouch-trust and by
//! `@sigstore/verify` at its default strictness, and refused for another identity.

use std::path::Path;
use std::process::Command;

use sha2::Digest as _;
use vouch_sigstore::{Payload, ServiceOverrides, Session, SignError, SigningConfig};
use vouch_testkit::sigstore_mock::MockSigstore;
use vouch_trust::{Artifact, Check, TrustedRoot, VerificationPolicy, VerifyError, VerifyOptions};

const SAN: &str =
    "https://github.com/vouch-dev/demo/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn session(mock: &MockSigstore, config: &Path) -> Session {
    let config = SigningConfig::from_json(&std::fs::read(config).unwrap()).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let services = config.select(now, &ServiceOverrides::default()).unwrap();
    Session::new(services, root(mock), vouch_sigstore::DEFAULT_TIMEOUT).unwrap()
}

fn root(mock: &MockSigstore) -> TrustedRoot {
    TrustedRoot::from_json(&std::fs::read(mock.trusted_root()).unwrap()).unwrap()
}

fn token() -> vouch_sigstore::IdentityToken {
    vouch_sigstore::IdentityToken::parse(&MockSigstore::token(SAN, ISSUER), "test").unwrap()
}

/// `@sigstore/verify` with default thresholds (installed beside `@sigstore/mock`).
fn js_verify(
    bundle: &vouch_sign::Bundle,
    root: &Path,
    policy: &[&str],
    artifact: Option<&[u8]>,
) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("b.json");
    std::fs::write(&b, bundle.to_json()).unwrap();
    let script = vouch_testkit::repo_root().join("tests/verifiers/sigstore-verify-strict.js");
    let mut cmd = Command::new("node");
    cmd.arg(script).arg(&b).arg(root).args(policy);
    if let Some(a) = artifact {
        let p = dir.path().join("artifact");
        std::fs::write(&p, a).unwrap();
        cmd.arg(p);
    }
    let (ok, out, err) = vouch_testkit::run(&mut cmd);
    (ok, format!("{out}{err}"))
}

fn statement(artifact: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar.gz", "digest": {"sha256": hex::encode(sha2::Sha256::digest(artifact))}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://example.com/build"}},
    }))
    .unwrap()
}

fn verify(
    mock: &MockSigstore,
    bundle: &vouch_sign::Bundle,
    artifact: &[u8],
    policy: &VerificationPolicy,
) -> Result<vouch_trust::VerifiedBundle, VerifyError> {
    let bundle = vouch_sign::Bundle::from_json(&bundle.to_json()).unwrap();
    vouch_trust::verify_bundle(
        &bundle,
        &Artifact::Bytes(artifact.to_vec()),
        policy,
        &root(mock),
        VerifyOptions::default(),
    )
}

#[test]
fn keyless_blob_and_attestation_with_rekor_v1() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let s = session(&mock, &mock.signing_config());
    let artifact = b"release artifact\n";
    let digest: [u8; 32] = sha2::Sha256::digest(artifact).into();

    let blob = s
        .sign_keyless(&token(), Payload::Blob { sha256: &digest })
        .unwrap();
    assert_eq!(blob.verified_times.len(), 1, "the self-check saw the SET");
    let b = &blob.bundle;
    assert_eq!(
        b.media_type,
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert!(b.verification_material.certificate.is_some());
    let entry = &b.verification_material.tlog_entries[0];
    assert_eq!(
        (
            entry.kind_version.kind.as_str(),
            entry.kind_version.version.as_str()
        ),
        ("hashedrekord", "0.0.1")
    );
    assert!(entry.inclusion_promise.is_some() && entry.inclusion_proof.is_some());
    assert_eq!(blob.identity.as_ref().unwrap().sans, vec![SAN.to_owned()]);

    let ok = verify(
        &mock,
        b,
        artifact,
        &VerificationPolicy::identity(SAN, ISSUER),
    )
    .unwrap();
    assert_eq!(ok.verified_times.len(), 1);
    let other = verify(
        &mock,
        b,
        artifact,
        &VerificationPolicy::identity(
            "https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main",
            ISSUER,
        ),
    )
    .unwrap_err();
    assert_eq!(other.check(), Some(Check::Identity), "{other}");
    let other_issuer = verify(
        &mock,
        b,
        artifact,
        &VerificationPolicy::identity(SAN, "https://accounts.google.com"),
    )
    .unwrap_err();
    assert_eq!(
        other_issuer.check(),
        Some(Check::Identity),
        "{other_issuer}"
    );
    // Only DSSE bundles may be checked without their artifact.
    let unbound = vouch_trust::verify_dsse_bundle_unbound(
        b,
        &VerificationPolicy::identity(SAN, ISSUER),
        &root(&mock),
        VerifyOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(unbound, VerifyError::Unusable(_)), "{unbound}");
    let tampered = verify(
        &mock,
        b,
        b"another artifact",
        &VerificationPolicy::identity(SAN, ISSUER),
    )
    .unwrap_err();
    assert_eq!(tampered.check(), Some(Check::Signature), "{tampered}");

    let (ok, out) = js_verify(
        b,
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        Some(artifact),
    );
    assert!(
        ok,
        "@sigstore/verify refused the keyless blob bundle: {out}"
    );
    let (ok, out) = js_verify(
        b,
        &mock.trusted_root(),
        &["--identity", "https://example.com/other", ISSUER],
        Some(artifact),
    );
    assert!(!ok, "@sigstore/verify accepted another identity: {out}");

    let payload = statement(artifact);
    let att = s
        .sign_keyless(
            &token(),
            Payload::Dsse {
                payload_type: vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE,
                payload: &payload,
            },
        )
        .unwrap();
    assert_eq!(att.verified_times.len(), 1);
    let entry = &att.bundle.verification_material.tlog_entries[0];
    assert_eq!(
        (
            entry.kind_version.kind.as_str(),
            entry.kind_version.version.as_str()
        ),
        ("dsse", "0.0.1")
    );
    assert_eq!(
        att.bundle.dsse_envelope.as_ref().unwrap().signatures[0].keyid,
        ""
    );
    let v = verify(
        &mock,
        &att.bundle,
        artifact,
        &VerificationPolicy::identity(SAN, ISSUER),
    )
    .unwrap();
    assert_eq!(v.payload.unwrap().1, payload);
    let (ok, out) = js_verify(
        &att.bundle,
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        None,
    );
    assert!(
        ok,
        "@sigstore/verify refused the keyless DSSE bundle: {out}"
    );
}

#[test]
fn rekor_v2_entries_are_timed_by_the_timestamp_authority() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let s = session(&mock, &mock.signing_config_rekor2());
    assert_eq!(s.services().rekor[0].major_api_version, 2);
    let artifact = b"v2 artifact";
    let digest: [u8; 32] = sha2::Sha256::digest(artifact).into();
    let blob = s
        .sign_keyless(&token(), Payload::Blob { sha256: &digest })
        .unwrap();
    let vm = &blob.bundle.verification_material;
    assert_eq!(vm.tlog_entries[0].kind_version.version, "0.0.2");
    assert!(vm.tlog_entries[0].inclusion_promise.is_none());
    assert_eq!(
        vm.timestamp_verification_data
            .as_ref()
            .unwrap()
            .rfc3161_timestamps
            .len(),
        1
    );
    let v = verify(
        &mock,
        &blob.bundle,
        artifact,
        &VerificationPolicy::identity(SAN, ISSUER),
    )
    .unwrap();
    assert_eq!(
        v.verified_times.len(),
        1,
        "only the timestamp times a Rekor v2 entry"
    );

    // Without its timestamp the bundle has no verified time and is refused.
    let mut untimed = blob.bundle.clone();
    untimed.verification_material.timestamp_verification_data = None;
    let e = verify(
        &mock,
        &untimed,
        artifact,
        &VerificationPolicy::identity(SAN, ISSUER),
    )
    .unwrap_err();
    assert_eq!(e.check(), Some(Check::Timestamp), "{e}");

    let (ok, out) = js_verify(
        &blob.bundle,
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        Some(artifact),
    );
    assert!(
        ok,
        "@sigstore/verify refused the Rekor v2 blob bundle: {out}"
    );

    let payload = statement(artifact);
    let att = s
        .sign_keyless(
            &token(),
            Payload::Dsse {
                payload_type: vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE,
                payload: &payload,
            },
        )
        .unwrap();
    assert_eq!(
        att.bundle.verification_material.tlog_entries[0]
            .kind_version
            .kind,
        "dsse"
    );
    verify(
        &mock,
        &att.bundle,
        artifact,
        &VerificationPolicy::identity(SAN, ISSUER),
    )
    .unwrap();
    let (ok, out) = js_verify(
        &att.bundle,
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        None,
    );
    assert!(
        ok,
        "@sigstore/verify refused the Rekor v2 DSSE bundle: {out}"
    );
}

#[test]
fn key_based_signatures_are_logged_and_verify_without_ignoring_the_log() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let s = session(&mock, &mock.signing_config_tsa());
    let key = vouch_sign::PrivateKey::generate_p256();
    let artifact = b"signed with a key";
    let digest: [u8; 32] = sha2::Sha256::digest(artifact).into();
    let signed = s
        .sign_with_key(&key, Payload::Blob { sha256: &digest })
        .unwrap();
    let vm = &signed.bundle.verification_material;
    assert!(vm.public_key.is_some());
    assert_eq!(vm.tlog_entries.len(), 1);
    assert!(vm.timestamp_verification_data.is_some());
    let public = vouch_trust::PublicKey::from_spki_der(
        vouch_sign::keys::Signer::public_key(&key).to_spki_der(),
    )
    .unwrap();
    let v = verify(
        &mock,
        &signed.bundle,
        artifact,
        &VerificationPolicy::Key(public),
    )
    .unwrap();
    assert_eq!(v.verified_times.len(), 2, "integrated time and timestamp");

    // A different key is refused.
    let other = vouch_sign::PrivateKey::generate_p256();
    let other = vouch_trust::PublicKey::from_spki_der(
        vouch_sign::keys::Signer::public_key(&other).to_spki_der(),
    )
    .unwrap();
    assert!(verify(
        &mock,
        &signed.bundle,
        artifact,
        &VerificationPolicy::Key(other)
    )
    .is_err());

    let dir = tempfile::tempdir().unwrap();
    let pubkey = dir.path().join("k.pub");
    std::fs::write(&pubkey, vouch_sign::keys::Signer::public_key(&key).to_pem()).unwrap();
    let (ok, out) = js_verify(
        &signed.bundle,
        &mock.trusted_root(),
        &["--key", pubkey.to_str().unwrap()],
        Some(artifact),
    );
    assert!(
        ok,
        "@sigstore/verify refused the logged key-based bundle: {out}"
    );
}

#[test]
fn services_and_roots_that_do_not_fit_are_refused_with_their_names() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let digest = [7u8; 32];
    // Rekor v2 without a timestamp authority: refused before anything is requested.
    let cfg =
        SigningConfig::from_json(&std::fs::read(mock.signing_config_rekor2()).unwrap()).unwrap();
    let mut services = cfg
        .select(
            time::OffsetDateTime::now_utc().unix_timestamp(),
            &ServiceOverrides::default(),
        )
        .unwrap();
    services.tsa.clear();
    let s = Session::new(services, root(&mock), vouch_sigstore::DEFAULT_TIMEOUT).unwrap();
    let e = s
        .sign_keyless(&token(), Payload::Blob { sha256: &digest })
        .unwrap_err();
    assert!(matches!(e, SignError::NeedsTimestamp(_)), "{e}");

    // The public-good root does not trust the mock CA: the certificate is refused.
    let cfg = SigningConfig::from_json(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
    let services = cfg
        .select(
            time::OffsetDateTime::now_utc().unix_timestamp(),
            &ServiceOverrides::default(),
        )
        .unwrap();
    let s = Session::new(
        services.clone(),
        TrustedRoot::public_good(),
        vouch_sigstore::DEFAULT_TIMEOUT,
    )
    .unwrap();
    let e = s
        .sign_keyless(&token(), Payload::Blob { sha256: &digest })
        .unwrap_err()
        .to_string();
    assert!(e.contains("Fulcio") && e.contains(&mock.fulcio), "{e}");

    // A service that is not there: the error names it and its URL.
    let mut down = services;
    down.rekor[0].url = "http://127.0.0.1:9".into();
    let s = Session::new(down, root(&mock), std::time::Duration::from_secs(2)).unwrap();
    let e = s
        .sign_keyless(&token(), Payload::Blob { sha256: &digest })
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("Rekor at `http://127.0.0.1:9/api/v1/log/entries`"),
        "{e}"
    );

    // A root that knows the CA and CT log but not the log: the self-check refuses the new
    // bundle (any payload type, here one that names no artifact).
    let mut partial: serde_json::Value =
        serde_json::from_slice(&std::fs::read(mock.trusted_root()).unwrap()).unwrap();
    partial["tlogs"] = serde_json::json!([]);
    let partial = TrustedRoot::from_json(&serde_json::to_vec(&partial).unwrap()).unwrap();
    let cfg = SigningConfig::from_json(&std::fs::read(mock.signing_config()).unwrap()).unwrap();
    let services = cfg
        .select(
            time::OffsetDateTime::now_utc().unix_timestamp(),
            &ServiceOverrides::default(),
        )
        .unwrap();
    let s = Session::new(services, partial, vouch_sigstore::DEFAULT_TIMEOUT).unwrap();
    let e = s
        .sign_keyless(
            &token(),
            Payload::Dsse {
                payload_type: "text/plain",
                payload: b"hello",
            },
        )
        .unwrap_err();
    assert!(matches!(e, SignError::SelfCheck(_)), "{e}");
    assert!(e.to_string().contains("not in the trusted root"), "{e}");
}
