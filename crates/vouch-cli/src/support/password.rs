//! Passwords for cosign key files: `VOUCH_PASSWORD` or `COSIGN_PASSWORD` when set (even to the
//! empty string), else a prompt on the terminal (`/dev/tty`, no echo). Never from argv.

use anyhow::bail;
use zeroize::Zeroizing;

/// The environment variables read, in order.
pub const PASSWORD_VARS: [&str; 2] = ["VOUCH_PASSWORD", "COSIGN_PASSWORD"];

fn from_env() -> Option<Zeroizing<String>> {
    PASSWORD_VARS.iter().find_map(|var| {
        std::env::var_os(var).map(|v| Zeroizing::new(v.to_string_lossy().into_owned()))
    })
}

fn prompt(text: &str) -> anyhow::Result<Zeroizing<String>> {
    // The OS error (ENXIO without a terminal) adds nothing a person can act on.
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|_| {
            anyhow::anyhow!(
                "no password: set {} or {}, or run in a terminal",
                PASSWORD_VARS[0],
                PASSWORD_VARS[1]
            )
        })
}

/// The password to decrypt `what` (a key file name).
pub fn for_reading(what: &str) -> anyhow::Result<Zeroizing<String>> {
    if let Some(p) = from_env() {
        return Ok(p);
    }
    prompt(&format!("Enter password for private key `{what}`: "))
}

/// A new password for `what`, typed twice when prompted.
pub fn for_writing(what: &str) -> anyhow::Result<Zeroizing<String>> {
    if let Some(p) = from_env() {
        return Ok(p);
    }
    let first = prompt(&format!("Enter password for private key `{what}`: "))?;
    let again = prompt(&format!("Enter password for private key `{what}` again: "))?;
    if *first != *again {
        bail!("passwords do not match");
    }
    Ok(first)
}
