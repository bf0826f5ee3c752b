//! The Kubernetes admission webhook: a mutating and a validating endpoint.
//!
//! kube-apiserver sends an `admission.k8s.io/v1` AdmissionReview for every Pod and pod
//! template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, …) it is about to
//! store; this crate answers it. Every container, init-container and ephemeral-container image
//! of the object is verified with [`vouch_verify::verify_image`], the same function
//! `vouch verify image` calls, so the CLI and the cluster reach the same verdict.
//!
//! Admission cannot be bypassed by moving a tag: the mutating endpoint (`/mutate`) resolves
//! each tag once, verifies that digest, and answers with a JSONPatch that rewrites the image
//! to `name:tag@sha256:<digest>`, so the kubelet pulls exactly what was verified; the
//! validating endpoint (`/validate`, run after it) admits only digest-pinned references
//! (`requireDigest`, on by default) whose digest passes. An image no policy covers is decided
//! by `noMatch` without a registry request.
//!
//! The design choice is to fail closed at every step: the request is denied when any image
//! is denied *or could not be verified* (registry unreachable, timeout, malformed answer), when
//! the review itself is malformed, or when the per-request time budget (below Kubernetes'
//! 10 s webhook timeout) runs out. A denial's `status.message` names the object, each image
//! and container, the check that failed and what fixes it. `warn`-mode policies admit and
//! report their failures as AdmissionResponse `warnings`.
//!
//! [`review`] is the wire model and the image extraction; [`Webhook`] decides, with the
//! verdict and tag caches of [`cache`] and the [`metrics`]; [`audit`] applies the same
//! decisions to a cluster's workloads (`vouch verify workloads`); [`server`] is the HTTPS
//! front (rustls, hyper), with plain HTTP allowed only on a loopback address.

pub mod audit;
pub mod cache;
pub mod metrics;
pub mod review;
pub mod server;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cache::{CacheSettings, Caches, Source, VerdictKey};
use metrics::Metrics;
use review::{
    AdmissionResponse, AdmissionReview, ContainerImage, RequestError, ReviewError, Workload,
};
use vouch_core::{Digest, ImageRef};
use vouch_oci::{Registry, RegistryOptions};
use vouch_policy::PolicySet;
use vouch_verify::{CouldNotVerify, ImageVerdict, Platforms, VerifyImageOptions};

/// The default per-request budget: below Kubernetes' default `timeoutSeconds` of 10 s, so
/// the webhook answers (deny) before the API server gives up on it.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(8);

/// How much longer than the budget a review may take before the safety net denies it.
const SAFETY_MARGIN: Duration = Duration::from_millis(300);

/// What the webhook verifies with; loaded once at start.
#[derive(Debug)]
pub struct Settings {
    pub policy: PolicySet,
    /// Trusted root for keyless bundles; `None` means the embedded Sigstore public-good root.
    pub trusted_root: Option<vouch_trust::TrustedRoot>,
    /// OSV database directory for policies that re-scan the attested SBOM.
    pub db: Option<PathBuf>,
    /// Registry access. `total_timeout` is not used: the budget bounds each review.
    pub registry: RegistryOptions,
    /// Time allowed for one AdmissionReview, from receipt to answer.
    pub budget: Duration,
    /// Whether the index or each platform manifest of a multi-platform image must pass.
    pub platforms: Platforms,
    /// Verdict and tag caches.
    pub cache: CacheSettings,
}

/// Which endpoint a review came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /validate`: admit or deny. With `requireDigest` (the default) only
    /// digest-pinned references are admitted.
    Validate,
    /// `POST /mutate`: verify, and pin every tag reference to the digest that was verified
    /// (an RFC 6902 JSONPatch); deny what `/validate` would deny.
    Mutate,
}

impl Endpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validate => "validate",
            Self::Mutate => "mutate",
        }
    }
}

