//! The Kubernetes validating admission webhook.
//!
//! kube-apiserver sends an `admission.k8s.io/v1` AdmissionReview for every Pod and pod
//! template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, …) it is about to
//! store; this crate answers it. Every container, init-container and ephemeral-container image
//! of the object is verified with [`vouch_verify::verify_image`], the same function
//! `vouch verify image` calls, so the CLI and the cluster reach the same verdict.
//!
//! The design choice is to fail closed at every step: the request is denied when any image
//! is denied *or could not be verified* (registry unreachable, timeout, malformed answer), when
//! the review itself is malformed, or when the per-request time budget (below Kubernetes'
//! 10 s webhook timeout) runs out. A denial's `status.message` names the object, each image
//! and container, the check that failed and what fixes it. `warn`-mode policies admit and
//! report their failures as AdmissionResponse `warnings`.
//!
//! [`review`] is the wire model and the image extraction; [`Webhook`] decides; [`server`] is
//! the HTTPS front (rustls, hyper), with plain HTTP allowed only on a loopback address.

pub mod review;
pub mod server;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use review::{
    AdmissionResponse, AdmissionReview, ContainerImage, RequestError, ReviewError, Workload,
};
use vouch_core::ImageRef;
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
}

/// What happened to one image.
#[derive(Debug)]
pub enum ImageOutcome {
    Verified(ImageVerdict),
    CouldNotVerify(CouldNotVerify),
    /// Not a valid image reference.
    BadReference(String),
    /// The budget ran out before the verification finished.
    TimedOut,
}

