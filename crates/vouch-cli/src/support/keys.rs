//! Loading cosign keys: private keys with their password (`VOUCH_PASSWORD`/`COSIGN_PASSWORD`
//! or a prompt), public keys from PEM files.

use std::path::Path;

use vouch_sign::keys::{PrivateKey, PublicKey};

use crate::support::password;

/// Loads a cosign private key, asking for its password.
pub fn load_private(path: &Path) -> anyhow::Result<PrivateKey> {
    check_private_key_file(path)?;
    let password = password::for_reading(&path.display().to_string())?;
    load_private_with(path, password.as_bytes())
}

/// Looks at a private key file before a password is asked for it: a file that is no cosign
/// key at all (`--key Cargo.toml`) is said to be so, not "no password".
fn check_private_key_file(path: &Path) -> anyhow::Result<()> {
    use vouch_sign::keys::{COSIGN_PRIVATE_KEY_LABEL, SIGSTORE_PRIVATE_KEY_LABEL};
    let text = zeroize::Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?,
    );
    let hint = "give a cosign private key (`vouch key generate` writes one; `vouch key import` \
                converts a PEM key)";
    match vouch_sign::pem::parse(&text) {
        Ok(b) if b.label == SIGSTORE_PRIVATE_KEY_LABEL || b.label == COSIGN_PRIVATE_KEY_LABEL => {
            Ok(())
        }
        Ok(b) => Err(crate::error::hinted(
            anyhow::anyhow!(
                "`{}` is not a cosign private key file: it holds a PEM `{}`",
                path.display(),
                b.label
            ),
            hint,
        )),
        Err(vouch_sign::pem::PemError::NoBegin) => Err(crate::error::hinted(
            anyhow::anyhow!(
                "`{}` is not a key file: it holds no PEM block",
                path.display()
            ),
            hint,
        )),
        // A damaged key file (truncated, bad base64) is said to be so by the loader.
        Err(_) => Ok(()),
    }
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
