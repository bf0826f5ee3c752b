//! `vouch key`: cosign key files on disk, read back by vouch and by Python `cryptography`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vouch(dir: &Path, args: &[&str], password: Option<&str>) -> (i32, String, String) {
    let v = vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch")).dir(dir);
    match password {
        Some(p) => v.env("COSIGN_PASSWORD", p),
        None => v,
    }
    .run(args)
}

fn keys(name: &str) -> PathBuf {
    vouch_testkit::cli::cosign_key(name)
}

fn s(p: &Path) -> &str {
    vouch_testkit::cli::path_str(p)
}

/// The first stderr line is the error, naming `needle`; nothing else but an optional hint.
fn one_line_error(stderr: &str, needle: &str) {
    vouch_testkit::cli::assert_one_line_error(stderr, needle, false);
}

#[test]
fn generate_writes_a_cosign_key_pair() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = vouch(dir.path(), &["key", "generate"], Some("s3cret"));
    assert_eq!(code, 0, "{err}");
    let key_path = dir.path().join("cosign.key");
    let pub_path = dir.path().join("cosign.pub");
    let text = std::fs::read_to_string(&key_path).unwrap();
    assert!(text.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // cosign's JSON inside: scrypt N=65536 r=8 p=1, 32-byte salt, 24-byte nonce.
    let block = vouch_sign::pem::parse(text.as_bytes()).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&block.der).unwrap();
    assert_eq!(json["kdf"]["name"], "scrypt");
    assert_eq!(
        json["kdf"]["params"],
        serde_json::json!({"N": 65536, "r": 8, "p": 1})
    );
    assert_eq!(
        vouch_sign::encoding::decode_base64(json["kdf"]["salt"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert_eq!(json["cipher"]["name"], "nacl/secretbox");
    assert_eq!(
        vouch_sign::encoding::decode_base64(json["cipher"]["nonce"].as_str().unwrap())
            .unwrap()
            .len(),
        24
    );

    // Round trip: vouch reads it back, and its public key is the .pub.
    let key = vouch_sign::PrivateKey::load(&key_path, b"s3cret").unwrap();
    let public = vouch_sign::PublicKey::load(&pub_path).unwrap();
    assert_eq!(vouch_sign::Signer::public_key(&key), &public);
    assert_eq!(key.algorithm(), vouch_sign::KeyAlgorithm::EcdsaP256);
    let (code, out, _) = vouch(
        dir.path(),
        &["key", "public-key", "--key", "cosign.key"],
        Some("s3cret"),
    );
    assert_eq!(code, 0);
    assert_eq!(out, std::fs::read_to_string(&pub_path).unwrap());

    // Refuses to overwrite without --force.
    let before = std::fs::read(&key_path).unwrap();
    let (code, _, err) = vouch(dir.path(), &["key", "generate"], Some("x"));
    assert_eq!(code, 2);
    one_line_error(&err, "cosign.key");
    assert_eq!(std::fs::read(&key_path).unwrap(), before);
    let (code, _, err) = vouch(dir.path(), &["key", "generate", "--force"], Some("x"));
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(&key_path).unwrap(), before);

    // Python `cryptography` reads the .pub as a standard SPKI PEM.
    if vouch_testkit::require_tool("python3") {
        let script = vouch_testkit::repo_root().join("tests/verifiers/pubkey_check.py");
        let (ok, out, err) = vouch_testkit::run(Command::new("python3").arg(script).arg(&pub_path));
        assert!(ok, "{out}{err}");
        // 91 bytes: the DER SPKI of a P-256 key.
        assert!(
            out.starts_with("OK ") && out.trim_end().ends_with("PublicKey 91"),
            "{out}"
        );
    }
}

#[test]
fn generate_with_prefix_and_empty_password() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = vouch(
        dir.path(),
        &["key", "generate", "--output-key-prefix", "release"],
        Some(""),
    );
    assert_eq!(code, 0, "{err}");
    vouch_sign::PrivateKey::load(&dir.path().join("release.key"), b"").unwrap();
    assert!(dir.path().join("release.pub").is_file());
}

