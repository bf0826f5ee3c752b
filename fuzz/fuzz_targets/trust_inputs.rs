//! Untrusted inputs of `vouch-trust`: trusted-root JSON, signed-note checkpoints, RFC 3161
//! tokens and certificates must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_trust::checkpoint::Checkpoint;
use vouch_trust::{certs, tsa, TrustedRoot};

fuzz_target!(|data: &[u8]| {
    let _ = TrustedRoot::from_json(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Checkpoint::parse(text);
    }
    let root = TrustedRoot::public_good();
    let _ = tsa::verify(data, b"signature", &root);
    if let Ok(cert) = certs::parse(data) {
        let _ = certs::identity(&cert);
        let _ = certs::verify_scts(&cert, &cert, &root);
    }
});
