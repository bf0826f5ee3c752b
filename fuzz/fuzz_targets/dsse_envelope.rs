//! DSSE envelopes: parse, re-encode, and verify with a fixed key without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

const KEY: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr\nCrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==\n-----END PUBLIC KEY-----\n";

fuzz_target!(|data: &[u8]| {
    let key = vouch_sign::PublicKey::from_pem(KEY.as_bytes()).expect("fixed key");
    if let Ok(env) = vouch_sign::Envelope::from_json(data) {
        let again = vouch_sign::Envelope::from_json(&env.to_json()).expect("re-encoded envelope parses");
        assert_eq!(again, env);
        let _ = vouch_sign::verify_envelope_with_key(&env, &key);
    }
});
