//! `vouch sign blob|dsse` keyless and logged key-based, against loopback Fulcio, Rekor v1/v2
//! and a timestamp authority made of `@sigstore/mock`; the bundles are verified by
//! `vouch verify bundle` (identity and issuer, another identity denied) and by
//! `@sigstore/verify` at its default strictness.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::Command;

use vouch_testkit::sigstore_mock::MockSigstore;

const SAN: &str = "https://github.com/vouch-dev/demo/.github/workflows/release.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Runs vouch in `dir` with a clean signing environment plus `env`.
fn vouch(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vouch"));
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SIGSTORE_ID_TOKEN")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .env_remove("VOUCH_PASSWORD")
        .env_remove("COSIGN_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run vouch");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn verify_identity(
    dir: &Path,
    mock: &MockSigstore,
    bundle: &str,
    artifact: &str,
    san: &str,
) -> (i32, String) {
    let (code, out, err) = vouch(
        dir,
        &[
            "verify",
            "bundle",
            "--bundle",
            bundle,
            "--certificate-identity",
            san,
            "--certificate-oidc-issuer",
            ISSUER,
            "--trusted-root",
            s(&mock.trusted_root()),
            artifact,
        ],
        &[],
    );
    (code, format!("{out}{err}"))
}

fn js_verify(
    bundle: &Path,
    root: &Path,
    policy: &[&str],
    artifact: Option<&Path>,
) -> (bool, String) {
    let script = vouch_testkit::repo_root().join("tests/verifiers/sigstore-verify-strict.js");
    let mut cmd = Command::new("node");
    cmd.arg(script).arg(bundle).arg(root).args(policy);
    if let Some(a) = artifact {
        cmd.arg(a);
    }
    let (ok, out, err) = vouch_testkit::run(&mut cmd);
    (ok, format!("{out}{err}"))
}

#[test]
fn keyless_blob_and_attestation_verify_for_their_identity_only() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.tar.gz"), b"the release\n").unwrap();
    let token = MockSigstore::token(SAN, ISSUER);
    let (config, root) = (mock.signing_config_tsa(), mock.trusted_root());
    let services = ["--signing-config", s(&config), "--trusted-root", s(&root)];

    let mut args = vec![
        "sign",
        "blob",
        "app.tar.gz",
        "--keyless",
        "--bundle",
        "app.sigstore.json",
    ];
    args.extend(services);
    let (code, out, err) = vouch(d, &args, &[("SIGSTORE_ID_TOKEN", &token)]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains(&token) && !out.contains(&token),
        "the token was printed"
    );
    assert!(err.contains(&format!("Signed as {SAN}")), "{err}");
    let bundle = json(&d.join("app.sigstore.json"));
    let vm = &bundle["verificationMaterial"];
    assert!(vm["certificate"]["rawBytes"].is_string());
    assert_eq!(vm["tlogEntries"][0]["kindVersion"]["kind"], "hashedrekord");
    assert_eq!(
        vm["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(bundle["messageSignature"]["signature"], out.trim());

    let (code, msg) = verify_identity(d, &mock, "app.sigstore.json", "app.tar.gz", SAN);
    assert_eq!(code, 0, "{msg}");
    let (code, msg) = verify_identity(
        d,
        &mock,
        "app.sigstore.json",
        "app.tar.gz",
        "https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main",
    );
    assert_eq!(code, 1, "another identity must be denied: {msg}");
    assert!(msg.contains("identity"), "{msg}");
    let (ok, msg) = js_verify(
        &d.join("app.sigstore.json"),
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        Some(&d.join("app.tar.gz")),
    );
    assert!(ok, "@sigstore/verify: {msg}");
    let (ok, _) = js_verify(
        &d.join("app.sigstore.json"),
        &mock.trusted_root(),
        &["--identity", "https://example.com/other", ISSUER],
        Some(&d.join("app.tar.gz")),
    );
    assert!(!ok, "@sigstore/verify accepted another identity");

    // An attestation: an in-toto statement about the file, in a keyless DSSE bundle.
    let digest = hex::encode(sha2_256(b"the release\n"));
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar.gz", "digest": {"sha256": digest}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://example.com/b"}},
    });
    std::fs::write(d.join("statement.json"), statement.to_string()).unwrap();
    let mut args = vec![
        "sign",
        "dsse",
        "statement.json",
        "--payload-type",
        "application/vnd.in-toto+json",
        "--bundle",
        "statement.sigstore.json",
        "--identity-token",
        &token,
    ];
    args.extend(services);
    let (code, out, err) = vouch(d, &args, &[]);
    assert_eq!(code, 0, "{err}");
    let envelope: serde_json::Value = serde_json::from_str(&out).unwrap();
    let bundle = json(&d.join("statement.sigstore.json"));
    assert_eq!(bundle["dsseEnvelope"], envelope);
    assert_eq!(
        bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "dsse"
    );
    let (code, msg) = verify_identity(d, &mock, "statement.sigstore.json", "app.tar.gz", SAN);
    assert_eq!(code, 0, "{msg}");
    let (code, msg) = verify_identity(
        d,
        &mock,
        "statement.sigstore.json",
        "app.tar.gz",
        "someone@example.com",
    );
    assert_eq!(code, 1, "{msg}");
    let (ok, msg) = js_verify(
        &d.join("statement.sigstore.json"),
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        None,
    );
    assert!(ok, "@sigstore/verify: {msg}");
}

fn sha2_256(bytes: &[u8]) -> [u8; 32] {
    vouch_sign::DigestAlgorithm::Sha256
        .digest(bytes)
        .try_into()
        .unwrap()
}

