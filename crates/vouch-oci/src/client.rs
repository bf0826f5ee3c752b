//! The registry client: bounded, digest-checked requests over the distribution API.
//!
//! Every read is capped (manifests at [`RegistryOptions::max_manifest_bytes`], blobs at
//! [`RegistryOptions::max_blob_bytes`]) and timed out, and every byte that comes back is
//! hashed against the digest it was asked for. Authentication is lazy: a request goes out
//! with what we have; a `401` with a `Bearer` challenge triggers the token exchange (done by
//! `oci-client`, which speaks the docker token protocol) and one retry, a `Basic` challenge
//! sends the docker-config credentials. Round trips are counted so callers and tests can
//! hold the verifier to a budget.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use vouch_core::{Digest, ImageRef};

use crate::auth::{self, Credential};
use crate::error::OciError;
use crate::model::{self, AnyManifest, Descriptor, Index, ACCEPT_MANIFESTS, OCI_INDEX};

/// How to reach registries and how much to trust them with.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Allow plain HTTP to registries that are not on a loopback address.
    pub allow_insecure: bool,
    /// Budget for one request, from sending it to the last byte of the answer.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest manifest or index accepted (the distribution spec suggests 4 MiB).
    pub max_manifest_bytes: u64,
    /// Largest blob (signature payload, attestation, SBOM) accepted.
    pub max_blob_bytes: u64,
    /// Docker `config.json` to read credentials from; `None` means the default location.
    pub docker_config: Option<PathBuf>,
    /// Budget for everything this client does, from its creation; `None` for no overall
    /// limit (each request still has [`RegistryOptions::timeout`]).
    pub total_timeout: Option<Duration>,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            allow_insecure: false,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_manifest_bytes: 4 * 1024 * 1024,
            max_blob_bytes: 64 * 1024 * 1024,
            docker_config: None,
            total_timeout: None,
        }
    }
}

/// A manifest fetched and checked against its digest.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// The digest of the bytes received (equal to the one asked for, when one was).
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub manifest: AnyManifest,
}

impl FetchedManifest {
    /// A descriptor of this manifest (as a subject or an index entry).
    pub fn descriptor(&self) -> Descriptor {
        let mut d = Descriptor::of(&self.media_type, &self.bytes);
        d.digest = self.digest.clone();
        d
    }
}

/// What a manifest `PUT` told us.
#[derive(Debug, Clone)]
pub struct PutManifest {
    pub digest: Digest,
    /// The registry processed the `subject` field (it answered with `OCI-Subject`), so it
    /// maintains the referrers list itself.
    pub subject_processed: bool,
}

/// Where a referrers list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferrersSource {
    /// The OCI 1.1 referrers API.
    Api,
    /// The `sha256-<hex>` tag of the referrers tag schema (registries without the API).
    TagSchema,
}

#[derive(Clone)]
enum AuthHeader {
    None,
    Value(HeaderValue),
}

/// A registry client for one or more registries.
pub struct Registry {
    options: RegistryOptions,
    http: reqwest::Client,
    auth: Mutex<HashMap<(String, String, bool), AuthHeader>>,
    credentials: Mutex<HashMap<String, Credential>>,
    round_trips: AtomicUsize,
    auth_round_trips: AtomicUsize,
    created: std::time::Instant,
    observer: Option<std::sync::Arc<dyn RequestObserver>>,
}

/// Told about every request sent to a registry (metrics); called on the request's task.
pub trait RequestObserver: Send + Sync {
    /// One request to `registry` (host as in the reference) finished: `ok` is false when it
    /// failed to get an answer (connection, timeout) or the answer was a server error (5xx).
    fn on_request(&self, registry: &str, ok: bool);
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("options", &self.options)
            .field("round_trips", &self.round_trips())
            .finish_non_exhaustive()
    }
}

