//! The Sigstore flags signing commands share (cosign's names), and turning them into a
//! `vouch_sigstore::Session`: which Fulcio, Rekor and timestamp authority to use, and the
//! trusted root their answers are checked against.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{ArgAction, Args};
use vouch_sigstore::{ServiceOverrides, Session, SigningConfig};

use crate::commands::key;
use crate::context::Context;

#[derive(Debug, Clone, Args)]
pub struct SigstoreArgs {
    /// Sign without a key: a short-lived Fulcio certificate for your OIDC identity (the
    /// default when no `--key` is given).
    #[arg(long, conflicts_with = "key")]
    pub keyless: bool,
    /// The OIDC identity token (or `@FILE`); else `SIGSTORE_ID_TOKEN`, else GitHub Actions'.
    #[arg(long, value_name = "TOKEN|@FILE")]
    pub identity_token: Option<String>,
    /// A Sigstore signing config v0.2 naming the services (default: the public-good one).
    #[arg(long, value_name = "FILE")]
    pub signing_config: Option<PathBuf>,
    /// The Fulcio base URL (replaces the signing config's).
    #[arg(long, value_name = "URL")]
    pub fulcio_url: Option<String>,
    /// A Rekor v1 base URL (replaces the signing config's logs).
    #[arg(long, value_name = "URL")]
    pub rekor_url: Option<String>,
    /// An RFC 3161 timestamp URL (replaces the signing config's).
    #[arg(long, value_name = "URL")]
    pub timestamp_server_url: Option<String>,
    /// The Sigstore trusted root service answers are checked against (default: the embedded
    /// public-good root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Write the signature to the transparency log (key-based signing; keyless always does).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = ArgAction::Set)]
    pub tlog_upload: bool,
}

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
            Some(p) => crate::commands::verify::image::load_trusted_root(p)?,
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
    let password = key::password::for_reading(&format!("env://{var}"))?;
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
