//! `vouch-sign`'s key-based verifier with `vouch-trust`'s evidence checker: the conformance
//! managed-key bundles' Rekor entries and timestamps check out against their roots, and a
//! tampered entry is reported as a failure (not as unusable input).

use vouch_sign::bundle::Bundle;
use vouch_sign::verify::{verify_bundle_with_key, Artifact, TlogPolicy};
use vouch_trust::{RootEvidence, TrustedRoot};

fn case(name: &str) -> std::path::PathBuf {
    vouch_testkit::shared_path("vectors/sigstore/conformance/assets/bundle-verify").join(name)
}

#[test]
fn managed_key_bundles_have_verified_evidence() {
    let production = TrustedRoot::from_json(
        &std::fs::read(vouch_testkit::shared_path(
            "vectors/sigstore/trusted-roots/public-good-production.trusted_root.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let artifact = std::fs::read(case("a.txt")).unwrap();
    for (name, own_root, timestamps) in [
        ("managed-key-happy-path", false, 1),
        ("managed-key-and-trusted-root", true, 0),
    ] {
        let dir = case(name);
        let root = if own_root {
            TrustedRoot::from_json(&std::fs::read(dir.join("trusted_root.json")).unwrap()).unwrap()
        } else {
            production.clone()
        };
        let key = vouch_sign::PublicKey::load(&dir.join("key.pub")).unwrap();
        let bundle =
            Bundle::from_json(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
        let evidence = RootEvidence { root: &root };
        let v = verify_bundle_with_key(
            &bundle,
            &key,
            Some(&Artifact::Bytes(&artifact)),
            TlogPolicy::Require(&evidence),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ev = v.evidence.expect("evidence was checked");
        assert_eq!(ev.tlog_entries, 1, "{name}");
        assert_eq!(ev.timestamps, timestamps, "{name}");
        assert_eq!(
            ev.times.len(),
            1 + timestamps,
            "{name}: SET time and TSA times"
        );

        // Another trusted root does not know the log: a failure, exit 1.
        let other = if own_root {
            production.clone()
        } else {
            TrustedRoot::from_json(
                &std::fs::read(vouch_testkit::shared_path(
                    "vectors/sigstore/trusted-roots/public-good-staging.trusted_root.json",
                ))
                .unwrap(),
            )
            .unwrap()
        };
        let err = verify_bundle_with_key(
            &bundle,
            &key,
            Some(&Artifact::Bytes(&artifact)),
            TlogPolicy::Require(&RootEvidence { root: &other }),
        )
        .unwrap_err();
        if !own_root {
            assert!(err.is_failure(), "{name}: {err}");
            assert!(
                err.to_string()
                    .contains("transparency log entry check failed"),
                "{err}"
            );
        }
    }
}
