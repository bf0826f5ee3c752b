//! cosign key files and public keys: any bytes give a key or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_sign::PrivateKey::from_cosign_pem(data, b"");
    let _ = vouch_sign::PrivateKey::from_unencrypted_pem(data);
    let _ = vouch_sign::PrivateKey::from_pkcs8_der(data);
    let _ = vouch_sign::PublicKey::from_pem(data);
    if let Ok(key) = vouch_sign::PublicKey::from_spki_der(data) {
        let _ = key.verify(b"message", data);
    }
});
