//! The release pipeline without the CLI: a real SBOM, the real OSV data in `../shared`, a
//! cosign key from `../shared`, signed, then verified by `vouch_verify::verify_artifact`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_core::{Digest, DigestAlgorithm};
use vouch_osv::triage::{IgnoreFile, Triage};
use vouch_release::{Artifact, BuildInfo, Plan, Prepared, SbomFormat};
use vouch_sbom::time::OffsetDateTime;

const BUILDER: &str = "https://ci.example/builders/release";

fn at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
}

fn database(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    vouch_osv::db::import(
        &[vouch_testkit::shared_path("osv/crates.io")],
        &db,
        "2023-11-14T22:13:20Z",
        &vouch_osv::db::NoProgress,
    )
    .expect("import the shared crates.io export");
    db
}

fn key() -> vouch_sign::PrivateKey {
    let path =
        vouch_testkit::shared_path("vectors/sigstore/cosign-keys/sigstore-rs-ecdsa-p256.key");
    vouch_sign::PrivateKey::load(&path, b"123").expect("the shared key's password is 123")
}

fn artifact(dir: &Path) -> Artifact {
    let path = dir.join("app.bin");
    std::fs::write(&path, b"the release artifact\n").unwrap();
    let digest = Digest::from_bytes(
        DigestAlgorithm::Sha256,
        &vouch_sign::DigestAlgorithm::Sha256.digest(b"the release artifact\n"),
    );
    Artifact { path, digest }
}

/// The SBOM of `fixtures/release-crate/vulnerable-sbom.cdx.json`: `base64 0.5.1`, which
/// RUSTSEC-2017-0004 (critical) affects.
fn vulnerable_sbom() -> vouch_sbom::Sbom {
    let path = vouch_testkit::repo_root().join("fixtures/release-crate/vulnerable-sbom.cdx.json");
    vouch_sbom::decode(&std::fs::read(path).unwrap()).unwrap()
}

fn prepare(db: &Path, triage: &Triage, build: &BuildInfo, today: &str) -> Prepared {
    let clock = at;
    let env = |_: &str| None;
    let plan = Plan {
        predicate: None,
        sbom: Some((vulnerable_sbom(), SbomFormat::Cyclonedx)),
        attest_sbom: true,
        scan: Some((db, triage)),
        pins: false,
        lockfile_change: None,
        provenance: true,
        build,
        started: at(),
        clock: &clock,
        env: &env,
        today,
    };
    vouch_release::prepare(&plan, &vouch_release::Silent).expect("prepare the release")
}

fn build_info() -> BuildInfo {
    BuildInfo {
        project: vouch_testkit::repo_root().join("fixtures/release-crate"),
        builder_id: Some(BUILDER.to_owned()),
        ..BuildInfo::default()
    }
}

