//! The HTTP client every Sigstore service call goes through: rustls, a timeout per request, and
//! bounded retries (connection errors, 429 and 5xx; three attempts with backoff). Requests
//! that create things (certificates, log entries, timestamps) are safe to retry: each retry
//! yields a new, equally valid object.

use std::time::Duration;

/// A request to a Sigstore service (or GitHub's token service) failed.
#[derive(Debug, thiserror::Error)]
#[error("{service} at `{url}`: {message}")]
pub struct ServiceError {
    pub service: &'static str,
    pub url: String,
    pub message: String,
}

impl ServiceError {
    pub(crate) fn shape(service: &'static str, url: &str, message: impl Into<String>) -> Self {
        Self {
            service,
            url: url.to_owned(),
            message: message.into(),
        }
    }
}

const ATTEMPTS: u32 = 3;

/// A blocking front to an async `reqwest` client on a private single-threaded runtime.
pub struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").finish_non_exhaustive()
    }
}

impl Http {
    /// A client whose every request gives up after `timeout`. Must not be called from inside
    /// a tokio runtime.
    pub fn new(timeout: Duration) -> Result<Self, ServiceError> {
        let setup = |e: &dyn std::fmt::Display| ServiceError {
            service: "HTTP client",
            url: String::new(),
            message: e.to_string(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| setup(&e))?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("vouch/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| setup(&e))?;
        Ok(Self { rt, client })
    }

    /// POSTs `body` with `content_type`; returns the body of a 2xx answer.
    pub fn post(
        &self,
        service: &'static str,
        url: &str,
        content_type: &str,
        accept: &str,
        body: &[u8],
    ) -> Result<Vec<u8>, ServiceError> {
        self.send(service, url, || {
            self.client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .header(reqwest::header::ACCEPT, accept)
                .body(body.to_vec())
        })
    }

    /// GETs `url` with `Authorization: bearer …`.
    pub fn get_bearer(
        &self,
        service: &'static str,
        url: &str,
        bearer: &str,
    ) -> Result<Vec<u8>, ServiceError> {
        self.send(service, url, || {
            self.client
                .get(url)
                .header(reqwest::header::AUTHORIZATION, format!("bearer {bearer}"))
                .header(reqwest::header::ACCEPT, "application/json")
        })
    }

    fn send(
        &self,
        service: &'static str,
        url: &str,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, ServiceError> {
        let err = |message: String| ServiceError {
            service,
            url: url.to_owned(),
            message,
        };
        self.rt.block_on(async {
            let mut last = String::new();
            for attempt in 0..ATTEMPTS {
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
                }
                let resp = match request().send().await {
                    Ok(r) => r,
                    Err(e) => {
                        last = describe(&e);
                        continue;
                    }
                };
                let status = resp.status();
                let body = match resp.bytes().await {
                    Ok(b) => b.to_vec(),
                    Err(e) => {
                        last = describe(&e);
                        continue;
                    }
                };
                if status.is_success() {
                    return Ok(body);
                }
                let text = String::from_utf8_lossy(&body);
                let text: String = text.trim().chars().take(300).collect();
                let message = format!("HTTP {status}: {text}");
                if status.as_u16() == 429 || status.is_server_error() {
                    last = message;
                    continue;
                }
                return Err(err(message));
            }
            Err(err(format!("{last} (after {ATTEMPTS} attempts)")))
        })
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
