//! `vouch sign blob|dsse` and `vouch verify blob|dsse`: cosign's bytes, checked by vouch and
//! by independent verifiers (`@sigstore/verify`, `securesystemslib`, Python `cryptography`),
//! and every key-verifiable shared vector through the CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vouch(dir: &Path, args: &[&str], password: Option<&str>) -> (i32, String, String) {
    let v = vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch")).dir(dir);
    match password {
        Some(p) => v.env("VOUCH_PASSWORD", p),
        None => v,
    }
    .run(args)
}

fn v(rel: &str) -> PathBuf {
    vouch_testkit::cli::sigstore_vector(rel)
}

fn s(p: &Path) -> &str {
    vouch_testkit::cli::path_str(p)
}

fn one_line_error(stderr: &str, needle: &str) {
    vouch_testkit::cli::assert_one_line_error(stderr, needle, true);
}

/// A temp dir with a fresh key pair (password `pw`) and an artifact.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = vouch(dir.path(), &["key", "generate"], Some("pw"));
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        dir.path().join("artifact.tar"),
        b"release bytes\n".repeat(1000),
    )
    .unwrap();
    dir
}

fn flip_byte(path: &Path, at: usize) {
    let mut b = std::fs::read(path).unwrap();
    let i = at.min(b.len() - 1);
    b[i] ^= 1;
    std::fs::write(path, b).unwrap();
}

fn npm_verifier() -> Option<PathBuf> {
    let dir = vouch_testkit::repo_root().join("tests/verifiers");
    if !vouch_testkit::require_tool("node") {
        return None;
    }
    if !dir.join("node_modules/@sigstore/verify").is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tests/verifiers/node_modules is missing: .ci/run runs `npm ci` there"
        );
        return None;
    }
    Some(dir.join("sigstore-verify.js"))
}

fn python_verifier(script: &str) -> Option<PathBuf> {
    if !vouch_testkit::require_tool("python3") {
        return None;
    }
    let (ok, _, _) = vouch_testkit::run(
        Command::new("python3").args(["-c", "import securesystemslib, cryptography"]),
    );
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "securesystemslib/cryptography missing: .ci/run installs tests/verifiers/requirements.txt"
        );
        return None;
    }
    Some(
        vouch_testkit::repo_root()
            .join("tests/verifiers")
            .join(script),
    )
}

fn node_verify(bundle: &Path, key: &Path, artifact: Option<&Path>) -> Option<(bool, String)> {
    let script = npm_verifier()?;
    let root = v("trusted-roots/public-good-production.trusted_root.json");
    let mut cmd = Command::new("node");
    cmd.arg(script).arg(bundle).arg(key).arg(root);
    if let Some(a) = artifact {
        cmd.arg(a);
    }
    let (ok, out, err) = vouch_testkit::run(&mut cmd);
    Some((ok, format!("{out}{err}")))
}

