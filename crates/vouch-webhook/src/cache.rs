//! Caches that keep a busy cluster's reviews off the registry.
//!
//! - Verdicts, keyed by (image name, digest, policy revision, trusted-root revision): an image
//!   is verified once per digest and policy, with separate lifetimes for admissions and
//!   denials. The name is part of the key because policies match by name: one digest pushed
//!   under two names can fall under two policies. "Could not verify" is never cached.
//! - One verification in flight per key: concurrent reviews of the same image wait for the
//!   same result instead of each asking the registry.
//! - Tag → digest, with a short lifetime: a tag is resolved once per lifetime. Caching it is
//!   safe because what is admitted is the digest (the mutating endpoint pins it), never the
//!   tag.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use vouch_core::Digest;
use vouch_verify::{CouldNotVerify, ImageVerdict};

/// Lifetimes and size of the caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSettings {
    /// How long an admission is reused.
    pub admit_ttl: Duration,
    /// How long a denial is reused (short, so a newly signed image is admitted soon).
    pub deny_ttl: Duration,
    /// How long a tag's digest is reused.
    pub tag_ttl: Duration,
    /// Entries kept per cache before expired ones are dropped (and, if still full, all).
    pub max_entries: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            admit_ttl: Duration::from_mins(5),
            deny_ttl: Duration::from_secs(30),
            tag_ttl: Duration::from_secs(30),
            max_entries: 10_000,
        }
    }
}

/// What a verdict depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerdictKey {
    pub name: String,
    pub digest: String,
    pub policy_revision: u64,
    pub root_revision: u64,
}

/// A verification's result, shared by every review that waited for it.
pub type Shared = Arc<Result<ImageVerdict, CouldNotVerify>>;

struct Timed<V> {
    value: V,
    until: Instant,
}

/// A map whose entries expire.
struct Expiring<K, V> {
    map: Mutex<HashMap<K, Timed<V>>>,
    max: usize,
}

impl<K: Eq + Hash, V: Clone> Expiring<K, V> {
    fn new(max: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            max: max.max(1),
        }
    }

    fn get(&self, key: &K) -> Option<V> {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get(key) {
            Some(t) if t.until > now => Some(t.value.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    fn insert(&self, key: K, value: V, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= self.max {
            map.retain(|_, t| t.until > now);
            if map.len() >= self.max {
                map.clear();
            }
        }
        map.insert(
            key,
            Timed {
                value,
                until: now + ttl,
            },
        );
    }

    fn clear(&self) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Where a verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The verdict cache.
    Cache,
    /// A verification another review had started.
    Joined,
    /// A verification this call ran.
    Verified,
}

/// The verdict cache, the in-flight table and the tag cache.
pub struct Caches {
    settings: CacheSettings,
    verdicts: Expiring<VerdictKey, Shared>,
    in_flight: Mutex<HashMap<VerdictKey, tokio::sync::watch::Receiver<Option<Shared>>>>,
    tags: Expiring<String, Digest>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Caches {
    pub fn new(settings: CacheSettings) -> Self {
        Self {
            settings,
            verdicts: Expiring::new(settings.max_entries),
            in_flight: Mutex::new(HashMap::new()),
            tags: Expiring::new(settings.max_entries),
        }
    }

    /// The digest a tag reference (as text, normalised) resolved to, if still fresh.
    pub fn tag(&self, reference: &str) -> Option<Digest> {
        self.tags.get(&reference.to_owned())
    }

    pub fn remember_tag(&self, reference: String, digest: Digest) {
        self.tags.insert(reference, digest, self.settings.tag_ttl);
    }

    /// Drops every verdict and tag (a reload makes them stale anyway, through the key).
    pub fn clear(&self) {
        self.verdicts.clear();
        self.tags.clear();
    }

    /// The verdict for `key`: from the cache, from a verification already in flight, or from
    /// `verify`, which then runs detached so that a review giving up (its budget ran out)
    /// does not cancel it for the others. `None` when the verification task died.
    pub async fn verdict<F>(&self, key: VerdictKey, verify: F) -> Option<(Shared, Source)>
    where
        F: Future<Output = Result<ImageVerdict, CouldNotVerify>> + Send + 'static,
    {
        if let Some(v) = self.verdicts.get(&key) {
            return Some((v, Source::Cache));
        }
        let (mut rx, source) = {
            let mut flights = self
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(rx) = flights.get(&key) {
                (rx.clone(), Source::Joined)
            } else {
                let (tx, rx) = tokio::sync::watch::channel(None);
                flights.insert(key.clone(), rx.clone());
                tokio::spawn(async move {
                    let result: Shared = Arc::new(verify.await);
                    let _ = tx.send(Some(result));
                });
                (rx, Source::Verified)
            }
        };
        let result = rx
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|v| v.clone());
        // The first waiter to see the result files it and closes the flight.
        let removed = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key)
            .is_some();
        if let (Some(r), true) = (&result, removed) {
            if let Ok(v) = r.as_ref() {
                let ttl = if v.admitted() {
                    self.settings.admit_ttl
                } else {
                    self.settings.deny_ttl
                };
                self.verdicts.insert(key, Arc::clone(r), ttl);
            }
        }
        result.map(|r| (r, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(d: &str) -> VerdictKey {
        VerdictKey {
            name: "r/app".into(),
            digest: d.into(),
            policy_revision: 0,
            root_revision: 0,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_lookups_share_one_verification_and_errors_are_not_cached() {
        let caches = Arc::new(Caches::new(CacheSettings::default()));
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let caches = Arc::clone(&caches);
            let runs = Arc::clone(&runs);
            tasks.push(tokio::spawn(async move {
                caches
                    .verdict(key("sha256:aa"), async move {
                        runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Err(CouldNotVerify::NoRescanDatabase {
                            image: "r/app".into(),
                        })
                    })
                    .await
                    .map(|(_, s)| s)
            }));
        }
        let mut sources = Vec::new();
        for t in tasks {
            sources.push(t.await.unwrap().unwrap());
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(
            sources.iter().filter(|s| **s == Source::Verified).count(),
            1
        );
        // An error is not kept: the next lookup verifies again.
        let (_, s) = caches
            .verdict(key("sha256:aa"), async {
                Err(CouldNotVerify::NoRescanDatabase {
                    image: "r/app".into(),
                })
            })
            .await
            .unwrap();
        assert_eq!(s, Source::Verified);
    }

    #[test]
    fn expired_entries_are_not_returned_and_a_full_map_makes_room() {
        let m: Expiring<u32, u32> = Expiring::new(2);
        m.insert(1, 10, Duration::from_mins(1));
        m.insert(2, 20, Duration::from_nanos(1));
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(m.get(&1), Some(10));
        assert_eq!(m.get(&2), None);
        m.insert(3, 30, Duration::from_mins(1));
        m.insert(4, 40, Duration::from_mins(1));
        assert_eq!(m.get(&4), Some(40));
        // A zero lifetime keeps nothing.
        m.insert(5, 50, Duration::ZERO);
        assert_eq!(m.get(&5), None);
    }
}