impl Registry {
    pub fn new(options: RegistryOptions) -> Result<Self, OciError> {
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("vouch/", env!("CARGO_PKG_VERSION")))
            // Redirects are followed (registries send blobs to CDNs); the digest check makes
            // where the bytes came from irrelevant.
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| OciError::Unreachable {
                registry: "(client setup)".to_owned(),
                source: Box::new(e),
            })?;
        Ok(Self {
            options,
            http,
            auth: Mutex::new(HashMap::new()),
            credentials: Mutex::new(HashMap::new()),
            round_trips: AtomicUsize::new(0),
            auth_round_trips: AtomicUsize::new(0),
            created: std::time::Instant::now(),
            observer: None,
        })
    }

    /// Reports every request to `observer` from now on.
    #[must_use]
    pub fn with_observer(mut self, observer: std::sync::Arc<dyn RequestObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    /// Requests sent to registries so far, not counting the authentication dance (the
    /// request answered `401`, the token exchange).
    pub fn round_trips(&self) -> usize {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// Requests spent on authentication so far.
    pub fn auth_round_trips(&self) -> usize {
        self.auth_round_trips.load(Ordering::Relaxed)
    }

    /// Sets the credential for a registry host, overriding the docker config.
    pub fn set_credential(&self, registry: &str, credential: Credential) {
        self.credentials
            .lock()
            .expect("credentials lock")
            .insert(registry.to_owned(), credential);
    }

    /// A registry token to send up front: an explicitly set bearer credential, or a
    /// `registrytoken` in the docker config (credential helpers run only on a challenge).
    fn preemptive_token(&self, registry: &str) -> Result<Option<String>, OciError> {
        if let Some(c) = self
            .credentials
            .lock()
            .expect("credentials lock")
            .get(registry)
        {
            return Ok(match c {
                Credential::Bearer(t) => Some(t.clone()),
                _ => None,
            });
        }
        match self
            .options
            .docker_config
            .clone()
            .or_else(auth::default_config_path)
        {
            Some(path) => auth::preemptive_token(&path, registry),
            None => Ok(None),
        }
    }

    fn credential(&self, registry: &str) -> Result<Credential, OciError> {
        if let Some(c) = self
            .credentials
            .lock()
            .expect("credentials lock")
            .get(registry)
        {
            return Ok(c.clone());
        }
        let cred = match self
            .options
            .docker_config
            .clone()
            .or_else(auth::default_config_path)
        {
            Some(path) => auth::lookup(&path, registry)?,
            None => Credential::Anonymous,
        };
        self.set_credential(registry, cred.clone());
        Ok(cred)
    }

    /// `https://host/v2/<repository>`, or `http://` for loopback registries and, when
    /// allowed, insecure ones.
    fn base_url(&self, r: &ImageRef) -> String {
        let scheme = if r.is_loopback() || self.options.allow_insecure {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}/v2/{}", r.api_host(), r.repository())
    }

    /// Sends one request, authenticating on a `401` challenge and retrying once.
    async fn send(
        &self,
        r: &ImageRef,
        push: bool,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, OciError> {
        let key = (r.registry().to_owned(), r.repository().to_owned(), push);
        let cached = self.auth.lock().expect("auth lock").get(&key).cloned();
        let first_auth = match cached {
            Some(h) => h,
            None => match self.preemptive_token(r.registry())? {
                Some(token) => AuthHeader::Value(header_value(&format!("Bearer {token}"))?),
                None => AuthHeader::None,
            },
        };
        let resp = self.observed(
            r,
            self.send_once(r, &method, url, &headers, body.as_deref(), &first_auth)
                .await,
        )?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            self.round_trips.fetch_add(1, Ordering::Relaxed);
            return Ok(resp);
        }
        self.auth_round_trips.fetch_add(1, Ordering::Relaxed);
        let challenge = resp
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let header = self.authenticate(r, push, &challenge).await?;
        self.auth
            .lock()
            .expect("auth lock")
            .insert(key, header.clone());
        let resp = self.observed(
            r,
            self.send_once(r, &method, url, &headers, body.as_deref(), &header)
                .await,
        )?;
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        if resp.status() == StatusCode::UNAUTHORIZED || resp.status() == StatusCode::FORBIDDEN {
            return Err(OciError::Auth {
                registry: r.registry().to_owned(),
                reason: format!(
                    "the registry refused the credentials (HTTP {})",
                    resp.status().as_u16()
                ),
            });
        }
        Ok(resp)
    }

    /// Tells the observer how a request went.
    fn observed(
        &self,
        r: &ImageRef,
        result: Result<reqwest::Response, OciError>,
    ) -> Result<reqwest::Response, OciError> {
        if let Some(o) = &self.observer {
            let ok = result
                .as_ref()
                .is_ok_and(|resp| !resp.status().is_server_error());
            o.on_request(r.registry(), ok);
        }
        result
    }

    async fn send_once(
        &self,
        r: &ImageRef,
        method: &Method,
        url: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        auth: &AuthHeader,
    ) -> Result<reqwest::Response, OciError> {
        let mut req = self
            .http
            .request(method.clone(), url)
            .headers(headers.clone());
        if let Some(total) = self.options.total_timeout {
            let left = total.saturating_sub(self.created.elapsed());
            if left.is_zero() {
                return Err(OciError::Timeout {
                    registry: r.registry().to_owned(),
                    seconds: total.as_secs().max(1),
                });
            }
            req = req.timeout(left.min(self.options.timeout));
        }
        if let AuthHeader::Value(v) = auth {
            req = req.header(AUTHORIZATION, v.clone());
        }
        if let Some(b) = body {
            req = req.body(b.to_vec());
        }
        req.send().await.map_err(|e| self.net_error(r, e))
    }

    fn net_error(&self, r: &ImageRef, e: reqwest::Error) -> OciError {
        if e.is_timeout() {
            OciError::Timeout {
                registry: r.registry().to_owned(),
                seconds: self.options.timeout.as_secs().max(1),
            }
        } else {
            OciError::Unreachable {
                registry: r.registry().to_owned(),
                source: Box::new(e),
            }
        }
    }

    /// Answers a `WWW-Authenticate` challenge: `Basic` with the docker-config credentials,
    /// `Bearer` through oci-client's token exchange.
    async fn authenticate(
        &self,
        r: &ImageRef,
        push: bool,
        challenge: &str,
    ) -> Result<AuthHeader, OciError> {
        let cred = self.credential(r.registry())?;
        let scheme = challenge
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match scheme.as_str() {
            "basic" => match cred {
                Credential::Basic { username, password } => {
                    let b64 = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    Ok(AuthHeader::Value(header_value(&format!("Basic {b64}"))?))
                }
                _ => Err(OciError::Auth {
                    registry: r.registry().to_owned(),
                    reason: "the registry wants a username and password and none is configured (docker login)".to_owned(),
                }),
            },
            "bearer" => {
                let registry_auth = match cred {
                    Credential::Anonymous => oci_client::secrets::RegistryAuth::Anonymous,
                    Credential::Basic { username, password } => {
                        oci_client::secrets::RegistryAuth::Basic(username, password)
                    }
                    Credential::Bearer(t) => oci_client::secrets::RegistryAuth::Bearer(t),
                };
                let protocol = if self.base_url(r).starts_with("http:") {
                    oci_client::client::ClientProtocol::Http
                } else {
                    oci_client::client::ClientProtocol::Https
                };
                let client = oci_client::Client::new(oci_client::client::ClientConfig {
                    protocol,
                    read_timeout: Some(self.options.timeout),
                    connect_timeout: Some(self.options.connect_timeout),
                    ..Default::default()
                });
                let reference = oci_client::Reference::with_tag(
                    r.registry().to_owned(),
                    r.repository().to_owned(),
                    "latest".to_owned(),
                );
                let op = if push {
                    oci_client::RegistryOperation::Push
                } else {
                    oci_client::RegistryOperation::Pull
                };
                // The exchange pings `/v2/` for the challenge, then asks the realm.
                self.auth_round_trips.fetch_add(2, Ordering::Relaxed);
                let token = tokio::time::timeout(
                    self.options.timeout,
                    client.auth(&reference, &registry_auth, op),
                )
                .await
                .map_err(|_| OciError::Timeout {
                    registry: r.registry().to_owned(),
                    seconds: self.options.timeout.as_secs().max(1),
                })?
                .map_err(|e| OciError::Auth {
                    registry: r.registry().to_owned(),
                    reason: e.to_string(),
                })?;
                match token {
                    Some(t) => Ok(AuthHeader::Value(header_value(&format!("Bearer {t}"))?)),
                    None => Err(OciError::Auth {
                        registry: r.registry().to_owned(),
                        reason: "the token service gave no token".to_owned(),
                    }),
                }
            }
            _ => Err(OciError::Auth {
                registry: r.registry().to_owned(),
                reason: format!("unsupported authentication challenge `{challenge}`"),
            }),
        }
    }

    /// Reads a body up to `limit` bytes.
    async fn read_bounded(
        &self,
        r: &ImageRef,
        mut resp: reqwest::Response,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, OciError> {
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(OciError::TooLarge {
                what: what.to_owned(),
                limit,
            });
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.net_error(r, e))? {
            if out.len() as u64 + chunk.len() as u64 > limit {
                return Err(OciError::TooLarge {
                    what: what.to_owned(),
                    limit,
                });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Turns a non-success status into an error (`404` into `NotFound`).
    async fn check_status(
        &self,
        resp: reqwest::Response,
        what: &str,
    ) -> Result<reqwest::Response, OciError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let url = resp.url().to_string();
        if status == StatusCode::NOT_FOUND {
            return Err(OciError::NotFound {
                what: what.to_owned(),
            });
        }
        // A short, printable excerpt of the registry's error document.
        let body = resp.bytes().await.unwrap_or_default();
        let detail: String = String::from_utf8_lossy(&body[..body.len().min(300)])
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_owned();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(OciError::Auth {
                registry: url,
                reason: format!("HTTP {}", status.as_u16()),
            });
        }
        Err(OciError::Status {
            url,
            status: status.as_u16(),
            detail,
        })
    }

    /// Fetches the manifest `r` names (by digest when it has one, else by tag), checks the
    /// bytes against the digest and parses them.
    pub async fn get_manifest(&self, r: &ImageRef) -> Result<FetchedManifest, OciError> {
        let reference = match (r.digest(), r.tag()) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.to_owned(),
            (None, None) => "latest".to_owned(),
        };
        let what = format!("manifest `{r}`");
        let url = format!("{}/manifests/{reference}", self.base_url(r));
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_MANIFESTS));
        let resp = self
            .send(r, false, Method::GET, &url, headers, None)
            .await?;
        let resp = self.check_status(resp, &what).await?;
        let header_digest = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = self
            .read_bounded(r, resp, self.options.max_manifest_bytes, &what)
            .await?;
        let digest = match r.digest() {
            Some(expected) => {
                model::verify_content(&what, expected, None, &bytes)?;
                expected.clone()
            }
            None => model::sha256(&bytes),
        };
        if let Some(h) = header_digest {
            if let Ok(hd) = h.parse::<Digest>() {
                if hd.algorithm() == digest.algorithm() && hd != digest {
                    return Err(OciError::DigestMismatch {
                        what,
                        expected: hd.to_string(),
                        actual: digest.to_string(),
                    });
                }
            }
        }
        let manifest = AnyManifest::parse(&what, &bytes, content_type.as_deref())?;
        Ok(FetchedManifest {
            digest,
            media_type: manifest.media_type().to_owned(),
            bytes,
            manifest,
        })
    }

    /// Like [`Registry::get_manifest`], with a missing manifest as `None`.
    pub async fn get_manifest_opt(
        &self,
        r: &ImageRef,
    ) -> Result<Option<FetchedManifest>, OciError> {
        match self.get_manifest(r).await {
            Ok(m) => Ok(Some(m)),
            Err(OciError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Fetches the blob `desc` names from `r`'s repository (or takes its embedded data),
    /// refusing it past `limit` bytes and checking it against the descriptor.
    pub async fn get_blob(
        &self,
        r: &ImageRef,
        desc: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, OciError> {
        let what = format!("blob `{}` in `{}`", desc.digest, r.name());
        if desc.size > limit {
            return Err(OciError::TooLarge { what, limit });
        }
        if let Some(bytes) = desc.embedded(&what)? {
            return Ok(bytes);
        }
        let url = format!("{}/blobs/{}", self.base_url(r), desc.digest);
        let resp = self
            .send(r, false, Method::GET, &url, HeaderMap::new(), None)
            .await?;
        let resp = self.check_status(resp, &what).await?;
        let bytes = self.read_bounded(r, resp, limit, &what).await?;
        model::verify_content(&what, &desc.digest, Some(desc.size), &bytes)?;
        Ok(bytes)
    }

    /// The referrers of `subject` in `r`'s repository: the OCI 1.1 API, or the referrers tag
    /// schema when the registry has no API (it answers `404`).
    pub async fn referrers(
        &self,
        r: &ImageRef,
        subject: &Digest,
    ) -> Result<(Index, ReferrersSource), OciError> {
        let what = format!("referrers of `{}@{subject}`", r.name());
        let url = format!("{}/referrers/{subject}", self.base_url(r));
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(OCI_INDEX));
        let resp = self
            .send(r, false, Method::GET, &url, headers, None)
            .await?;
        match self.check_status(resp, &what).await {
            Ok(resp) => {
                let bytes = self
                    .read_bounded(r, resp, self.options.max_manifest_bytes, &what)
                    .await?;
                let index: Index =
                    serde_json::from_slice(&bytes).map_err(|e| OciError::malformed(&what, e))?;
                Ok((index, ReferrersSource::Api))
            }
            // 404 is how the distribution spec says "no referrers API"; some registries
            // answer 405 for the unknown route.
            Err(OciError::NotFound { .. } | OciError::Status { status: 405, .. }) => {
                let tagged = r.with_tag(&referrers_tag(subject));
                match self.get_manifest_opt(&tagged).await? {
                    None => Ok((Index::empty(), ReferrersSource::TagSchema)),
                    Some(m) => match m.manifest {
                        AnyManifest::Index(i) => Ok((i, ReferrersSource::TagSchema)),
                        AnyManifest::Image(_) => Err(OciError::malformed(
                            format!("referrers tag `{tagged}`"),
                            "it holds an image manifest, not an index",
                        )),
                    },
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Uploads a blob unless the registry has it already; returns its descriptor.
    pub async fn push_blob(
        &self,
        r: &ImageRef,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Descriptor, OciError> {
        let desc = Descriptor::of(media_type, bytes);
        let base = self.base_url(r);
        let what = format!("blob `{}` in `{}`", desc.digest, r.name());
        let head = self
            .send(
                r,
                true,
                Method::HEAD,
                &format!("{base}/blobs/{}", desc.digest),
                HeaderMap::new(),
                None,
            )
            .await?;
        if head.status().is_success() {
            return Ok(desc);
        }
        let start = self
            .send(
                r,
                true,
                Method::POST,
                &format!("{base}/blobs/uploads/"),
                HeaderMap::new(),
                Some(Vec::new()),
            )
            .await?;
        let start = self.check_status(start, &what).await?;
        let location = start
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| OciError::malformed(&what, "upload answer has no Location"))?;
        let mut upload = start
            .url()
            .join(location)
            .map_err(|e| OciError::malformed(&what, e))?;
        upload
            .query_pairs_mut()
            .append_pair("digest", &desc.digest.to_string());
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let put = self
            .send(
                r,
                true,
                Method::PUT,
                upload.as_str(),
                headers,
                Some(bytes.to_vec()),
            )
            .await?;
        self.check_status(put, &what).await?;
        Ok(desc)
    }

    /// Uploads a manifest under `r`'s tag (or its digest when it has no tag).
    pub async fn put_manifest(
        &self,
        r: &ImageRef,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<PutManifest, OciError> {
        let digest = model::sha256(bytes);
        let reference = match r.tag() {
            Some(t) if r.digest().is_none() => t.to_owned(),
            _ => digest.to_string(),
        };
        let what = format!("manifest `{}:{reference}`", r.name());
        if bytes.len() as u64 > self.options.max_manifest_bytes {
            return Err(OciError::TooLarge {
                what,
                limit: self.options.max_manifest_bytes,
            });
        }
        let url = format!("{}/manifests/{reference}", self.base_url(r));
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, header_value(media_type)?);
        let resp = self
            .send(r, true, Method::PUT, &url, headers, Some(bytes.to_vec()))
            .await?;
        let resp = self.check_status(resp, &what).await?;
        let subject_processed = resp.headers().contains_key("oci-subject");
        Ok(PutManifest {
            digest,
            subject_processed,
        })
    }
}

fn header_value(s: &str) -> Result<HeaderValue, OciError> {
    HeaderValue::from_str(s).map_err(|_| OciError::Auth {
        registry: String::new(),
        reason: "credential contains characters not allowed in an HTTP header".to_owned(),
    })
}

/// The referrers tag schema's tag for `subject`: `sha256-<hex>`.
pub fn referrers_tag(subject: &Digest) -> String {
    format!("{}-{}", subject.algorithm(), subject.hex())
}