#[test]
fn blob_signature_is_cosigns_bytes_and_verifies() {
    let dir = setup();
    let d = dir.path();
    let (code, out, err) = vouch(
        d,
        &["sign", "blob", "artifact.tar", "--key", "cosign.key"],
        Some("pw"),
    );
    assert_eq!(code, 0, "{err}");
    let sig_b64 = out.trim_end().to_owned();
    // base64 of an ASN.1 DER ECDSA signature (SEQUENCE of two INTEGERs).
    let der = vouch_sign::encoding::decode_base64(&sig_b64).unwrap();
    assert_eq!(der[0], 0x30);
    assert_eq!(der.len(), der[1] as usize + 2);
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "artifact.tar",
            "--key",
            "cosign.key",
            "--output-signature",
            "artifact.sig",
        ],
        Some("pw"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(!std::fs::read_to_string(d.join("artifact.sig"))
        .unwrap()
        .ends_with('\n'));

    // Python `cryptography` verifies it as a DER ECDSA P-256/SHA-256 signature over the file.
    if let Some(script) = python_verifier("pubkey_check.py") {
        let (ok, out, err) = vouch_testkit::run(
            Command::new("python3")
                .arg(script)
                .args(["cosign.pub", "artifact.sig", "artifact.tar"])
                .current_dir(d),
        );
        assert!(ok && out.contains("signature OK"), "{out}{err}");
    }

    let verify = |file: &str, sig: &str| {
        vouch(
            d,
            &[
                "verify",
                "blob",
                file,
                "--key",
                "cosign.pub",
                "--signature",
                sig,
            ],
            None,
        )
    };
    let (code, _, err) = verify("artifact.tar", "artifact.sig");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Verified OK"));
    let digest = hex::encode(
        vouch_sign::DigestAlgorithm::Sha256.digest(&std::fs::read(d.join("artifact.tar")).unwrap()),
    );
    let (code, _, err) = verify(&format!("sha256:{digest}"), "artifact.sig");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = verify("sha256:abcd", "artifact.sig");
    assert_eq!(code, 2);
    one_line_error(&err, "sha256:abcd");

    // One byte of signature, then of the artifact.
    std::fs::copy(d.join("artifact.sig"), d.join("bad.sig")).unwrap();
    let mut sig = der.clone();
    let n = sig.len() - 2;
    sig[n] ^= 1;
    std::fs::write(d.join("bad.sig"), vouch_sign::encoding::encode_base64(&sig)).unwrap();
    let (code, _, err) = verify("artifact.tar", "bad.sig");
    assert_eq!(code, 1, "{err}");
    one_line_error(&err, "artifact.tar");
    flip_byte(&d.join("artifact.tar"), 5000);
    let (code, _, err) = verify("artifact.tar", "artifact.sig");
    assert_eq!(code, 1, "{err}");
    one_line_error(&err, "does not verify");
}

#[test]
fn blob_bundle_verifies_with_sigstore_js() {
    let dir = setup();
    let d = dir.path();
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "artifact.tar",
            "--key",
            "cosign.key",
            "--bundle",
            "artifact.sigstore.json",
            "--tlog-upload=false",
        ],
        Some("pw"),
    );
    assert_eq!(code, 0, "{err}");
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("artifact.sigstore.json")).unwrap()).unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        bundle["messageSignature"]["messageDigest"]["algorithm"],
        "SHA2_256"
    );
    let public = vouch_sign::PublicKey::load(&d.join("cosign.pub")).unwrap();
    assert_eq!(
        bundle["verificationMaterial"]["publicKey"]["hint"],
        public.hint()
    );
    assert!(bundle["verificationMaterial"].get("tlogEntries").is_none());

    // No tlog entry: refused unless --insecure-ignore-tlog, like cosign.
    let args = [
        "verify",
        "blob",
        "artifact.tar",
        "--key",
        "cosign.pub",
        "--bundle",
        "artifact.sigstore.json",
    ];
    let (code, _, err) = vouch(d, &args, None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--insecure-ignore-tlog"), "{err}");
    let insecure: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--insecure-ignore-tlog"])
        .collect();
    let (code, _, err) = vouch(d, &insecure, None);
    assert_eq!(code, 0, "{err}");

    if let Some((ok, out)) = node_verify(
        &d.join("artifact.sigstore.json"),
        &d.join("cosign.pub"),
        Some(&d.join("artifact.tar")),
    ) {
        assert!(ok, "@sigstore/verify rejected vouch's bundle: {out}");
    }
    flip_byte(&d.join("artifact.tar"), 0);
    let (code, _, err) = vouch(d, &insecure, None);
    assert_eq!(code, 1, "{err}");
    if let Some((ok, out)) = node_verify(
        &d.join("artifact.sigstore.json"),
        &d.join("cosign.pub"),
        Some(&d.join("artifact.tar")),
    ) {
        assert!(!ok, "@sigstore/verify accepted a tampered artifact: {out}");
    }
}

