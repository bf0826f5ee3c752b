//! Times the sigstore-conformance `bundle-verify` suite in one process: every case twice
//! (artifact bytes, `sha256:` digest), reading all inputs from disk each run as a CLI would.
//! Used by `benches/conformance.sh`; prints `runs=N matched=M seconds=S`.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;

use vouch_sign::bundle::Bundle;
use vouch_trust::{Artifact, PublicKey, TrustedRoot, VerificationPolicy, VerifyOptions};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn run(dir: &Path, production: &Path, digest: bool) -> bool {
    let root_path = if dir.join("trusted_root.json").exists() {
        dir.join("trusted_root.json")
    } else {
        production.to_path_buf()
    };
    let Ok(root) = TrustedRoot::from_json(&std::fs::read(root_path).unwrap()) else {
        return false;
    };
    let policy = if dir.join("key.pub").exists() {
        match PublicKey::from_pem(&std::fs::read_to_string(dir.join("key.pub")).unwrap()) {
            Ok(k) => VerificationPolicy::Key(k),
            Err(_) => return false,
        }
    } else {
        let read = |f: &str, d: &str| {
            std::fs::read_to_string(dir.join(f))
                .map_or_else(|_| d.to_owned(), |s| s.trim().to_owned())
        };
        VerificationPolicy::identity(&read("identity", IDENTITY), &read("issuer", ISSUER))
    };
    let artifact_path = if dir.join("artifact").exists() {
        dir.join("artifact")
    } else {
        dir.parent().unwrap().join("a.txt")
    };
    let bytes = std::fs::read(artifact_path).unwrap();
    let artifact = if digest {
        Artifact::Sha256(Artifact::Bytes(bytes).sha256().unwrap())
    } else {
        Artifact::Bytes(bytes)
    };
    let Ok(bundle) = Bundle::from_json(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap())
    else {
        return false;
    };
    vouch_trust::verify_bundle(&bundle, &artifact, &policy, &root, VerifyOptions::default()).is_ok()
}

fn main() {
    let shared = vouch_testkit::shared();
    let suite = shared.join("vectors/sigstore/conformance/assets/bundle-verify");
    let production =
        shared.join("vectors/sigstore/trusted-roots/public-good-production.trusted_root.json");
    let mut cases: Vec<_> = std::fs::read_dir(&suite)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for (label, modes) in [("path", &[false][..]), ("path+digest", &[false, true][..])] {
        let start = Instant::now();
        let (mut runs, mut matched) = (0, 0);
        for case in &cases {
            let must_fail = case.to_string_lossy().ends_with("_fail");
            for &digest in modes {
                runs += 1;
                if run(case, &production, digest) != must_fail {
                    matched += 1;
                }
            }
        }
        println!(
            "vouch in-process ({label}): runs={runs} matched={matched} seconds={:.3}",
            start.elapsed().as_secs_f64()
        );
    }
}
