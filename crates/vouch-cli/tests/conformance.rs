//! `vouch verify-bundle` as a sigstore-conformance client: every case of the offline
//! `bundle-verify` suite, twice (artifact path, then `sha256:` digest), invoked exactly as the
//! suite's CLI protocol does. Pass cases must exit 0; `_fail` cases must exit non-zero with a
//! message that names the failed check (exit 1) or the unusable input (exit 2). On any mismatch
//! the whole per-case table is printed.
#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// `../shared` beside the repository (or `VOUCH_SHARED`).
fn shared() -> PathBuf {
    let dir = std::env::var_os("VOUCH_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "shared test data `{}` is missing",
        dir.display()
    );
    dir
}

fn sha256_hex(path: &Path) -> String {
    // The CLI computes digests itself; compute this one independently with sha256sum.
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// The suite's argument list for one case (sigstore-conformance `test/client.py`).
fn args(case: &Path, digest_mode: bool, production_root: &Path) -> Vec<String> {
    let mut a = vec![
        "verify-bundle".to_owned(),
        "--bundle".to_owned(),
        case.join("bundle.sigstore.json").display().to_string(),
    ];
    if case.join("key.pub").exists() {
        a.push("--key".into());
        a.push(case.join("key.pub").display().to_string());
    } else {
        let read = |f: &str, d: &str| {
            std::fs::read_to_string(case.join(f))
                .map_or_else(|_| d.to_owned(), |s| s.trim().to_owned())
        };
        a.push("--certificate-identity".into());
        a.push(read("identity", DEFAULT_IDENTITY));
        a.push("--certificate-oidc-issuer".into());
        a.push(read("issuer", DEFAULT_ISSUER));
    }
    a.push("--trusted-root".into());
    let root = case.join("trusted_root.json");
    a.push(
        if root.exists() {
            root
        } else {
            production_root.to_path_buf()
        }
        .display()
        .to_string(),
    );
    let artifact = if case.join("artifact").exists() {
        case.join("artifact")
    } else {
        case.parent().unwrap().join("a.txt")
    };
    a.push(if digest_mode {
        format!("sha256:{}", sha256_hex(&artifact))
    } else {
        artifact.display().to_string()
    });
    a
}

const CHECK_NAMES: &[&str] = &[
    "signature check failed",
    "transparency log entry check failed",
    "inclusion proof check failed",
    "checkpoint check failed",
    "signed entry timestamp (SET) check failed",
    "certificate chain check failed",
    "validity time check failed",
    "SCT check failed",
    "identity check failed",
    "timestamp check failed",
];

#[test]
fn conformance_bundle_verify_via_cli() {
    let shared = shared();
    let suite = shared.join("vectors/sigstore/conformance/assets/bundle-verify");
    let production =
        shared.join("vectors/sigstore/trusted-roots/public-good-production.trusted_root.json");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&suite)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 70);
    let mut table = String::new();
    let (mut good, mut total) = (0, 0);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let must_fail = name.ends_with("_fail");
        for digest_mode in [false, true] {
            total += 1;
            let out = Command::new(env!("CARGO_BIN_EXE_vouch"))
                .args(args(case, digest_mode, &production))
                .output()
                .unwrap();
            let code = out.status.code().unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr.lines().next().unwrap_or("").to_owned();
            let ok = if must_fail {
                // Exit 1 names the failed check; exit 2 names the unusable input.
                (code == 1 && CHECK_NAMES.iter().any(|c| first.contains(c)))
                    || (code == 2 && first.starts_with("error: "))
            } else {
                code == 0 && String::from_utf8_lossy(&out.stdout).starts_with("Verified OK")
            };
            if ok {
                good += 1;
            }
            let _ = writeln!(
                table,
                "{} {name:<58} {:<6} expected {:<4} exit {code} {first}",
                if ok { "ok  " } else { "FAIL" },
                if digest_mode { "digest" } else { "path" },
                if must_fail { "fail" } else { "pass" },
            );
        }
    }
    if good != total || std::env::var_os("VOUCH_CONFORMANCE_TABLE").is_some() {
        eprintln!("{table}");
    }
    assert_eq!(
        good, total,
        "{good} of {total} conformance runs gave the expected result"
    );
}

#[test]
fn embedded_production_root_is_the_default() {
    let shared = shared();
    let case = shared.join("vectors/sigstore/conformance/assets/bundle-verify/happy-path-v0.3");
    let out = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["verify", "bundle", "--bundle"])
        .arg(case.join("bundle.sigstore.json"))
        .args(["--certificate-identity", DEFAULT_IDENTITY])
        .args(["--certificate-oidc-issuer", DEFAULT_ISSUER])
        .arg(case.parent().unwrap().join("a.txt"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("signer: {DEFAULT_IDENTITY}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("signed at: 2024-03-19T17:26:26Z"),
        "{stdout}"
    );
}

#[test]
fn wrong_identity_exits_1_naming_the_identity_check() {
    let shared = shared();
    let case = shared.join("vectors/sigstore/conformance/assets/bundle-verify/happy-path-v0.3");
    let out = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["verify-bundle", "--bundle"])
        .arg(case.join("bundle.sigstore.json"))
        .args([
            "--certificate-identity",
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
        ])
        .args(["--certificate-oidc-issuer", DEFAULT_ISSUER])
        .arg(case.parent().unwrap().join("a.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("identity check failed"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_artifact_and_bad_digest_exit_2() {
    let shared = shared();
    let case = shared.join("vectors/sigstore/conformance/assets/bundle-verify/happy-path-v0.3");
    for artifact in ["/nonexistent/file", "sha256:1234"] {
        let out = Command::new(env!("CARGO_BIN_EXE_vouch"))
            .args(["verify-bundle", "--bundle"])
            .arg(case.join("bundle.sigstore.json"))
            .args(["--certificate-identity", DEFAULT_IDENTITY])
            .args(["--certificate-oidc-issuer", DEFAULT_ISSUER])
            .arg(artifact)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{artifact}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}
