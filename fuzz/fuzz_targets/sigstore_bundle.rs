//! Sigstore bundles: parse, re-encode, and run key verification without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_sign::verify::{verify_bundle_with_key, Artifact, TlogPolicy};

const KEY: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr\nCrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==\n-----END PUBLIC KEY-----\n";

fuzz_target!(|data: &[u8]| {
    let key = vouch_sign::PublicKey::from_pem(KEY.as_bytes()).expect("fixed key");
    if let Ok(bundle) = vouch_sign::Bundle::from_json(data) {
        let again = vouch_sign::Bundle::from_json(&bundle.to_json()).expect("re-encoded bundle parses");
        assert_eq!(again, bundle);
        let _ = verify_bundle_with_key(&bundle, &key, Some(&Artifact::Bytes(b"a")), TlogPolicy::InsecureIgnore);
    }
});