/// The answer to one HTTP request body: the HTTP status and the JSON to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub http_status: u16,
    pub body: serde_json::Value,
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
    policy: Arc<std::sync::RwLock<Arc<PolicySet>>>,
    /// One client for all reviews: its connections, credentials and tokens are reused
    /// (building a client costs more than a whole verification on a near registry).
    registry: Arc<Registry>,
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
        let policy = Arc::new(std::sync::RwLock::new(Arc::new(settings.policy.clone())));
        let mut options = settings.registry.clone();
        options.total_timeout = None;
        options.timeout = options.timeout.min(settings.budget);
        options.connect_timeout = options.connect_timeout.min(settings.budget);
        let registry = Arc::new(Registry::new(options)?);
        Ok(Self {
            settings: Arc::new(settings),
            policy,
            registry,
            reporter: Arc::new(Silent),
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<PolicySet> {
        Arc::clone(
            &self
                .policy
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Puts `policy` in force for the reviews that start from now on.
    pub fn set_policy(&self, policy: PolicySet) {
        *self
            .policy
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(policy);
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
    pub fn with_reporter(mut self, reporter: Arc<dyn Reporter>) -> Self {
        self.reporter = reporter;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Answers one AdmissionReview body. A body that is not an AdmissionReview with a
    /// `request` gets HTTP 400 (kube-apiserver then applies `failurePolicy: Fail`); every
    /// other problem is an `allowed: false` response with the `uid` echoed.
    pub async fn answer(&self, body: &[u8]) -> Answer {
        let started = std::time::Instant::now();
        let answer = self.answer_inner(body).await;
        self.reporter.on_answer(&answer, started.elapsed());
        answer
    }

    async fn answer_inner(&self, body: &[u8]) -> Answer {
        let review = match AdmissionReview::parse(body) {
            Ok(r) => r,
            Err(e) => return bad_request(&e),
        };
        let uid = review.request.uid.clone().unwrap_or_default();
        // `verify_all` ends at the budget and names the images it could not finish; this outer
        // limit is only a safety net, a little later.
        let limit = self.settings.budget + SAFETY_MARGIN;
        let response = match tokio::time::timeout(limit, self.decide(&review)).await
        {
            Ok(r) => r,
            Err(_) => AdmissionResponse::deny(
                &uid,
                504,
                format!(
                    "vouch: {}: could not verify the images within the {} ms budget; the request is denied until they can be verified (check that the registry answers quickly from the webhook)",
                    describe(&review),
                    limit.as_millis()
                ),
            ),
        };
        Answer {
            http_status: 200,
            body: response.into_review(&review.api_version),
        }
    }

    /// The decision on a parsed review.
    pub async fn decide(&self, review: &AdmissionReview) -> AdmissionResponse {
        let uid = review.request.uid.clone().unwrap_or_default();
        let what = describe(review);
        let images = match review::workload(&review.request) {
            Ok(Workload::Images(images)) => images,
            Ok(Workload::Nothing(why)) => {
                return AdmissionResponse::allow(&uid, Some(format!("vouch: {why}")), Vec::new())
            }
            Err(e) => return malformed(&uid, &what, &e),
        };
        if images.is_empty() {
            return AdmissionResponse::deny(
                &uid,
                400,
                format!("vouch: {what}: the pod spec lists no container"),
            );
        }
        let outcomes = self.verify_all(&images).await;
        respond(&uid, &what, &images, &outcomes)
    }

    /// Verifies each distinct image once, concurrently, within the budget.
    pub async fn verify_all(&self, images: &[ContainerImage]) -> BTreeMap<String, ImageOutcome> {
        let settings = &self.settings;
        let policy = self.policy();
        let registry = &self.registry;
        let mut outcomes = BTreeMap::new();
        let now = time::OffsetDateTime::now_utc();
        let mut tasks = tokio::task::JoinSet::new();
        for image in images {
            if outcomes.contains_key(&image.image) {
                continue;
            }
            let reference = match image.image.parse::<ImageRef>() {
                Ok(r) => r,
                Err(e) => {
                    outcomes.insert(
                        image.image.clone(),
                        ImageOutcome::BadReference(e.to_string()),
                    );
                    continue;
                }
            };
            outcomes.insert(image.image.clone(), ImageOutcome::TimedOut);
            let settings = Arc::clone(settings);
            let policy = Arc::clone(&policy);
            let registry = Arc::clone(registry);
            let text = image.image.clone();
            tasks.spawn(async move {
                let options = VerifyImageOptions {
                    policy: &policy,
                    registry: &registry,
                    trusted_root: settings.trusted_root.as_ref(),
                    rescan_db: settings.db.as_deref(),
                    now,
                    platforms: settings.platforms,
                };
                let outcome = match vouch_verify::verify_image(&reference, &options).await {
                    Ok(v) => ImageOutcome::Verified(v),
                    Err(e) => ImageOutcome::CouldNotVerify(e),
                };
                (text, outcome)
            });
        }
        let deadline = tokio::time::Instant::now() + settings.budget;
        while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, tasks.join_next()).await {
            if let Ok((text, outcome)) = joined {
                outcomes.insert(text, outcome);
            }
        }
        // Whatever has not finished stays `TimedOut`; dropping the set aborts it.
        outcomes
    }
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

/// Builds the response: denied if any image is denied or could not be verified.
pub fn respond(
    uid: &str,
    what: &str,
    images: &[ContainerImage],
    outcomes: &BTreeMap<String, ImageOutcome>,
) -> AdmissionResponse {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut admitted = Vec::new();
    // In the order the pod spec lists them.
    let mut seen = std::collections::BTreeSet::new();
    for image in images {
        if !seen.insert(image.image.as_str()) {
            continue;
        }
        let who = format!(
            "image `{}` ({})",
            image.image,
            containers_of(images, &image.image)
        );
        match outcomes.get(&image.image) {
            Some(ImageOutcome::Verified(v)) => {
                for w in v.warnings() {
                    warnings.push(format!(
                        "{who}: {}{}: {} (fix: {})",
                        w.policy
                            .as_deref()
                            .map(|p| format!("[{p}] "))
                            .unwrap_or_default(),
                        code(w.code),
                        w.message,
                        w.fix
                    ));
                }
                if v.admitted() {
                    admitted.push(format!("`{}` as {}", image.image, v.reference));
                    continue;
                }
                let failures: Vec<String> = v
                    .failures()
                    .map(|f| {
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
                    })
                    .collect();
                problems.push(format!(
                    "{who} is denied for {}: {}",
                    v.reference,
                    failures.join("; ")
                ));
            }
            Some(ImageOutcome::CouldNotVerify(e)) => {
                let (cause, hint) = match e {
                    CouldNotVerify::Registry { source, .. } => (
                        chain(source),
                        "check that the registry is reachable from the webhook",
                    ),
                    other => (chain(other), "fix the webhook's configuration"),
                };
                problems.push(format!(
                    "could not verify {who}: {cause} (the image is denied until it can be verified; {hint})"
                ));
            }
            Some(ImageOutcome::BadReference(e)) => problems.push(format!(
                "{who} is not a valid image reference: {e}"
            )),
            Some(ImageOutcome::TimedOut) | None => problems.push(format!(
                "could not verify {who} within the time budget (the image is denied until it can be verified; check the registry's latency from the webhook)"
            )),
        }
    }
    if problems.is_empty() {
        AdmissionResponse::allow(
            uid,
            Some(format!("vouch: {what}: admitted {}", admitted.join(", "))),
            warnings,
        )
    } else {
        let mut r =
            AdmissionResponse::deny(uid, 403, format!("vouch: {what}: {}", problems.join(" | ")));
        r.warnings = warnings;
        r
    }
}

fn code(c: vouch_policy::Code) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
