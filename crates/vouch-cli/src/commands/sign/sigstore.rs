//! The Sigstore flags signing commands share (cosign's names), and turning them into a
//! `vouch_sigstore::Session`: which Fulcio, Rekor and timestamp authority to use, and the
//! trusted root their answers are checked against.

use std::path::Path;

use anyhow::Context as _;
use vouch_sigstore::{ServiceOverrides, Session, SigningConfig};

use crate::args::sign::SigstoreArgs;
use crate::context::Context;
use crate::support::keys as key;

/// The warning a key-based bundle without a log entry gets.
pub const NO_TLOG_WARNING: &str = "the bundle has no transparency-log entry (--tlog-upload=false): verifiers accept it only with --insecure-ignore-tlog";

impl SigstoreArgs {
    /// A session for keyless signing, or for logging a key-based signature.
    pub fn session(&self, keyless: bool) -> anyhow::Result<Session> {
        let config = match &self.signing_config {
            Some(p) => {
                let bytes = std::fs::read(p)
                    .with_context(|| format!("`{}`: cannot read signing config", p.display()))?;
                SigningConfig::from_json(&bytes)
                    .map_err(|e| anyhow::anyhow!("`{}`: {e}", p.display()))?
            }
            None => SigningConfig::public_good(),
        };
        let overrides = ServiceOverrides {
            fulcio_url: self.fulcio_url.clone(),
            rekor_url: self.rekor_url.clone(),
            timestamp_server_url: self.timestamp_server_url.clone(),
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut services = config.select(now, &overrides)?;
        if !keyless {
            services.fulcio = None;
        }
        if !keyless && !self.tlog_upload {
            services.rekor.clear();
        }
        let root = match &self.trusted_root {
            Some(p) => crate::support::policy::load_trusted_root(p)?,
            None => vouch_trust::TrustedRoot::public_good(),
        };
        Ok(Session::new(
            services,
            root,
            vouch_sigstore::DEFAULT_TIMEOUT,
        )?)
    }

    /// The identity token (never printed).
    pub fn token(&self, session: &Session) -> anyhow::Result<vouch_sigstore::IdentityToken> {
        Ok(session.identity_token(self.identity_token.as_deref(), &|k| std::env::var(k).ok())?)
    }
}

/// Whether `--key` names an environment variable (`env://VAR`, as cosign reads keys).
pub fn env_key(key: &Path) -> Option<&str> {
    key.to_str()?.strip_prefix("env://")
}

/// Loads a cosign key from a file or from `env://VAR`.
pub fn load_key(key: &Path) -> anyhow::Result<vouch_sign::PrivateKey> {
    let Some(var) = env_key(key) else {
        return key::load_private(key);
    };
    let pem =
        zeroize::Zeroizing::new(std::env::var(var).map_err(|_| {
            anyhow::anyhow!("`--key env://{var}`: the variable `{var}` is not set")
        })?);
    let password = crate::support::password::for_reading(&format!("env://{var}"))?;
    vouch_sign::PrivateKey::from_cosign_pem(pem.as_bytes(), password.as_bytes())
        .map_err(|e| anyhow::anyhow!("`env://{var}`: {e}"))
}

/// Tells what a signing session produced (to stderr).
pub fn report(ctx: &Context, session: &Session, signed: &vouch_sigstore::Signed) {
    if let Some(id) = &signed.identity {
        ctx.note(&format!(
            "Signed as {} (issuer {})",
            id.sans.join(", "),
            id.issuer.as_deref().unwrap_or("unknown")
        ));
    }
    let vm = &signed.bundle.verification_material;
    for (entry, log) in vm.tlog_entries.iter().zip(&session.services().rekor) {
        ctx.note(&format!(
            "Logged in {} (Rekor v{}) at index {}",
            log.url, log.major_api_version, entry.log_index
        ));
    }
    if vm.timestamp_verification_data.is_some() {
        ctx.note(&format!(
            "Timestamped by {}",
            session.services().tsa.join(", ")
        ));
    }
}