#[test]
fn public_key_of_every_shared_key_matches_its_pub_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, password, pub_ext) in [
        ("cosign-test-sigstore-label", "hello", ".pub.derived"),
        ("cosign-test-cosign-label", "hello", ".pub.derived"),
        ("cosign-generated-empty-password", "", ".pub.derived"),
        ("policy-controller-example-cosign", "", ".pub"),
        ("sigstore-rs-ecdsa-p256", "123", ".pub.derived"),
        ("sigstore-rs-rsa4096", "123", ".pub.derived"),
        ("sigstore-rs-ed25519", "123", ".pub.derived"),
    ] {
        let key = keys(&format!("{name}.key"));
        let (code, out, err) = vouch(
            dir.path(),
            &["key", "public-key", "--key", s(&key)],
            Some(password),
        );
        assert_eq!(code, 0, "{name}: {err}");
        let expected = std::fs::read_to_string(keys(&format!("{name}{pub_ext}"))).unwrap();
        assert_eq!(
            out.replace("\r\n", "\n"),
            expected.replace("\r\n", "\n"),
            "{name}"
        );
    }
}

#[test]
fn bad_key_files_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Wrong password.
    let key = keys("cosign-test-sigstore-label.key");
    let (code, _, err) = vouch(
        dir.path(),
        &["key", "public-key", "--key", s(&key)],
        Some("nope"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "cosign-test-sigstore-label.key");
    assert!(err.contains("wrong password"), "{err}");
    // SEC1 inside: cosign rejects it, so does vouch.
    let key = keys("cosign-test-cosign-label-sec1-inner_fail.key");
    let (code, _, err) = vouch(
        dir.path(),
        &["key", "public-key", "--key", s(&key)],
        Some("hello"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "sec1-inner_fail.key");
    assert!(err.contains("SEC1"), "{err}");
    // Truncated PEM.
    let text = std::fs::read(keys("cosign-test-sigstore-label.key")).unwrap();
    let truncated = dir.path().join("truncated.key");
    std::fs::write(&truncated, &text[..300]).unwrap();
    let (code, _, err) = vouch(
        dir.path(),
        &["key", "public-key", "--key", "truncated.key"],
        Some("hello"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "truncated.key");
    assert!(err.contains("truncated PEM"), "{err}");
    // Missing file.
    let (code, _, err) = vouch(
        dir.path(),
        &["key", "public-key", "--key", "missing.key"],
        Some("x"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "missing.key");
}

#[test]
fn import_converts_unencrypted_keys() {
    let dir = tempfile::tempdir().unwrap();
    let vector: serde_json::Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "vectors/sigstore/dsse/dsse-spec-vector.json",
        ))
        .unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plain.pem"),
        vector["key"]["private_key_pkcs8_pem"].as_str().unwrap(),
    )
    .unwrap();
    let (code, _, err) = vouch(dir.path(), &["key", "import", "plain.pem"], Some("pw"));
    assert_eq!(code, 0, "{err}");
    let public = std::fs::read_to_string(dir.path().join("import-cosign.pub")).unwrap();
    assert_eq!(public, vector["key"]["public_key_pem"].as_str().unwrap());
    vouch_sign::PrivateKey::load(&dir.path().join("import-cosign.key"), b"pw").unwrap();
    // A cosign key is not an unencrypted key.
    let (code, _, err) = vouch(
        dir.path(),
        &[
            "key",
            "import",
            s(&keys("cosign-test-sigstore-label.key")),
            "--output-key-prefix",
            "again",
        ],
        Some("pw"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "cosign-test-sigstore-label.key");
}

#[test]
fn unsupported_curves_are_named() {
    if !vouch_testkit::require_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = "from cryptography.hazmat.primitives.asymmetric import ec\n\
from cryptography.hazmat.primitives import serialization as s\n\
k = ec.generate_private_key(ec.SECP256K1())\n\
open('k1.pem','wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))\n\
open('k1.pub','wb').write(k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))\n";
    let (ok, _, err) = vouch_testkit::run(
        Command::new("python3")
            .current_dir(dir.path())
            .args(["-c", script]),
    );
    assert!(ok, "{err}");
    let (code, _, err) = vouch(dir.path(), &["key", "import", "k1.pem"], Some("pw"));
    assert_eq!(code, 2);
    one_line_error(&err, "k1.pem");
    assert!(
        err.contains("unsupported elliptic curve secp256k1"),
        "{err}"
    );
    std::fs::write(dir.path().join("f"), b"x").unwrap();
    std::fs::write(dir.path().join("f.sig"), b"MEUCIQ==").unwrap();
    let (code, _, err) = vouch(
        dir.path(),
        &[
            "verify",
            "blob",
            "f",
            "--key",
            "k1.pub",
            "--signature",
            "f.sig",
        ],
        None,
    );
    assert_eq!(code, 2);
    one_line_error(&err, "k1.pub");
    assert!(err.contains("secp256k1"), "{err}");
}