#[test]
fn dsse_envelope_and_bundle_verify_independently() {
    let dir = setup();
    let d = dir.path();
    let statement = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"artifact.tar","digest":{"sha256":"SUB"}}],"predicateType":"https://example.com/p","predicate":{}}"#;
    let digest = hex::encode(
        vouch_sign::DigestAlgorithm::Sha256.digest(&std::fs::read(d.join("artifact.tar")).unwrap()),
    );
    let statement = String::from_utf8_lossy(statement).replace("SUB", &digest);
    std::fs::write(d.join("statement.json"), &statement).unwrap();
    let (code, out, err) = vouch(
        d,
        &[
            "sign",
            "dsse",
            "--payload-type",
            "application/vnd.in-toto+json",
            "statement.json",
            "--key",
            "cosign.key",
            "--bundle",
            "statement.sigstore.json",
            "--tlog-upload=false",
            "-o",
            "statement.dsse.json",
        ],
        Some("pw"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());

    // vouch: the payload comes back byte for byte.
    let (code, out, err) = vouch(
        d,
        &[
            "verify",
            "dsse",
            "statement.dsse.json",
            "--key",
            "cosign.pub",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, statement);
    // The bundle, against the artifact (an in-toto subject) and its digest.
    for file in ["artifact.tar".to_owned(), format!("sha256:{digest}")] {
        let (code, _, err) = vouch(
            d,
            &[
                "verify",
                "blob",
                &file,
                "--key",
                "cosign.pub",
                "--bundle",
                "statement.sigstore.json",
                "--insecure-ignore-tlog",
            ],
            None,
        );
        assert_eq!(code, 0, "{file}: {err}");
    }
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            "cosign.pub",
            "--key",
            "cosign.pub",
            "--bundle",
            "statement.sigstore.json",
            "--insecure-ignore-tlog",
        ],
        None,
    );
    assert_eq!(code, 1, "not a subject: {err}");

    if let Some((ok, out)) = node_verify(
        &d.join("statement.sigstore.json"),
        &d.join("cosign.pub"),
        Some(&d.join("artifact.tar")),
    ) {
        assert!(ok, "@sigstore/verify rejected vouch's DSSE bundle: {out}");
    }
    if let Some(script) = python_verifier("dsse_verify.py") {
        for f in ["statement.dsse.json", "statement.sigstore.json"] {
            let (ok, out, err) = vouch_testkit::run(
                Command::new("python3")
                    .arg(&script)
                    .args([f, "cosign.pub"])
                    .current_dir(d),
            );
            assert!(ok, "securesystemslib rejected {f}: {out}{err}");
        }
    }

    // One byte of payload.
    let mut env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("statement.dsse.json")).unwrap()).unwrap();
    let tampered = statement.replacen("artifact", "artifacT", 1);
    env["payload"] = vouch_sign::encoding::encode_base64(tampered.as_bytes()).into();
    std::fs::write(d.join("tampered.dsse.json"), env.to_string()).unwrap();
    let (code, out, err) = vouch(
        d,
        &[
            "verify",
            "dsse",
            "tampered.dsse.json",
            "--key",
            "cosign.pub",
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "unverified payload printed");
    if let Some(script) = python_verifier("dsse_verify.py") {
        let (ok, _, _) = vouch_testkit::run(
            Command::new("python3")
                .arg(&script)
                .args(["tampered.dsse.json", "cosign.pub"])
                .current_dir(d),
        );
        assert!(!ok, "securesystemslib accepted a tampered payload");
    }
}

