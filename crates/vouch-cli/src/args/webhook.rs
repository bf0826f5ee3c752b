//! The arguments of `vouch webhook`: clap-derive types only.

use crate::args::registry::RegistryArgs;
use crate::args::verify::Platforms;
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    pub command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Serve the admission webhook (`POST /mutate`, `POST /validate`, `GET /healthz`,
    /// `GET /readyz`, `GET /metrics`).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The policy file every image is verified against (loaded once, at start).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// TLS certificate chain (PEM, leaf first). Required unless listening on loopback.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Address to listen on. Plain HTTP (no --tls-cert) only on a loopback address.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Trusted root for keyless (certificate) bundles [default: the embedded Sigstore
    /// public-good root].
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// The OSV database for policies that re-scan the attested SBOM at deploy time.
    #[command(flatten)]
    pub db: crate::args::db::DbLocation,
    /// Time allowed for one AdmissionReview, in milliseconds; keep it below the webhook's
    /// `timeoutSeconds` (Kubernetes' default is 10 s). Images not verified in time are denied.
    #[arg(long, value_name = "MS", default_value_t = 8000)]
    pub budget_ms: u64,
    /// Largest AdmissionReview body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = vouch_webhook::server::DEFAULT_MAX_BODY)]
    pub max_body_size: usize,
    /// For a multi-platform index: whether the index or each platform must pass.
    #[arg(long, value_enum, default_value_t = Platforms::Index)]
    pub platforms: Platforms,
    /// Check the policy file every this many seconds and reload it when its content changed
    /// (a policy mounted from a ConfigMap); 0: only SIGHUP reloads.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub watch_policy: u64,
    /// How long an admission verdict is reused, in seconds (0: not cached).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub cache_admit_ttl: u64,
    /// How long a denial is reused, in seconds (0: not cached).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub cache_deny_ttl: u64,
    /// How long a tag's digest is reused, in seconds (0: resolved for every review).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub tag_ttl: u64,
    #[command(flatten)]
    pub registry: RegistryArgs,
}
