//! `vouch webhook serve`: the Kubernetes mutating and validating admission webhook.
//!
//! Loads the policy (and the trusted root, when a policy trusts keyless identities) once,
//! then serves `POST /mutate`, `POST /validate`, `GET /healthz`, `GET /readyz` and
//! `GET /metrics` over HTTPS until the process is stopped. The decisions are
//! `vouch-webhook`'s, which verifies every image with the same function `vouch verify image`
//! uses. One JSON line per review goes to stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::commands::verify::image::support::RegistryArgs;
use crate::commands::verify::image::{load_policy_file, load_trusted_root, Platforms};
use crate::commands::Status;
use crate::context::Context;

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
    pub db: crate::commands::db::DbLocation,
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

pub fn run(ctx: &Context, args: WebhookArgs) -> anyhow::Result<Status> {
    match args.command {
        WebhookCommand::Serve(a) => serve(ctx, a),
    }
}

/// One stderr line per review: uid, decision, time, message.
struct Log {
    quiet: bool,
}

impl vouch_webhook::Reporter for Log {
    fn on_reload(&self, result: Result<usize, &str>) {
        let line = match result {
            Ok(n) => serde_json::json!({"reload": "ok", "policies": n}),
            Err(e) => {
                serde_json::json!({"reload": "failed, the previous policy stays in force", "error": e})
            }
        };
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{line}");
        }
    }

    fn on_answer(&self, answer: &vouch_webhook::Answer, elapsed: Duration) {
        if self.quiet {
            return;
        }
        let r = &answer.body["response"];
        let line = if let (true, Some(record)) = (r.is_object(), &answer.record) {
            serde_json::json!({
                "uid": record.uid,
                "endpoint": record.endpoint,
                "namespace": record.namespace,
                "kind": record.kind,
                "name": record.name,
                "operation": record.operation,
                "images": record.images,
                "result": record.result,
                "allowed": r["allowed"],
                "codes": record.codes,
                "pinned": record.pinned,
                "ms": record.milliseconds,
                "message": r["status"]["message"],
                "warnings": r.get("warnings").cloned().unwrap_or_default(),
            })
        } else {
            serde_json::json!({
                "http": answer.http_status,
                "ms": elapsed.as_millis() as u64,
                "message": answer.body["message"],
            })
        };
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{line}");
        }
    }
}

fn serve(ctx: &Context, args: ServeArgs) -> anyhow::Result<Status> {
    let policy = load_policy_file(&args.policy)?;
    let trusted_root = match &args.trusted_root {
        Some(path) => Some(load_trusted_root(path)?),
        None => None,
    };
    let wants_rescan = policy.policies.iter().any(|p| p.rescan.is_some());
    let db = if wants_rescan {
        let dir = args.db.resolve()?;
        // Checked now, so a missing database stops the server instead of denying every pod.
        vouch_osv::Database::open(&dir).map_err(|e| {
            crate::error::hinted(
                anyhow::anyhow!("the policy requires a deploy-time re-scan, but the OSV database cannot be opened: {e}"),
                "build it with `vouch db import …` or `vouch db update`, or pass --db DIR",
            )
        })?;
        Some(dir)
    } else {
        None
    };
    let timeout = Duration::from_secs(args.registry.registry_timeout.max(1));
    let registry = vouch_oci::RegistryOptions {
        allow_insecure: args.registry.allow_insecure_registry,
        timeout,
        connect_timeout: timeout.min(Duration::from_secs(10)),
        max_blob_bytes: args.registry.max_blob_size,
        ..vouch_oci::RegistryOptions::default()
    };
    let has_db = db.is_some();
    let settings = vouch_webhook::Settings {
        policy,
        trusted_root,
        db,
        registry,
        budget: Duration::from_millis(args.budget_ms.max(1)),
        platforms: match args.platforms {
            Platforms::Index => vouch_verify::Platforms::Index,
            Platforms::Each => vouch_verify::Platforms::Each,
        },
        cache: vouch_webhook::cache::CacheSettings {
            admit_ttl: Duration::from_secs(args.cache_admit_ttl),
            deny_ttl: Duration::from_secs(args.cache_deny_ttl),
            tag_ttl: Duration::from_secs(args.tag_ttl),
            ..vouch_webhook::cache::CacheSettings::default()
        },
    };
    let webhook =
        vouch_webhook::Webhook::new(settings)?.with_reporter(Arc::new(Log { quiet: ctx.quiet }));
    let config = vouch_webhook::server::ServerConfig {
        listen: args.listen,
        tls: match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(vouch_webhook::server::TlsFiles { cert, key }),
            _ => None,
        },
        max_body_bytes: args.max_body_size,
        watch: (args.watch_policy > 0).then(|| {
            (
                vec![args.policy.clone()],
                Duration::from_secs(args.watch_policy),
            )
        }),
    };
    let path = args.policy.clone();
    let reload: vouch_webhook::server::Reload = Arc::new(move || {
        let set = load_policy_file(&path).map_err(|e| format!("{e:#}"))?;
        if !has_db && set.policies.iter().any(|p| p.rescan.is_some()) {
            return Err(format!(
                "`{}` now asks for a deploy-time re-scan; restart with --db DIR",
                path.display()
            ));
        }
        Ok(set)
    });
    vouch_webhook::server::serve_blocking(&config, webhook, Some(reload), |addr, tls| {
        let scheme = if tls { "https" } else { "http" };
        ctx.note(&format!(
            "vouch webhook listening on {scheme}://{addr} (POST /mutate, POST /validate, GET /healthz, GET /readyz, GET /metrics)"
        ));
    })
    .map_err(|e| match e {
        e @ vouch_webhook::server::ServeError::PlainHttpNotLoopback(_) => crate::error::hinted(
            anyhow::Error::new(e),
            "pass --tls-cert and --tls-key, or --listen 127.0.0.1:PORT for a local test",
        ),
        e => anyhow::Error::new(e),
    })?;
    Ok(Status::Ok)
}
