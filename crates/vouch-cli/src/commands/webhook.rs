//! `vouch webhook serve`: the Kubernetes mutating and validating admission webhook.
//!
//! Loads the policy (and the trusted root, when a policy trusts keyless identities) once,
//! then serves `POST /mutate`, `POST /validate`, `GET /healthz`, `GET /readyz` and
//! `GET /metrics` over HTTPS until the process is stopped. The decisions are
//! `vouch-webhook`'s, which verifies every image with the same function `vouch verify image`
//! uses. One JSON line per review goes to stderr.

use std::sync::Arc;
use std::time::Duration;

use crate::args::webhook::{ServeArgs, WebhookArgs, WebhookCommand};
use crate::context::Context;
use crate::status::Status;
use crate::support::policy::{load_policy_file, load_trusted_root};

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
        let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        let line = match (r.is_object(), serde_json::to_value(&answer.record)) {
            (true, Ok(mut line @ serde_json::Value::Object(_))) => {
                line["allowed"] = r["allowed"].clone();
                line["ms"] = ms.into();
                line["message"] = r["status"]["message"].clone();
                line["warnings"] = r.get("warnings").cloned().unwrap_or_default();
                line
            }
            _ => serde_json::json!({
                "http": answer.http_status,
                "ms": ms,
                "message": answer.body["message"],
            }),
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
    let registry = args.registry.options(None);
    let has_db = db.is_some();
    let settings = vouch_webhook::Settings {
        policy,
        trusted_root,
        db,
        registry,
        budget: Duration::from_millis(args.budget_ms.max(1)),
        platforms: args.platforms.into(),
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
