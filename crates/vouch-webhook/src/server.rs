//! The HTTPS front: `POST /validate` and `POST /mutate` (AdmissionReview in, AdmissionReview
//! out), `GET /healthz` (the process answers), `GET /readyz` (a policy and a trusted root are
//! loaded) and `GET /metrics` (OpenMetrics text).
//!
//! Kubernetes only calls webhooks over TLS, so a listener that is not on a loopback address
//! must have a certificate and key (PEM files, rustls). Bodies are bounded in size and in the
//! time they take to arrive; each connection is HTTP/1.1 (kube-apiserver speaks it to
//! webhooks).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::{Endpoint, Webhook};

/// The default largest AdmissionReview body accepted: kube-apiserver caps objects at about
/// 1.5 MiB, and a review can carry the object and the old object.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

/// Where to listen and with what certificate.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// `None` serves plain HTTP, allowed only on a loopback address (tests, sidecars).
    pub tls: Option<TlsFiles>,
    pub max_body_bytes: usize,
    /// Files whose change (content) reloads the policy, checked this often: a policy mounted
    /// from a ConfigMap is reloaded when the ConfigMap changes. `None`: only SIGHUP reloads.
    pub watch: Option<(Vec<PathBuf>, Duration)>,
}

/// PEM files: the certificate chain (leaf first) and its private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to serve plain HTTP on `{0}`: Kubernetes calls webhooks over TLS; pass a certificate and key, or listen on a loopback address")]
    PlainHttpNotLoopback(SocketAddr),
    #[error("failed to listen on `{addr}`")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read TLS {what} `{path}`: {reason}")]
    TlsFile {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("TLS certificate `{cert}` and key `{key}` cannot be used together: {reason}")]
    TlsConfig {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    #[error("failed to accept a connection")]
    Accept(#[source] std::io::Error),
    #[error("failed to start the server runtime")]
    Runtime(#[source] std::io::Error),
}

/// Reads the policy again (the caller's loader: file, key files, checks).
pub type Reload = Arc<dyn Fn() -> Result<vouch_policy::PolicySet, String> + Send + Sync>;

/// Binds, calls `on_listening` with the bound address and whether it is TLS, and serves on a
/// multi-threaded runtime of its own until the process ends (for callers without one). With
/// `reload`, SIGHUP reloads the policy (a failed reload keeps the old one; both are reported
/// to the webhook's [`crate::Reporter`]).
pub fn serve_blocking(
    config: &ServerConfig,
    webhook: Webhook,
    reload: Option<Reload>,
    on_listening: impl FnOnce(SocketAddr, bool),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        let server = Server::bind(config, webhook.clone()).await?;
        if let Some(load) = reload {
            if let Some((files, every)) = &config.watch {
                watch_files(webhook.clone(), Arc::clone(&load), files.clone(), *every);
            }
            watch_sighup(webhook, load)?;
        }
        on_listening(server.local_addr(), server.is_tls());
        server.run().await
    })
}

/// Reloads the policy when one of `files` changes (checked every `every`). The contents are
/// compared, not the times: a ConfigMap update swaps a symlink, and clocks can step.
fn watch_files(webhook: Webhook, load: Reload, files: Vec<PathBuf>, every: Duration) {
    fn snapshot(files: &[PathBuf]) -> Vec<Option<Vec<u8>>> {
        files.iter().map(|f| std::fs::read(f).ok()).collect()
    }
    // The first snapshot is taken now, before the server says it listens: a change made
    // after that line is always seen.
    let mut last = snapshot(&files);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let files2 = files.clone();
            let Ok(now) = tokio::task::spawn_blocking(move || snapshot(&files2)).await else {
                continue;
            };
            if now != last {
                last = now;
                let webhook = webhook.clone();
                let load = Arc::clone(&load);
                let _ = tokio::task::spawn_blocking(move || webhook.reload(&*load)).await;
            }
        }
    });
}

#[cfg(unix)]
fn watch_sighup(webhook: Webhook, load: Reload) -> Result<(), ServeError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = signal(SignalKind::hangup()).map_err(ServeError::Runtime)?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            let webhook = webhook.clone();
            let load = Arc::clone(&load);
            // Reading files and compiling Rego off the request threads.
            let _ = tokio::task::spawn_blocking(move || webhook.reload(&*load)).await;
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn watch_sighup(_webhook: Webhook, _load: Reload) -> Result<(), ServeError> {
    Ok(())
}