#[test]
fn rekor_v2_bundle_carries_a_timestamp_and_verifies() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("f.bin"), b"rekor v2").unwrap();
    let token = MockSigstore::token(SAN, ISSUER);
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "f.bin",
            "--bundle",
            "f.sigstore.json",
            "--signing-config",
            s(&mock.signing_config_rekor2()),
            "--trusted-root",
            s(&mock.trusted_root()),
        ],
        &[("SIGSTORE_ID_TOKEN", &token)],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("(Rekor v2)"), "{err}");
    let bundle = json(&d.join("f.sigstore.json"));
    let vm = &bundle["verificationMaterial"];
    assert_eq!(vm["tlogEntries"][0]["kindVersion"]["version"], "0.0.2");
    assert!(vm["tlogEntries"][0].get("inclusionPromise").is_none());
    assert!(vm["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"].is_string());
    let (code, msg) = verify_identity(d, &mock, "f.sigstore.json", "f.bin", SAN);
    assert_eq!(code, 0, "{msg}");
    let (ok, msg) = js_verify(
        &d.join("f.sigstore.json"),
        &mock.trusted_root(),
        &["--identity", SAN, ISSUER],
        Some(&d.join("f.bin")),
    );
    assert!(ok, "@sigstore/verify: {msg}");
}

#[test]
fn key_based_bundles_are_logged_by_default_and_opt_out_warns() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("f.bin"), b"key signed").unwrap();
    let pw = [("VOUCH_PASSWORD", "pw")];
    let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", "k"], &pw);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "f.bin",
            "--key",
            "k.key",
            "--bundle",
            "f.sigstore.json",
            "--signing-config",
            s(&mock.signing_config_tsa()),
            "--trusted-root",
            s(&mock.trusted_root()),
        ],
        &pw,
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    let bundle = json(&d.join("f.sigstore.json"));
    assert_eq!(
        bundle["verificationMaterial"]["tlogEntries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // No "ignore tlog" option anywhere.
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "bundle",
            "--bundle",
            "f.sigstore.json",
            "--key",
            "k.pub",
            "--trusted-root",
            s(&mock.trusted_root()),
            "f.bin",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (ok, msg) = js_verify(
        &d.join("f.sigstore.json"),
        &mock.trusted_root(),
        &["--key", s(&d.join("k.pub"))],
        Some(&d.join("f.bin")),
    );
    assert!(ok, "@sigstore/verify: {msg}");

    // `--key env://VAR` reads the key's PEM from a variable, as cosign does.
    let pem = std::fs::read_to_string(d.join("k.key")).unwrap();
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "dsse",
            "f.bin",
            "--payload-type",
            "text/plain",
            "--key",
            "env://SIGNING_KEY",
            "--bundle",
            "f.dsse.sigstore.json",
            "--signing-config",
            s(&mock.signing_config()),
            "--trusted-root",
            s(&mock.trusted_root()),
        ],
        &[("VOUCH_PASSWORD", "pw"), ("SIGNING_KEY", &pem)],
    );
    assert_eq!(code, 0, "{err}");
    let bundle = json(&d.join("f.dsse.sigstore.json"));
    assert_eq!(
        bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "dsse"
    );

    // --tlog-upload=false: today's bundle (no entry), and the documented warning.
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "f.bin",
            "--key",
            "k.key",
            "--bundle",
            "nolog.sigstore.json",
            "--tlog-upload=false",
        ],
        &pw,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: the bundle has no transparency-log entry (--tlog-upload=false)"),
        "{err}"
    );
    assert!(json(&d.join("nolog.sigstore.json"))["verificationMaterial"]
        .get("tlogEntries")
        .is_none());
}

/// A one-request loopback stand-in for GitHub Actions' token service: checks the audience and
/// the bearer credential, answers `{"value": TOKEN}`.
fn actions_token_service(token: String) -> (String, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/token?api-version=2.0",
        listener.local_addr().unwrap()
    );
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let body = serde_json::json!({ "value": token }).to_string();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        head
    });
    (url, handle)
}

#[test]
fn identity_tokens_come_from_github_actions_or_a_named_error() {
    let Some(mock) = MockSigstore::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("f"), b"x").unwrap();
    let (config, root) = (mock.signing_config(), mock.trusted_root());
    let base = [
        "sign",
        "blob",
        "f",
        "--bundle",
        "f.sigstore.json",
        "--signing-config",
        s(&config),
        "--trusted-root",
        s(&root),
    ];

    let (url, server) = actions_token_service(MockSigstore::token(SAN, ISSUER));
    let (code, _, err) = vouch(
        d,
        &base,
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-secret"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let request = server.join().unwrap();
    assert!(
        request.starts_with("GET /token?api-version=2.0&audience=sigstore "),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer runner-secret"),
        "{request}"
    );
    assert!(!err.contains("runner-secret"), "{err}");

    // No token anywhere (a fork's pull request): exit 2, naming every source tried.
    std::fs::remove_file(d.join("f.sigstore.json")).unwrap();
    let (code, _, err) = vouch(d, &base, &[]);
    assert_eq!(code, 2, "{err}");
    for tried in ["--identity-token", "SIGSTORE_ID_TOKEN", "GitHub Actions"] {
        assert!(err.contains(tried), "{err}");
    }
    assert!(!d.join("f.sigstore.json").exists(), "nothing half-written");

    // Keyless without --bundle: the certificate would be lost.
    let (code, _, err) = vouch(d, &["sign", "blob", "f", "--keyless"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--bundle"), "{err}");
}
