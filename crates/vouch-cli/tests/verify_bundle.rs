//! `vouch verify bundle` as a user meets it outside the conformance suite: bundles vouch wrote
//! itself, damaged or multi-line bundle files, and `--format json` on failure.

use std::path::Path;

use serde_json::Value;

fn vouch(dir: &Path, args: &[&str]) -> (i32, String, String) {
    vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch"))
        .dir(dir)
        .env("VOUCH_PASSWORD", "pw")
        .run(args)
}

/// A key pair, an artifact, a two-line `.intoto.jsonl` and a signed-blob bundle.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for prefix in ["k1", "k2"] {
        let (code, _, err) = vouch(d, &["key", "generate", "--output-key-prefix", prefix]);
        assert_eq!(code, 0, "{err}");
    }
    std::fs::write(d.join("art.bin"), b"artifact\n").unwrap();
    std::fs::write(d.join("pred.json"), br#"{"a": 1}"#).unwrap();
    for ty in ["https://example.com/a", "https://example.com/b"] {
        let (code, _, err) = vouch(
            d,
            &[
                "attest",
                "art.bin",
                "--key",
                "k1.key",
                "--bundle",
                "two.intoto.jsonl",
                "--predicate",
                "pred.json",
                "--type",
                ty,
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = vouch(
        d,
        &[
            "sign",
            "blob",
            "art.bin",
            "--key",
            "k1.key",
            "--bundle",
            "art.sigstore.json",
            "--tlog-upload=false",
        ],
    );
    assert_eq!(code, 0, "{err}");
    dir
}

fn schema() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/verify-bundle.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// A damaged bundle printed its JSON error twice (`caused by:` repeating the message); a
/// `.intoto.jsonl` with several lines was "trailing characters at line 2" with no way forward.
#[test]
fn unreadable_bundle_is_one_line_naming_the_file() {
    let dir = setup();
    let d = dir.path();
    let whole = std::fs::read_to_string(d.join("art.sigstore.json")).unwrap();
    std::fs::write(d.join("cut.json"), &whole[..whole.len() / 2]).unwrap();
    let (code, out, err) = vouch(
        d,
        &[
            "verify", "bundle", "--bundle", "cut.json", "--key", "k1.pub", "art.bin",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(!err.contains("caused by:"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(
        err.starts_with("error: `cut.json`: not a Sigstore bundle: "),
        "{err}"
    );

    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "bundle",
            "--bundle",
            "two.intoto.jsonl",
            "--key",
            "k1.pub",
            "art.bin",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("caused by:"), "{err}");
    assert!(err.contains("`two.intoto.jsonl`"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("vouch verify artifact"),
        "{err}"
    );
}

/// `--format json` printed nothing on a failed verification, so a JSON consumer could not tell
/// which check failed; it now prints `{"verified": false, "check": …}` (exit stays 1).
#[test]
fn json_output_on_failure_names_the_check() {
    let dir = setup();
    let d = dir.path();
    let v = schema();
    let (code, out, err) = vouch(
        d,
        &[
            "verify",
            "bundle",
            "--bundle",
            "art.sigstore.json",
            "--key",
            "k2.pub",
            "--format",
            "json",
            "art.bin",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(doc["verified"], false);
    assert_eq!(doc["check"], "signature");
    assert!(doc["reason"].as_str().unwrap().contains("key"), "{doc}");
    assert!(v.is_valid(&doc), "{doc}");
    assert!(err.contains("signature check failed"), "{err}");

    // Success validates too (the GitHub attestation, keyless).
    let gh = vouch_testkit::shared_path("policy-examples/provenance/github-attestation");
    let (code, out, err) = vouch(
        &gh,
        &[
            "verify", "bundle", "--bundle", "MODULE.bazel.intoto.jsonl",
            "--certificate-identity",
            "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1",
            "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
            "--format", "json", "MODULE.bazel",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(v.is_valid(&doc), "{doc}");
    let mut bad = doc.clone();
    bad["verified"] = Value::Bool(false);
    assert!(!v.is_valid(&bad), "a failure needs check and reason");
}

/// A key-based bundle written by `vouch sign blob` / `vouch attest` carries no Rekor entry;
/// `verify bundle` (like cosign) requires one, and now says where such bundles are verified.
#[test]
fn offline_key_bundle_points_to_the_commands_that_verify_it() {
    let dir = setup();
    let d = dir.path();
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "bundle",
            "--bundle",
            "art.sigstore.json",
            "--key",
            "k1.pub",
            "art.bin",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("transparency log entry check failed"), "{err}");
    assert!(
        err.contains("hint:")
            && err.contains("vouch verify blob FILE --bundle B --key K --insecure-ignore-tlog"),
        "{err}"
    );
    let (code, _, err) = vouch(
        d,
        &[
            "verify",
            "blob",
            "--bundle",
            "art.sigstore.json",
            "--key",
            "k1.pub",
            "--insecure-ignore-tlog",
            "art.bin",
        ],
    );
    assert_eq!(code, 0, "the hinted command verifies it: {err}");
}

/// `--trusted-root` naming some other JSON file verified against a root that trusts nothing
/// (exit 1, "log … is not in the trusted root"); a cut root printed its error twice.
#[test]
fn trusted_root_that_is_not_one_is_bad_input() {
    let dir = setup();
    let d = dir.path();
    let prod = vouch_testkit::shared_path(
        "vectors/sigstore/trusted-roots/public-good-production.trusted_root.json",
    );
    let text = std::fs::read_to_string(prod).unwrap();
    std::fs::write(d.join("cut-root.json"), &text[..text.len() / 2]).unwrap();
    for (root, says) in [
        (
            "pred.json",
            "error: `pred.json`: not a Sigstore trusted root",
        ),
        (
            "cut-root.json",
            "error: `cut-root.json`: invalid trusted root JSON: ",
        ),
    ] {
        let (code, out, err) = vouch(
            d,
            &[
                "verify",
                "bundle",
                "--bundle",
                "art.sigstore.json",
                "--key",
                "k1.pub",
                "--trusted-root",
                root,
                "art.bin",
            ],
        );
        assert_eq!(code, 2, "{root}: {err}");
        assert!(out.is_empty());
        assert!(err.starts_with(says), "{root}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