#[test]
fn shared_signatures_verify_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (sig_dir, key) in [
        (
            "cosign-image-signatures/ecdsa-p256-registry-testing",
            "cosign.pub",
        ),
        ("cosign-image-signatures/rsa2048-suse-obs", "key.pub"),
    ] {
        let base = v(sig_dir);
        let payload = base.join("payload.json");
        let args = |p: &Path| {
            vec![
                "verify".to_owned(),
                "blob".into(),
                s(p).into(),
                "--key".into(),
                s(&base.join(key)).into(),
                "--signature".into(),
                s(&base.join("signature.b64")).into(),
            ]
        };
        let a = args(&payload);
        let (code, _, err) = vouch(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert_eq!(code, 0, "{sig_dir}: {err}");
        let copy = d.join("payload.json");
        std::fs::copy(&payload, &copy).unwrap();
        flip_byte(&copy, 40);
        let a = args(&copy);
        let (code, _, err) = vouch(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert_eq!(code, 1, "{sig_dir}: {err}");
    }

    // The DSSE spec vector's raw r||s (P1363) signature over the PAE.
    let vector: serde_json::Value =
        serde_json::from_slice(&std::fs::read(v("dsse/dsse-spec-vector.json")).unwrap()).unwrap();
    std::fs::write(
        d.join("pae"),
        hex::decode(vector["pae_hex"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("p1363.sig"),
        vector["signature_b64"].as_str().unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("spec.pub"),
        vector["key"]["public_key_pem"].as_str().unwrap(),
    )
    .unwrap();
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            "pae",
            "--key",
            "spec.pub",
            "--signature",
            "p1363.sig",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    std::fs::write(d.join("env.json"), vector["envelope"].to_string()).unwrap();
    let (code, out, err) = vouch(
        d,
        &["verify", "dsse", "env.json", "--key", "spec.pub"],
        None,
    );
    assert_eq!((code, out.as_str()), (0, "hello world"), "{err}");
}

#[test]
fn shared_bundles_verify_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a_txt = v("conformance/assets/bundle-verify/a.txt");
    let cases = [
        (
            "research-generated/key-msgsig-no-tlog.sigstore.json",
            "research-generated/key.pub",
            a_txt.clone(),
        ),
        (
            "research-generated/key-dsse-no-tlog.sigstore.json",
            "research-generated/key.pub",
            a_txt.clone(),
        ),
        (
            "bundles/sigstore-go-public-key-validity/bundle.sigstore.json",
            "bundles/sigstore-go-public-key-validity/key.pub",
            v("bundles/sigstore-go-public-key-validity/artifact"),
        ),
        (
            "conformance/assets/bundle-verify/managed-key-happy-path/bundle.sigstore.json",
            "conformance/assets/bundle-verify/managed-key-happy-path/key.pub",
            a_txt.clone(),
        ),
        (
            "conformance/assets/bundle-verify/managed-key-and-trusted-root/bundle.sigstore.json",
            "conformance/assets/bundle-verify/managed-key-and-trusted-root/key.pub",
            a_txt.clone(),
        ),
    ];
    for (bundle, key, artifact) in cases {
        let run = |art: &Path| {
            vouch(
                d,
                &[
                    "verify",
                    "blob",
                    s(art),
                    "--key",
                    s(&v(key)),
                    "--bundle",
                    s(&v(bundle)),
                    "--insecure-ignore-tlog",
                ],
                None,
            )
        };
        let (code, _, err) = run(&artifact);
        assert_eq!(code, 0, "{bundle}: {err}");
        let copy = d.join("artifact");
        std::fs::copy(&artifact, &copy).unwrap();
        flip_byte(&copy, 3);
        let (code, _, err) = run(&copy);
        assert_eq!(code, 1, "{bundle}: {err}");
        // One byte of the bundle's signature.
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(v(bundle)).unwrap()).unwrap();
        let sig = if json.get("dsseEnvelope").is_some() {
            &mut json["dsseEnvelope"]["signatures"][0]["sig"]
        } else {
            &mut json["messageSignature"]["signature"]
        };
        let mut raw = vouch_sign::encoding::decode_base64(sig.as_str().unwrap()).unwrap();
        let n = raw.len() - 4;
        raw[n] ^= 1;
        *sig = vouch_sign::encoding::encode_base64(&raw).into();
        std::fs::write(d.join("bad.sigstore.json"), json.to_string()).unwrap();
        let (code, _, err) = vouch(
            d,
            &[
                "verify",
                "blob",
                s(&artifact),
                "--key",
                s(&v(key)),
                "--bundle",
                "bad.sigstore.json",
                "--insecure-ignore-tlog",
            ],
            None,
        );
        assert_eq!(code, 1, "{bundle}: {err}");
    }
    // Bundles with log entries and timestamps: checked offline against a trusted root
    // (the built-in production root by default), no opt-out needed.
    for (case, root) in [
        ("managed-key-happy-path", None),
        ("managed-key-and-trusted-root", Some("trusted_root.json")),
    ] {
        let base = v(&format!("conformance/assets/bundle-verify/{case}"));
        let mut args = vec![
            "verify".to_owned(),
            "blob".into(),
            s(&a_txt).into(),
            "--key".into(),
            s(&base.join("key.pub")).into(),
            "--bundle".into(),
            s(&base.join("bundle.sigstore.json")).into(),
        ];
        if let Some(r) = root {
            args.extend(["--trusted-root".to_owned(), s(&base.join(r)).into()]);
        }
        let (code, _, err) = vouch(
            d,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        );
        assert_eq!(code, 0, "{case}: {err}");
        assert!(!err.contains("insecure"), "{err}");
    }
    // A root that does not hold the bundle's log: the log entry does not verify.
    let base = v("conformance/assets/bundle-verify/managed-key-and-trusted-root");
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            s(&a_txt),
            "--key",
            s(&base.join("key.pub")),
            "--bundle",
            s(&base.join("bundle.sigstore.json")),
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
}

#[test]
fn bad_bundles_and_keys_are_one_line_errors() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(d.join("broken.sigstore.json"), b"{\"mediaType\": ").unwrap();
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            "artifact.tar",
            "--key",
            "cosign.pub",
            "--bundle",
            "broken.sigstore.json",
            "--insecure-ignore-tlog",
        ],
        None,
    );
    assert_eq!(code, 2);
    one_line_error(&err, "broken.sigstore.json");
    assert!(err.contains("invalid bundle JSON"), "{err}");
    // A signature over other bytes.
    std::fs::write(d.join("other"), b"other bytes").unwrap();
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "other",
            "--key",
            "cosign.key",
            "--output-signature",
            "other.sig",
        ],
        Some("pw"),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            "artifact.tar",
            "--key",
            "cosign.pub",
            "--signature",
            "other.sig",
        ],
        None,
    );
    assert_eq!(code, 1);
    one_line_error(&err, "other.sig");
    // Keyless bundle given to a key check: could not verify.
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            s(&v("bundles/cosign-v3-blob.txt")),
            "--key",
            "cosign.pub",
            "--bundle",
            s(&v("bundles/cosign-v3-blob.sigstore.json")),
            "--insecure-ignore-tlog",
        ],
        None,
    );
    assert_eq!(code, 2);
    one_line_error(&err, "keyless");
    // A missing file.
    let (code, _, err) = vouch(
        d,
        &["sign", "blob", "missing.tar", "--key", "cosign.key"],
        Some("pw"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "missing.tar");
    // Wrong password when signing: no signature written.
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "artifact.tar",
            "--key",
            "cosign.key",
            "--output-signature",
            "x.sig",
        ],
        Some("wrong"),
    );
    assert_eq!(code, 2);
    one_line_error(&err, "cosign.key");
    assert!(!d.join("x.sig").exists());
}