#[test]
fn signed_release_is_admitted_by_verify_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let build = build_info();
    let prepared = prepare(&db, &Triage::default(), &build, "2023-11-14");
    let types: Vec<&str> = prepared
        .predicates
        .iter()
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "https://cyclonedx.org/bom",
            "https://cosign.sigstore.dev/attestation/vuln/v1",
            "https://slsa.dev/provenance/v1",
        ]
    );
    // The scan found the critical advisory and fails at any threshold up to critical.
    assert!(prepared.scan_failed(Some(vouch_osv::Level::Critical)));
    assert!(!prepared.pins_failed());

    let artifact = artifact(dir.path());
    let signed = prepared
        .sign(&key(), std::slice::from_ref(&artifact))
        .unwrap();
    assert_eq!(signed.lines.len(), 3);
    assert_eq!(signed.signatures.len(), 1);
    assert_eq!(
        signed.signatures[0].0,
        dir.path().join("app.bin.sigstore.json")
    );

    // Verified as `vouch verify artifact` would: every required predicate, signed by the key.
    let text = vouch_release::merge_bundle("release.intoto.jsonl", None, &signed.lines).unwrap();
    let file = vouch_attest::BundleFile::parse("release.intoto.jsonl", &text).unwrap();
    let public = vouch_sign::Signer::public_key(&key()).to_pem();
    let required: Vec<String> = ["slsaprovenance", "cyclonedx", "vuln"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let policy = vouch_policy::PolicySet::simple("ci.pub", &public, &required).unwrap();
    let options = vouch_verify::VerifyArtifactOptions {
        policy: &policy,
        trusted_root: None,
        rescan_db: None,
        now: at(),
    };
    let verdict = vouch_verify::verify_artifact(
        vouch_policy::Artifact {
            name: "app.bin".to_owned(),
            digest: artifact.digest.clone(),
        },
        &[vouch_verify::NamedBundle {
            name: "release.intoto.jsonl".to_owned(),
            file,
        }],
        &options,
    )
    .unwrap();
    assert!(verdict.admitted(), "{}", verdict.render_text());

    // The same release about another digest is denied: the statements are not about it.
    let other = Digest::from_bytes(DigestAlgorithm::Sha256, &[7u8; 32]);
    let file = vouch_attest::BundleFile::parse("release.intoto.jsonl", &text).unwrap();
    let verdict = vouch_verify::verify_artifact(
        vouch_policy::Artifact {
            name: "app.bin".to_owned(),
            digest: other,
        },
        &[vouch_verify::NamedBundle {
            name: "release.intoto.jsonl".to_owned(),
            file,
        }],
        &options,
    )
    .unwrap();
    assert!(!verdict.admitted());
}

fn vuln_result(prepared: &Prepared) -> Value {
    prepared.predicates[1].1["scanner"]["result"].clone()
}

