//! The sigstore-conformance offline `bundle-verify` suite, run through the library: every case
//! twice (artifact bytes, then `sha256:` digest), with the case's trusted root or the
//! public-good production root, and its key or identity. Cases named `*_fail` must be rejected.
//! On any mismatch the test prints the whole per-case table.
#![allow(clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::Path;

use vouch_sign::bundle::Bundle;
use vouch_trust::{
    Artifact, PublicKey, TrustedRoot, VerificationPolicy, VerifyError, VerifyOptions,
};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn read_trimmed(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok().map(|s| s.trim().to_owned())
}

/// Runs one case in one mode; `Ok(())` = verified, `Err(msg)` = rejected (with the reason).
fn run_case(dir: &Path, digest_mode: bool) -> Result<(), String> {
    let root = match std::fs::read(dir.join("trusted_root.json")) {
        Ok(bytes) => TrustedRoot::from_json(&bytes).map_err(|e| format!("trusted root: {e}"))?,
        Err(_) => TrustedRoot::from_json(
            &std::fs::read(vouch_testkit::shared_path(
                "vectors/sigstore/trusted-roots/public-good-production.trusted_root.json",
            ))
            .unwrap(),
        )
        .unwrap(),
    };
    let policy = if dir.join("key.pub").exists() {
        let pem = std::fs::read_to_string(dir.join("key.pub")).unwrap();
        VerificationPolicy::Key(PublicKey::from_pem(&pem).map_err(|e| format!("key: {e}"))?)
    } else {
        VerificationPolicy::identity(
            &read_trimmed(&dir.join("identity")).unwrap_or_else(|| DEFAULT_IDENTITY.into()),
            &read_trimmed(&dir.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.into()),
        )
    };
    let artifact_path = if dir.join("artifact").exists() {
        dir.join("artifact")
    } else {
        dir.parent().unwrap().join("a.txt")
    };
    let bytes = std::fs::read(artifact_path).unwrap();
    let artifact = if digest_mode {
        Artifact::Sha256(Artifact::Bytes(bytes).sha256().unwrap())
    } else {
        Artifact::Bytes(bytes)
    };
    let bundle = Bundle::from_json(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap())
        .map_err(|e| format!("bundle: {e}"))?;
    match vouch_trust::verify_bundle(&bundle, &artifact, &policy, &root, VerifyOptions::default()) {
        Ok(_) => Ok(()),
        Err(e @ (VerifyError::Failed { .. } | VerifyError::Unusable(_))) => Err(e.to_string()),
    }
}

#[test]
fn sigstore_conformance_bundle_verify() {
    let suite = vouch_testkit::shared_path("vectors/sigstore/conformance/assets/bundle-verify");
    let mut cases: Vec<_> = std::fs::read_dir(&suite)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 70, "the suite has 70 cases");
    let mut table = String::new();
    let (mut good, mut total) = (0, 0);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let must_fail = name.ends_with("_fail");
        for digest_mode in [false, true] {
            total += 1;
            let got = run_case(case, digest_mode);
            let ok = got.is_ok() != must_fail;
            if ok {
                good += 1;
            }
            let _ = writeln!(
                table,
                "{} {:<58} {:<6} expected {:<4} got {}",
                if ok { "ok  " } else { "FAIL" },
                name,
                if digest_mode { "digest" } else { "path" },
                if must_fail { "fail" } else { "pass" },
                match &got {
                    Ok(()) => "verified".to_owned(),
                    Err(e) => format!("rejected: {e}"),
                }
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