fn read_certs(path: &Path) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, ServeError> {
    use rustls_pki_types::pem::PemObject as _;
    let err = |reason: String| ServeError::TlsFile {
        what: "certificate",
        path: path.to_owned(),
        reason,
    };
    let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no `CERTIFICATE` PEM block".to_owned()));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<rustls_pki_types::PrivateKeyDer<'static>, ServeError> {
    use rustls_pki_types::pem::PemObject as _;
    rustls_pki_types::PrivateKeyDer::from_pem_file(path).map_err(|e| ServeError::TlsFile {
        what: "key",
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// A rustls server configuration from PEM files (HTTP/1.1 offered by ALPN).
pub fn tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, ServeError> {
    let certs = read_certs(&files.cert)?;
    let key = read_key(&files.key)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| ServeError::TlsConfig {
            cert: files.cert.clone(),
            key: files.key.clone(),
            reason: e.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    webhook: Webhook,
    max_body_bytes: usize,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Loads the certificate and binds the address (port 0 picks a free port).
    pub async fn bind(config: &ServerConfig, webhook: Webhook) -> Result<Self, ServeError> {
        let tls = match &config.tls {
            Some(files) => Some(tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(
                files,
            )?))),
            None if config.listen.ip().is_loopback() => None,
            None => return Err(ServeError::PlainHttpNotLoopback(config.listen)),
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServeError::Bind {
                    addr: config.listen,
                    source,
                })?;
        Ok(Self {
            listener,
            tls,
            webhook,
            max_body_bytes: config.max_body_bytes,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Whether connections are TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until the process ends. A failed handshake or connection affects only itself.
    pub async fn run(self) -> Result<(), ServeError> {
        let state = Arc::new(State {
            webhook: self.webhook,
            max_body_bytes: self.max_body_bytes,
        });
        loop {
            let (stream, _peer) = match self.listener.accept().await {
                Ok(s) => s,
                // Out of file descriptors and similar: wait instead of spinning.
                Err(e) if is_transient(&e) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(ServeError::Accept(e)),
            };
            let _ = stream.set_nodelay(true);
            let state = Arc::clone(&state);
            let tls = self.tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        serve_connection(TokioIo::new(stream), state).await;
                    }
                    None => serve_connection(TokioIo::new(stream), state).await,
                }
            });
        }
    }
}

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    ) || e.raw_os_error().is_some()
}

struct State {
    webhook: Webhook,
    max_body_bytes: usize,
}

async fn serve_connection<I>(io: I, state: Arc<State>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(route(req, &state).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(io, service)
        .await;
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut body = serde_json::to_vec(value).unwrap_or_default();
    body.push(b'\n');
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

fn text(status: StatusCode, s: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(format!("{s}\n"))))
        .expect("a valid response")
}

fn status_json(code: StatusCode, message: String) -> Response<Full<Bytes>> {
    json(
        code,
        &serde_json::json!({
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "code": code.as_u16(),
            "message": message,
        }),
    )
}

async fn route(req: Request<Incoming>, state: &State) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET | &Method::HEAD, "/readyz") => match state.webhook.ready() {
            Ok(s) => text(StatusCode::OK, &s),
            Err(s) => text(StatusCode::SERVICE_UNAVAILABLE, &format!("not ready: {s}")),
        },
        (&Method::GET | &Method::HEAD, "/metrics") => Response::builder()
            .status(StatusCode::OK)
            .header(
                "content-type",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )
            .body(Full::new(Bytes::from(state.webhook.metrics().render())))
            .expect("a valid response"),
        (&Method::POST, "/validate") => review(req, state, Endpoint::Validate).await,
        (&Method::POST, "/mutate") => review(req, state, Endpoint::Mutate).await,
        (_, "/healthz" | "/readyz" | "/metrics" | "/validate" | "/mutate") => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: use POST /validate, POST /mutate, GET /healthz, GET /readyz or GET /metrics",
        ),
    }
}

async fn review(
    req: Request<Incoming>,
    state: &State,
    endpoint: Endpoint,
) -> Response<Full<Bytes>> {
    let max = state.max_body_bytes;
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return status_json(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("vouch: the AdmissionReview body is larger than the {max}-byte limit"),
        );
    }
    let body = Limited::new(req.into_body(), max);
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, body.collect()).await {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return status_json(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("vouch: the AdmissionReview body is larger than the {max}-byte limit"),
            )
        }
        Ok(Err(e)) => {
            return status_json(
                StatusCode::BAD_REQUEST,
                format!("vouch: failed to read the request body: {e}"),
            )
        }
        Err(_) => {
            return status_json(
                StatusCode::REQUEST_TIMEOUT,
                "vouch: the request body did not arrive in time".to_owned(),
            )
        }
    };
    let answer = state.webhook.answer_at(endpoint, &bytes).await;
    json(
        StatusCode::from_u16(answer.http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &answer.body,
    )
}
