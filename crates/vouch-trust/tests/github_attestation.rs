//! A real `actions/attest-build-provenance` bundle (shared `policy-examples/provenance/`)
//! verifies against the embedded production root with its workflow identity; the same claims
//! signed by another workflow are rejected by the identity check.

use vouch_sign::bundle::Bundle;
use vouch_trust::{
    Artifact, Check, Matcher, Signer, TrustedRoot, VerificationPolicy, VerifyError, VerifyOptions,
};

const WORKFLOW: &str =
    "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn load(name: &str) -> (Bundle, Artifact) {
    let dir = vouch_testkit::shared_path("policy-examples/provenance/github-attestation");
    let jsonl = std::fs::read(dir.join(format!("{name}.intoto.jsonl"))).unwrap();
    let line = jsonl.split(|b| *b == b'\n').next().unwrap();
    let bundle = Bundle::from_json(line).unwrap();
    let artifact = Artifact::Bytes(std::fs::read(dir.join(name)).unwrap());
    (bundle, artifact)
}

#[test]
fn github_attestation_verifies_with_its_workflow_identity() {
    let (bundle, artifact) = load("MODULE.bazel");
    let root = TrustedRoot::public_good();
    let v = vouch_trust::verify_bundle(
        &bundle,
        &artifact,
        &VerificationPolicy::identity(WORKFLOW, ISSUER),
        &root,
        VerifyOptions::default(),
    )
    .unwrap();
    let Signer::Certificate { identity, .. } = &v.signer else {
        panic!("keyless bundle")
    };
    assert_eq!(identity.sans, [WORKFLOW]);
    assert_eq!(identity.issuer.as_deref(), Some(ISSUER));
    assert_eq!(
        identity
            .extensions
            .get("sourceRepositoryURI")
            .map(String::as_str),
        Some("https://github.com/aspect-build/rules_lint")
    );
    let (payload_type, statement) = v.payload.expect("DSSE payload");
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    let statement: serde_json::Value = serde_json::from_slice(&statement).unwrap();
    assert_eq!(
        statement["subject"][0]["digest"]["sha256"],
        "06ce330900a7d6403bc8d88e5dfad6aeeb8ae40179f66bb89e69c8bf6f6b1a0b"
    );
    assert!(v.signing_time.is_some());

    // A regex identity for "any tag of the publish workflow" also matches.
    let policy = VerificationPolicy::Identity {
        san: Matcher::regex(
            r"https://github\.com/bazel-contrib/publish-to-bcr/\.github/workflows/publish\.yaml@refs/tags/v.*",
        )
        .unwrap(),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    vouch_trust::verify_bundle(&bundle, &artifact, &policy, &root, VerifyOptions::default())
        .unwrap();
    // Regexes are anchored: a prefix of the SAN does not match.
    let policy = VerificationPolicy::Identity {
        san: Matcher::regex(r"https://github\.com/bazel-contrib").unwrap(),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    let err =
        vouch_trust::verify_bundle(&bundle, &artifact, &policy, &root, VerifyOptions::default())
            .unwrap_err();
    assert_eq!(err.check(), Some(Check::Identity), "{err}");
}

#[test]
fn wrong_signer_is_rejected_by_the_identity_check() {
    let (bundle, artifact) = load("MODULE-wrong-signer.bazel");
    let root = TrustedRoot::public_good();
    let err = vouch_trust::verify_bundle(
        &bundle,
        &artifact,
        &VerificationPolicy::identity(WORKFLOW, ISSUER),
        &root,
        VerifyOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, VerifyError::Failed { check: Check::Identity, reason } if reason.contains("malicious_attestation.yaml")),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("identity check failed"),
        "{err}"
    );
    // Everything else about the bundle holds: it verifies for the identity it really has.
    vouch_trust::verify_bundle(
        &bundle,
        &artifact,
        &VerificationPolicy::identity(
            "https://github.com/loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml@refs/heads/main",
            ISSUER,
        ),
        &root,
        VerifyOptions::default(),
    )
    .unwrap();
}
