//! Loading cosign keys: private keys with their password (`VOUCH_PASSWORD`/`COSIGN_PASSWORD`
//! or a prompt), public keys from PEM files.

use std::path::Path;

use vouch_sign::keys::{PrivateKey, PublicKey};

use crate::support::password;

/// Loads a cosign private key, asking for its password.
pub fn load_private(path: &Path) -> anyhow::Result<PrivateKey> {
    let password = password::for_reading(&path.display().to_string())?;
    load_private_with(path, password.as_bytes())
}

/// Loads a cosign private key with a password already read.
pub fn load_private_with(path: &Path, password: &[u8]) -> anyhow::Result<PrivateKey> {
    PrivateKey::load(path, password).map_err(|e| {
        if e.is_wrong_password() {
            crate::error::hinted(
                anyhow::anyhow!("{e}"),
                "the password comes from VOUCH_PASSWORD or COSIGN_PASSWORD when set",
            )
        } else {
            anyhow::anyhow!("{e}")
        }
    })
}

/// Loads a public key file.
pub fn load_public(path: &Path) -> anyhow::Result<PublicKey> {
    PublicKey::load(path).map_err(|e| anyhow::anyhow!("{e}"))
}
