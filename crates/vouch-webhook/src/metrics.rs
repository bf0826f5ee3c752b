//! `GET /metrics`: what an operator watches, in the OpenMetrics text format (which Prometheus
//! scrapes), encoded by the maintained `prometheus-client` crate.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `vouch_admission_reviews_total` | `endpoint`, `allowed` | AdmissionReviews answered |
//! | `vouch_admission_review_duration_seconds` | `endpoint` | time from receipt to answer |
//! | `vouch_image_decisions_total` | `result`, `code` | per-image decisions: `admitted`, `denied`, `could-not-verify`, `unmatched`, `not-pinned`; `code` is the first failure code or `none` |
//! | `vouch_registry_requests_total` | `registry` | requests sent to a registry |
//! | `vouch_registry_errors_total` | `registry` | of those, no answer or a 5xx |
//! | `vouch_cache_hits_total` / `vouch_cache_misses_total` | `cache` (`verdict`, `tag`) | cache lookups |
//! | `vouch_verifications_in_flight` | | image verifications running now |
//! | `vouch_policy_revision` | | bumped by each successful reload |

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The webhook's metrics.
pub struct Metrics {
    registry: Registry,
    reviews: Family<Labels, Counter>,
    review_seconds: Family<Labels, Histogram>,
    decisions: Family<Labels, Counter>,
    registry_requests: Family<Labels, Counter>,
    registry_errors: Family<Labels, Counter>,
    cache_hits: Family<Labels, Counter>,
    cache_misses: Family<Labels, Counter>,
    in_flight: Gauge,
    policy_revision: Gauge<u64, AtomicU64>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("vouch");
        let reviews = Family::<Labels, Counter>::default();
        registry.register(
            "admission_reviews",
            "AdmissionReviews answered, by endpoint and whether they were allowed",
            reviews.clone(),
        );
        let review_seconds = Family::<Labels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ])
        });
        registry.register(
            "admission_review_duration_seconds",
            "Time from receiving an AdmissionReview to answering it",
            review_seconds.clone(),
        );
        let decisions = Family::<Labels, Counter>::default();
        registry.register(
            "image_decisions",
            "Per-image decisions by result and first failure code",
            decisions.clone(),
        );
        let registry_requests = Family::<Labels, Counter>::default();
        registry.register(
            "registry_requests",
            "Requests sent to container registries",
            registry_requests.clone(),
        );
        let registry_errors = Family::<Labels, Counter>::default();
        registry.register(
            "registry_errors",
            "Registry requests that got no answer or a server error",
            registry_errors.clone(),
        );
        let cache_hits = Family::<Labels, Counter>::default();
        registry.register("cache_hits", "Cache lookups that hit", cache_hits.clone());
        let cache_misses = Family::<Labels, Counter>::default();
        registry.register(
            "cache_misses",
            "Cache lookups that missed",
            cache_misses.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "verifications_in_flight",
            "Image verifications running now",
            in_flight.clone(),
        );
        let policy_revision = Gauge::<u64, AtomicU64>::default();
        registry.register(
            "policy_revision",
            "The policy revision in force (bumped by each successful reload)",
            policy_revision.clone(),
        );
        Self {
            registry,
            reviews,
            review_seconds,
            decisions,
            registry_requests,
            registry_errors,
            cache_hits,
            cache_misses,
            in_flight,
            policy_revision,
        }
    }

    /// The OpenMetrics text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    pub(crate) fn review(&self, endpoint: &str, allowed: bool, seconds: f64) {
        self.reviews
            .get_or_create(&labels(&[
                ("endpoint", endpoint),
                ("allowed", if allowed { "true" } else { "false" }),
            ]))
            .inc();
        self.review_seconds
            .get_or_create(&labels(&[("endpoint", endpoint)]))
            .observe(seconds);
    }

    pub(crate) fn decision(&self, result: &str, code: &str) {
        self.decisions
            .get_or_create(&labels(&[("result", result), ("code", code)]))
            .inc();
    }

    pub(crate) fn cache(&self, cache: &str, hit: bool) {
        let family = if hit {
            &self.cache_hits
        } else {
            &self.cache_misses
        };
        family.get_or_create(&labels(&[("cache", cache)])).inc();
    }

    pub(crate) fn in_flight(&self) -> &Gauge {
        &self.in_flight
    }

    pub(crate) fn set_policy_revision(&self, revision: u64) {
        self.policy_revision.set(revision);
    }
}

impl vouch_oci::RequestObserver for Metrics {
    fn on_request(&self, registry: &str, ok: bool) {
        let l = labels(&[("registry", registry)]);
        self.registry_requests.get_or_create(&l).inc();
        if !ok {
            self.registry_errors.get_or_create(&l).inc();
        }
    }
}