#[test]
fn other_key_types_sign_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("f"), b"content").unwrap();
    for name in ["sigstore-rs-rsa4096", "sigstore-rs-ed25519"] {
        let key = vouch_testkit::shared_path(&format!("vectors/sigstore/cosign-keys/{name}.key"));
        let public =
            vouch_testkit::shared_path(&format!("vectors/sigstore/cosign-keys/{name}.pub.derived"));
        let (code, _, err) = vouch(
            d,
            &[
                "sign",
                "blob",
                "f",
                "--key",
                s(&key),
                "--output-signature",
                "f.sig",
                "--bundle",
                "f.sigstore.json",
                "--tlog-upload=false",
            ],
            Some("123"),
        );
        assert_eq!(code, 0, "{name}: {err}");
        for extra in [["--signature", "f.sig"], ["--bundle", "f.sigstore.json"]] {
            let (code, _, err) = vouch(
                d,
                &[
                    "verify",
                    "blob",
                    "f",
                    "--key",
                    s(&public),
                    extra[0],
                    extra[1],
                    "--insecure-ignore-tlog",
                ],
                None,
            );
            assert_eq!(code, 0, "{name} {extra:?}: {err}");
        }
        std::fs::write(d.join("g"), b"contenT").unwrap();
        let (code, _, err) = vouch(
            d,
            &[
                "verify",
                "blob",
                "g",
                "--key",
                s(&public),
                "--signature",
                "f.sig",
            ],
            None,
        );
        assert_eq!(code, 1, "{name}: {err}");
    }
}