/// What happened to one image.
#[derive(Debug, Clone)]
pub enum ImageOutcome {
    /// Verified (or decided by `noMatch` when no policy covers it: see
    /// [`ImageVerdict::unmatched`]).
    Verified(ImageVerdict),
    /// The registry or the configuration failed; never an admission.
    CouldNotVerify {
        /// The error and its causes, on one line.
        cause: String,
        /// Whether the registry failed (else the webhook's configuration).
        registry: bool,
    },
    /// Not a valid image reference.
    BadReference(String),
    /// `requireDigest` is on and the reference names no digest (validating endpoint).
    NotPinned,
    /// The budget ran out before the verification finished.
    TimedOut,
}

impl ImageOutcome {
    /// (result, code) for metrics and logs.
    fn label(&self) -> (&'static str, String) {
        match self {
            Self::Verified(v) if v.unmatched() => (
                "unmatched",
                if v.admitted() {
                    "none"
                } else {
                    "no-matching-policy"
                }
                .to_owned(),
            ),
            Self::Verified(v) if v.admitted() => ("admitted", "none".to_owned()),
            Self::Verified(v) => (
                "denied",
                v.failures()
                    .next()
                    .map_or_else(|| "none".to_owned(), |f| code(f.code)),
            ),
            Self::CouldNotVerify { .. } => ("could-not-verify", "registry".to_owned()),
            Self::BadReference(_) => ("denied", "bad-reference".to_owned()),
            Self::NotPinned => ("not-pinned", "digest-required".to_owned()),
            Self::TimedOut => ("could-not-verify", "timeout".to_owned()),
        }
    }
}

/// One review, as the structured log records it (no secrets: images, names and codes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReviewRecord {
    pub uid: String,
    pub endpoint: &'static str,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub operation: String,
    pub images: Vec<String>,
    /// `admitted` or `denied`.
    pub result: &'static str,
    /// Failure codes (`digest-required`, `attestation-missing`, …), each once.
    pub codes: Vec<String>,
    /// Image references the mutating endpoint pinned.
    pub pinned: Vec<String>,
}

/// The answer to one HTTP request body: the HTTP status and the JSON to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub http_status: u16,
    pub body: serde_json::Value,
    /// The review's log record (absent for a body that is not a review).
    pub record: Option<ReviewRecord>,
}