#[test]
fn release_scan_applies_ignores_and_vex() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let build = build_info();

    let ignores = IgnoreFile::parse(
        "ignore.toml",
        "[[ignore]]\nid = \"RUSTSEC-2017-0004\"\nreason = \"not reachable\"\nexpires = \"2099-12-31\"\n",
    )
    .unwrap();
    let triage = Triage {
        ignores: Some(ignores.clone()),
        vex: Vec::new(),
    };
    let prepared = prepare(&db, &triage, &build, "2023-11-14");
    assert!(
        !prepared.scan_failed(None),
        "the ignored finding no longer fails"
    );
    let result = vuln_result(&prepared);
    let finding = &result["findings"][0];
    assert_eq!(finding["id"], "RUSTSEC-2017-0004");
    assert_eq!(finding["suppressed"]["kind"], "ignore");
    assert_eq!(finding["suppressed"]["reason"], "not reachable");

    // After its expiry the ignore is not applied, and the report says so.
    let prepared = prepare(&db, &triage, &build, "2100-01-01");
    assert!(prepared.scan_failed(None));
    let result = vuln_result(&prepared);
    assert!(result["findings"][0]["suppressed"].is_null());
    let codes: Vec<&str> = result["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"ignore-expired"), "{result:#}");

    // A VEX statement naming the package suppresses it too.
    let vex = vouch_osv::triage::parse_vex(
        "vex.json",
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"RUSTSEC-2017-0004"},"products":[{"@id":"pkg:cargo/base64@0.5.1"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let triage = Triage { ignores: None, vex };
    let prepared = prepare(&db, &triage, &build, "2023-11-14");
    assert!(!prepared.scan_failed(None));
    assert_eq!(
        vuln_result(&prepared)["findings"][0]["suppressed"]["kind"],
        "vex"
    );
}

/// A policy requiring the SBOM and a deploy-time re-scan failing on critical findings, with
/// `extra` lines added to its `rescan`.
fn rescan_policy(dir: &Path, extra: &str) -> vouch_policy::PolicySet {
    let text = format!(
        "apiVersion: vouch.dev/policy/v1\npolicies:\n  - name: app\n    match: [\"app.bin\"]\n    signers:\n      keys:\n        - name: ci\n          path: ci.pub\n    attestations:\n      - name: sbom\n        predicateType: cyclonedx\n    rescan:\n      failOn: critical\n{extra}"
    );
    let mut set = vouch_policy::PolicySet::parse("policy.yaml", &text).unwrap();
    set.load_key_files(|rel| std::fs::read_to_string(dir.join(rel)).map_err(|e| e.to_string()))
        .unwrap();
    set
}

#[test]
fn policy_rescan_applies_its_ignore_file_and_vex() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = database(d);
    let build = build_info();
    // The release's own scan is not what is judged here: the re-scan at deploy time is.
    let prepared = prepare(&db, &Triage::default(), &build, "2023-11-14");
    let artifact = artifact(d);
    let lines = prepared
        .sign_statements(&key(), std::slice::from_ref(&artifact))
        .unwrap();
    let text = vouch_release::merge_bundle("app.intoto.jsonl", None, &lines).unwrap();
    std::fs::write(
        d.join("ci.pub"),
        vouch_sign::Signer::public_key(&key()).to_pem(),
    )
    .unwrap();
    std::fs::write(
        d.join("ignore.toml"),
        "[[ignore]]\nid = \"RUSTSEC-2017-0004\"\nreason = \"base64 is only used on trusted input\"\nexpires = \"2099-12-31\"\n",
    )
    .unwrap();
    std::fs::write(
        d.join("vex.json"),
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"RUSTSEC-2017-0004"},"products":[{"@id":"pkg:cargo/base64@0.5.1"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let verify = |set: &vouch_policy::PolicySet| {
        let options = vouch_verify::VerifyArtifactOptions {
            policy: set,
            trusted_root: None,
            rescan_db: Some(&db),
            now: at(),
        };
        vouch_verify::verify_artifact(
            vouch_policy::Artifact {
                name: "app.bin".to_owned(),
                digest: artifact.digest.clone(),
            },
            &[vouch_verify::NamedBundle {
                name: "app.intoto.jsonl".to_owned(),
                file: vouch_attest::BundleFile::parse("app.intoto.jsonl", &text).unwrap(),
            }],
            &options,
        )
    };
    let codes = |v: &vouch_policy::Verdict| -> Vec<String> {
        serde_json::to_value(v).unwrap()["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };

    // Without triage the critical advisory denies the deployment.
    let denied = verify(&rescan_policy(d, "")).unwrap();
    assert!(!denied.admitted());
    assert_eq!(codes(&denied), ["vulnerability-found"], "{denied:?}");
    assert!(denied.render_text().contains("RUSTSEC-2017-0004"));

    // The policy's ignore file, or its VEX document, suppresses it: admitted.
    for extra in ["      ignoreFile: ignore.toml\n", "      vex: [vex.json]\n"] {
        let verdict = verify(&rescan_policy(d, extra)).unwrap();
        assert!(verdict.admitted(), "{extra}: {}", verdict.render_text());
    }

    // An expired ignore no longer applies.
    std::fs::write(
        d.join("expired.toml"),
        "[[ignore]]\nid = \"RUSTSEC-2017-0004\"\nreason = \"was fine\"\nexpires = \"2001-01-01\"\n",
    )
    .unwrap();
    let verdict = verify(&rescan_policy(d, "      ignoreFile: expired.toml\n")).unwrap();
    assert!(!verdict.admitted());

    // An ignore without a reason makes the policy unusable: could not verify, not admitted.
    std::fs::write(
        d.join("bad.toml"),
        "[[ignore]]\nid = \"RUSTSEC-2017-0004\"\nexpires = \"2099-12-31\"\n",
    )
    .unwrap();
    let err = verify(&rescan_policy(d, "      ignoreFile: bad.toml\n")).unwrap_err();
    assert!(err.to_string().contains("has no `reason`"), "{err}");
}