/// Told about every answer (the CLI logs one line per review) and every policy reload; the
/// library never prints.
pub trait Reporter: Send + Sync {
    fn on_answer(&self, _answer: &Answer, _elapsed: Duration) {}
    /// A reload was asked for (SIGHUP): `Ok` with the number of policies now in force, or
    /// why the old policy stays.
    fn on_reload(&self, _result: Result<usize, &str>) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {}

/// The webhook: settings plus the decision logic.
#[derive(Clone)]
pub struct Webhook {
    settings: Arc<Settings>,
    /// The policy in force: `settings.policy` until the first reload. Each review takes a
    /// snapshot, so a reload never changes the rules under a review in progress.
    policy: Arc<std::sync::RwLock<(u64, Arc<PolicySet>)>>,
    /// One client for all reviews: its connections, credentials and tokens are reused
    /// (building a client costs more than a whole verification on a near registry).
    registry: Arc<Registry>,
    caches: Arc<Caches>,
    metrics: Arc<Metrics>,
    /// Bumped whenever the trusted root changes (it is part of the verdict cache key).
    root_revision: Arc<AtomicU64>,
    reporter: Arc<dyn Reporter>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// Sets up the webhook and its registry client. Each registry request is bounded by
    /// `settings.registry.timeout` (capped at the budget); the budget bounds each review.
    pub fn new(settings: Settings) -> Result<Self, vouch_oci::OciError> {
        let policy = Arc::new(std::sync::RwLock::new((
            1,
            Arc::new(settings.policy.clone()),
        )));
        let mut options = settings.registry.clone();
        options.total_timeout = None;
        options.timeout = options.timeout.min(settings.budget);
        options.connect_timeout = options.connect_timeout.min(settings.budget);
        let metrics = Arc::new(Metrics::new());
        metrics.set_policy_revision(1);
        let registry = Arc::new(
            Registry::new(options)?
                .with_observer(Arc::clone(&metrics) as Arc<dyn vouch_oci::RequestObserver>),
        );
        Ok(Self {
            caches: Arc::new(Caches::new(settings.cache)),
            settings: Arc::new(settings),
            policy,
            registry,
            metrics,
            root_revision: Arc::new(AtomicU64::new(1)),
            reporter: Arc::new(Silent),
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<PolicySet> {
        self.policy_and_revision().1
    }

    /// The policy in force and its revision (1 at start, bumped by each reload).
    pub fn policy_and_revision(&self) -> (u64, Arc<PolicySet>) {
        let guard = self
            .policy
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (guard.0, Arc::clone(&guard.1))
    }

    /// Puts `policy` in force for the reviews that start from now on, as a new revision
    /// (cached verdicts of the old one are no longer used).
    pub fn set_policy(&self, policy: PolicySet) {
        let revision = {
            let mut guard = self
                .policy
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            guard.0 += 1;
            guard.1 = Arc::new(policy);
            guard.0
        };
        self.caches.clear();
        self.metrics.set_policy_revision(revision);
    }

    /// Reloads the policy with `load` (keeping the old one when it fails) and reports it.
    pub fn reload(&self, load: &dyn Fn() -> Result<PolicySet, String>) {
        match load() {
            Ok(p) => {
                let n = p.policies.len();
                self.set_policy(p);
                self.reporter.on_reload(Ok(n));
            }
            Err(e) => self.reporter.on_reload(Err(&e)),
        }
    }

    /// Reports each answer to `reporter`.
    #[must_use]
    pub fn with_reporter(mut self, reporter: Arc<dyn Reporter>) -> Self {
        self.reporter = reporter;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The metrics (`GET /metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Whether the webhook can decide: a policy and a trusted root are loaded. `Err` says
    /// what is missing (`GET /readyz`).
    pub fn ready(&self) -> Result<String, String> {
        let (revision, policy) = self.policy_and_revision();
        if policy.policies.is_empty() {
            return Err("no policy loaded".to_owned());
        }
        let root = if self.settings.trusted_root.is_some() {
            "from file"
        } else {
            "embedded Sigstore public-good"
        };
        Ok(format!(
            "ready: policy revision {revision} ({} policies), trusted root {root}",
            policy.policies.len()
        ))
    }

    /// Answers one AdmissionReview body at `/validate`.
    pub async fn answer(&self, body: &[u8]) -> Answer {
        self.answer_at(Endpoint::Validate, body).await
    }

    /// Answers one AdmissionReview body. A body that is not an AdmissionReview with a
    /// `request` gets HTTP 400 (kube-apiserver then applies `failurePolicy: Fail`); every
    /// other problem is an `allowed: false` response with the `uid` echoed.
    pub async fn answer_at(&self, endpoint: Endpoint, body: &[u8]) -> Answer {
        let started = std::time::Instant::now();
        let answer = self.answer_inner(endpoint, body).await;
        let elapsed = started.elapsed();
        let allowed = answer.body["response"]["allowed"] == true;
        self.metrics
            .review(endpoint.as_str(), allowed, elapsed.as_secs_f64());
        self.reporter.on_answer(&answer, elapsed);
        answer
    }

    async fn answer_inner(&self, endpoint: Endpoint, body: &[u8]) -> Answer {
        let review = match AdmissionReview::parse(body) {
            Ok(r) => r,
            Err(e) => return bad_request(&e),
        };
        let uid = review.request.uid.clone().unwrap_or_default();
        // `verify_all` ends at the budget and names the images it could not finish; this outer
        // limit is only a safety net, a little later.
        let limit = self.settings.budget + SAFETY_MARGIN;
        let decided = match tokio::time::timeout(limit, self.decide_at(endpoint, &review)).await
        {
            Ok(d) => d,
            Err(_) => Decided {
                response: AdmissionResponse::deny(
                    &uid,
                    504,
                    format!(
                        "vouch: {}: could not verify the images within the {} ms budget; the request is denied until they can be verified (check that the registry answers quickly from the webhook)",
                        describe(&review),
                        limit.as_millis()
                    ),
                ),
                images: Vec::new(),
                codes: vec!["timeout".to_owned()],
                pinned: Vec::new(),
            },
        };
        let r = &review.request;
        let record = ReviewRecord {
            uid,
            endpoint: endpoint.as_str(),
            namespace: r.namespace.clone().unwrap_or_default(),
            kind: r.kind.as_ref().map(|k| k.kind.clone()).unwrap_or_default(),
            name: r.name.clone().unwrap_or_default(),
            operation: r.operation.clone().unwrap_or_default(),
            images: decided.images,
            result: if decided.response.allowed {
                "admitted"
            } else {
                "denied"
            },
            codes: decided.codes,
            pinned: decided.pinned,
        };
        Answer {
            http_status: 200,
            body: decided.response.into_review(&review.api_version),
            record: Some(record),
        }
    }

    /// The validating decision on a parsed review.
    pub async fn decide(&self, review: &AdmissionReview) -> AdmissionResponse {
        self.decide_at(Endpoint::Validate, review).await.response
    }

    async fn decide_at(&self, endpoint: Endpoint, review: &AdmissionReview) -> Decided {
        let uid = review.request.uid.clone().unwrap_or_default();
        let what = describe(review);
        let nothing = |response: AdmissionResponse, codes: Vec<String>| Decided {
            response,
            images: Vec::new(),
            codes,
            pinned: Vec::new(),
        };
        let images = match review::workload(&review.request) {
            Ok(Workload::Images(images)) => images,
            Ok(Workload::Nothing(why)) => {
                return nothing(
                    AdmissionResponse::allow(&uid, Some(format!("vouch: {why}")), Vec::new()),
                    Vec::new(),
                )
            }
            Err(e) => return nothing(malformed(&uid, &what, &e), vec!["malformed".to_owned()]),
        };
        if images.is_empty() {
            return nothing(
                AdmissionResponse::deny(
                    &uid,
                    400,
                    format!("vouch: {what}: the pod spec lists no container"),
                ),
                vec!["malformed".to_owned()],
            );
        }
        let (_, policy) = self.policy_and_revision();
        let namespace = review.request.namespace.as_deref();
        if !policy.namespaces.checks(namespace) {
            return nothing(
                AdmissionResponse::allow(
                    &uid,
                    Some(format!(
                        "vouch: {what}: namespace `{}` is not checked (`namespaces` in `{}`)",
                        namespace.unwrap_or_default(),
                        policy.file
                    )),
                    Vec::new(),
                ),
                Vec::new(),
            );
        }
        let outcomes = self.verify_all_at(endpoint, &images).await;
        respond_at(endpoint, &uid, &what, &images, &outcomes)
    }

    /// Verifies each distinct image once, concurrently, within the budget (as `/validate`).
    pub async fn verify_all(&self, images: &[ContainerImage]) -> BTreeMap<String, ImageOutcome> {
        self.verify_all_at(Endpoint::Validate, images).await
    }

    /// Decides each distinct image reference (verbatim text) once, concurrently, within the
    /// budget.
    pub async fn verify_all_at(
        &self,
        endpoint: Endpoint,
        images: &[ContainerImage],
    ) -> BTreeMap<String, ImageOutcome> {
        let texts: Vec<&str> = images.iter().map(|i| i.image.as_str()).collect();
        self.decide_images(endpoint, &texts).await
    }

    /// Decides image references (as written in a pod spec), each once, concurrently, within
    /// the budget: what the endpoints and `vouch verify workloads` share.
    pub async fn decide_images(
        &self,
        endpoint: Endpoint,
        texts: &[&str],
    ) -> BTreeMap<String, ImageOutcome> {
        let (policy_revision, policy) = self.policy_and_revision();
        let now = time::OffsetDateTime::now_utc();
        let mut outcomes = BTreeMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        for text in texts {
            if outcomes.contains_key(*text) {
                continue;
            }
            let reference = match text.parse::<ImageRef>() {
                Ok(r) => r,
                Err(e) => {
                    outcomes.insert(
                        (*text).to_owned(),
                        ImageOutcome::BadReference(e.to_string()),
                    );
                    continue;
                }
            };
            let name = reference.name();
            let digest = reference.digest().map(ToString::to_string);
            // No policy covers it: `noMatch` decides, without a registry request.
            if let Some(verdict) = vouch_policy::unmatched(&policy, &name, digest.as_deref(), now) {
                outcomes.insert(
                    (*text).to_owned(),
                    ImageOutcome::Verified(ImageVerdict {
                        reference,
                        verdicts: vec![verdict],
                    }),
                );
                continue;
            }
            if digest.is_none() && endpoint == Endpoint::Validate && policy.require_digest {
                outcomes.insert((*text).to_owned(), ImageOutcome::NotPinned);
                continue;
            }
            outcomes.insert((*text).to_owned(), ImageOutcome::TimedOut);
            let this = self.clone();
            let policy = Arc::clone(&policy);
            let text = (*text).to_owned();
            tasks.spawn(async move {
                let outcome =
                    Box::pin(this.decide_one(reference, name, policy, policy_revision, now)).await;
                (text, outcome)
            });
        }
        let deadline = tokio::time::Instant::now() + self.settings.budget;
        while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, tasks.join_next()).await {
            if let Ok((text, outcome)) = joined {
                outcomes.insert(text, outcome);
            }
        }
        // Whatever has not finished stays `TimedOut`; dropping the set aborts it (a shared
        // verification goes on detached and fills the cache for the next review).
        for outcome in outcomes.values() {
            let (result, code) = outcome.label();
            self.metrics.decision(result, &code);
        }
        outcomes
    }

    /// One covered image: resolve its tag (tag cache), then verify the digest (verdict cache,
    /// one verification in flight per digest).
    async fn decide_one(
        &self,
        reference: ImageRef,
        name: String,
        policy: Arc<PolicySet>,
        policy_revision: u64,
        now: time::OffsetDateTime,
    ) -> ImageOutcome {
        let pinned = if reference.digest().is_some() {
            reference
        } else {
            let key = reference.to_string();
            if let Some(d) = self.caches.tag(&key) {
                self.metrics.cache("tag", true);
                reference.with_digest(d)
            } else {
                self.metrics.cache("tag", false);
                match self.registry.resolve(&reference).await {
                    Ok(resolved) => {
                        self.caches.remember_tag(key, resolved.digest.clone());
                        reference.with_digest(resolved.digest)
                    }
                    Err(source) => {
                        return could_not(&CouldNotVerify::Registry {
                            reference: reference.to_string(),
                            source,
                        })
                    }
                }
            }
        };
        let digest: &Digest = pinned.digest().expect("pinned above");
        let key = VerdictKey {
            name,
            digest: digest.to_string(),
            policy_revision,
            root_revision: self.root_revision.load(Ordering::Relaxed),
        };
        let this = self.clone();
        let verify = async move {
            let in_flight = this.metrics.in_flight().clone();
            in_flight.inc();
            let options = VerifyImageOptions {
                policy: &policy,
                registry: &this.registry,
                trusted_root: this.settings.trusted_root.as_ref(),
                rescan_db: this.settings.db.as_deref(),
                now,
                platforms: this.settings.platforms,
            };
            let result = vouch_verify::verify_image(&pinned, &options).await;
            in_flight.dec();
            result
        };
        match Box::pin(self.caches.verdict(key, Box::pin(verify))).await {
            Some((shared, source)) => {
                self.metrics.cache("verdict", source == Source::Cache);
                match shared.as_ref() {
                    Ok(v) => ImageOutcome::Verified(v.clone()),
                    Err(e) => could_not(e),
                }
            }
            None => ImageOutcome::TimedOut,
        }
    }
}

fn could_not(e: &CouldNotVerify) -> ImageOutcome {
    match e {
        CouldNotVerify::Registry { source, .. } => ImageOutcome::CouldNotVerify {
            cause: chain(source),
            registry: true,
        },
        other => ImageOutcome::CouldNotVerify {
            cause: chain(other),
            registry: false,
        },
    }
}

/// A decision with what the log records of it.
#[derive(Debug)]
struct Decided {
    response: AdmissionResponse,
    images: Vec<String>,
    codes: Vec<String>,
    pinned: Vec<String>,
}

/// `Deployment default/app` (or what the request says of it).
fn describe(review: &AdmissionReview) -> String {
    let r = &review.request;
    let kind = r
        .kind
        .as_ref()
        .map(|k| k.kind.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "object".to_owned());
    let name = r
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| {
            let meta = r.object.as_ref()?.get("metadata")?;
            meta.get("name")
                .or_else(|| meta.get("generateName"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    match (
        r.namespace.as_deref().filter(|n| !n.is_empty()),
        name.is_empty(),
    ) {
        (Some(ns), false) => format!("{kind} {ns}/{name}"),
        (None, false) => format!("{kind} {name}"),
        (Some(ns), true) => format!("{kind} in {ns}"),
        (None, true) => kind,
    }
}

fn bad_request(e: &ReviewError) -> Answer {
    Answer {
        http_status: 400,
        body: serde_json::json!({
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "code": 400,
            "reason": "BadRequest",
            "message": format!("vouch: {e}"),
        }),
        record: None,
    }
}

fn malformed(uid: &str, what: &str, e: &RequestError) -> AdmissionResponse {
    AdmissionResponse::deny(
        uid,
        400,
        format!("vouch: {what}: the admission request cannot be checked, so it is denied: {e}"),
    )
}

/// The error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let _ = write!(s, ": {c}");
        cur = c.source();
    }
    s
}

fn containers_of<'a>(images: &'a [ContainerImage], image: &str) -> String {
    let names: Vec<String> = images
        .iter()
        .filter(|i| i.image == image)
        .map(|i: &'a ContainerImage| {
            if i.container.is_empty() {
                format!("{} at {}", i.list.noun(), i.path)
            } else {
                format!("{} `{}`", i.list.noun(), i.container)
            }
        })
        .collect();
    names.join(", ")
}

/// One failed check as a message part: `[policy] code: message (fix: …)`.
pub(crate) fn failure_text(f: &vouch_policy::Failure) -> String {
    format!(
        "{}{}: {} (fix: {})",
        f.policy
            .as_deref()
            .map(|p| format!("[{p}] "))
            .unwrap_or_default(),
        code(f.code),
        f.message,
        f.fix
    )
}

/// Builds the validating response: denied if any image is denied or could not be verified.
pub fn respond(
    uid: &str,
    what: &str,
    images: &[ContainerImage],
    outcomes: &BTreeMap<String, ImageOutcome>,
) -> AdmissionResponse {
    respond_at(Endpoint::Validate, uid, what, images, outcomes).response
}

/// Builds the response: denied if any image is denied, not pinned (validating endpoint with
/// `requireDigest`) or could not be verified; at the mutating endpoint an admitted response
/// carries a JSONPatch pinning every verified tag reference to its digest.
fn respond_at(
    endpoint: Endpoint,
    uid: &str,
    what: &str,
    images: &[ContainerImage],
    outcomes: &BTreeMap<String, ImageOutcome>,
) -> Decided {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut admitted = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut patch = Vec::new();
    let mut pinned = Vec::new();
    // The distinct images, in the order the pod spec lists them.
    let mut texts: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for image in images {
        let first = seen.insert(image.image.as_str());
        let outcome = outcomes.get(&image.image);
        if let Some(ImageOutcome::Verified(v)) = outcome {
            // Pin every container that names the image by tag, not only the first.
            if endpoint == Endpoint::Mutate && v.admitted() && !v.unmatched() {
                if let (None, Some(d)) = (
                    image
                        .image
                        .parse::<ImageRef>()
                        .ok()
                        .and_then(|r| r.digest().cloned()),
                    v.reference.digest(),
                ) {
                    let value = format!("{}@{d}", image.image);
                    patch.push(serde_json::json!({
                        "op": "replace",
                        "path": image.pointer,
                        "value": value,
                    }));
                    if first {
                        pinned.push(value);
                    }
                }
            }
        }
        if !first {
            continue;
        }
        texts.push(image.image.clone());
        let who = format!(
            "image `{}` ({})",
            image.image,
            containers_of(images, &image.image)
        );
        if let Some(o) = outcome {
            let (_, c) = o.label();
            if c != "none" && !codes.contains(&c) {
                codes.push(c);
            }
        }
        match outcome {
            Some(ImageOutcome::Verified(v)) => {
                for w in v.warnings() {
                    warnings.push(format!("{who}: {}", failure_text(w)));
                }
                if v.admitted() {
                    if v.unmatched() {
                        admitted.push(format!("`{}` (no policy applies)", image.image));
                    } else {
                        admitted.push(format!("`{}` as {}", image.image, v.reference));
                    }
                    continue;
                }
                let failures: Vec<String> = v.failures().map(failure_text).collect();
                if v.unmatched() {
                    problems.push(format!("{who} is denied: {}", failures.join("; ")));
                } else {
                    problems.push(format!(
                        "{who} is denied for {}: {}",
                        v.reference,
                        failures.join("; ")
                    ));
                }
            }
            Some(ImageOutcome::CouldNotVerify { cause, registry }) => {
                let hint = if *registry {
                    "check that the registry is reachable from the webhook"
                } else {
                    "fix the webhook's configuration"
                };
                problems.push(format!(
                    "could not verify {who}: {cause} (the image is denied until it can be verified; {hint})"
                ));
            }
            Some(ImageOutcome::BadReference(e)) => problems.push(format!(
                "{who} is not a valid image reference: {e}"
            )),
            Some(ImageOutcome::NotPinned) => problems.push(format!(
                "{who} is not pinned to a digest: digest-required: the policy admits only `name:tag@sha256:…` references, so that the image that runs is the one verified (fix: install vouch's mutating webhook, which pins verified tags, or deploy the reference `vouch verify image` prints)"
            )),
            Some(ImageOutcome::TimedOut) | None => problems.push(format!(
                "could not verify {who} within the time budget (the image is denied until it can be verified; check the registry's latency from the webhook)"
            )),
        }
    }
    if problems.is_empty() {
        let response = AdmissionResponse::allow(
            uid,
            Some(format!("vouch: {what}: admitted {}", admitted.join(", "))),
            warnings,
        )
        .with_patch(&serde_json::Value::Array(patch));
        Decided {
            response,
            images: texts,
            codes,
            pinned,
        }
    } else {
        let mut r =
            AdmissionResponse::deny(uid, 403, format!("vouch: {what}: {}", problems.join(" | ")));
        r.warnings = warnings;
        Decided {
            response: r,
            images: texts,
            codes,
            pinned: Vec::new(),
        }
    }
}

pub(crate) fn code(c: vouch_policy::Code) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
