//! The OSV API client (online mode) and the export downloader behind `vouch db update`.
//!
//! # Batching strategy
//!
//! Packages are sent to `POST /v1/querybatch` in chunks of at most 1000 queries (the API's
//! limit). A result that carries a `next_page_token` is re-queried on its own with that
//! token until the API stops paginating. The batch answers only ids and `modified` times;
//! every distinct id is then hydrated with `GET /v1/vulns/{id}`, a bounded number at a time,
//! and kept in an in-memory cache (and an optional on-disk cache) keyed by id and reused
//! while its `modified` time is unchanged. Records are evaluated locally afterwards exactly
//! like offline ones, so online and offline scans of the same data agree.
//!
//! Requests that fail with 429 or 5xx (or a connection error) are retried with exponential
//! backoff, honouring `Retry-After`; when retries run out the scan fails with
//! [`ApiError::Partial`] rather than reporting the packages it could not check as clean.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::api_contract::{ApiError, BATCH_LIMIT};
use crate::db::{Builder, Database, DbError, ImportReporter, ImportSummary};
use crate::record::Record;
use crate::scan::{DataSource, Query, RecordSource, ScanReporter, SourceError};

/// osv.dev's API.
pub const DEFAULT_API_URL: &str = "https://api.osv.dev";
/// osv.dev's public export bucket.
pub const DEFAULT_EXPORT_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// Ecosystems `vouch db update` fetches into a new database.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "crates.io",
    "npm",
    "PyPI",
    "Go",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
];
/// Above this many changed records an update downloads `all.zip` instead of each record.
pub const INCREMENTAL_LIMIT: usize = 2000;

#[derive(Serialize)]
struct QPackage<'a> {
    name: &'a str,
    ecosystem: &'a str,
}

#[derive(Serialize)]
struct QOne<'a> {
    package: QPackage<'a>,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<&'a str>,
}

#[derive(Serialize)]
struct QBatch<'a> {
    queries: Vec<QOne<'a>>,
}

#[derive(Deserialize)]
struct RBatch {
    #[serde(default)]
    results: Vec<RResult>,
}

#[derive(Deserialize, Default)]
struct RResult {
    #[serde(default)]
    vulns: Vec<RVuln>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize, Clone)]
struct RVuln {
    id: String,
    #[serde(default)]
    modified: Option<String>,
}

fn runtime() -> Result<tokio::runtime::Runtime, ApiError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::Client(e.to_string()))
}

fn http_client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .user_agent(concat!("vouch/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_mins(1))
        .build()
        .map_err(|e| ApiError::Client(e.to_string()))
}

/// Retry policy.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub base_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 4,
            base_delay: Duration::from_millis(250),
        }
    }
}

/// One HTTP exchange with retries. `Ok(None)` = 404.
async fn fetch(
    client: &reqwest::Client,
    retry: Retry,
    url: &str,
    body: Option<Vec<u8>>,
) -> Result<Option<Vec<u8>>, ApiError> {
    let mut attempt = 0;
    loop {
        let req = match &body {
            Some(b) => client
                .post(url)
                .header("content-type", "application/json")
                .body(b.clone()),
            None => client.get(url),
        };
        let (retryable, message, wait) = match req.send().await {
            Ok(resp) => {
                let status = resp.status();
                if status.is_success() {
                    match resp.bytes().await {
                        Ok(b) => return Ok(Some(b.to_vec())),
                        Err(e) => (true, format!("reading the body: {e}"), None),
                    }
                } else if status.as_u16() == 404 {
                    return Ok(None);
                } else {
                    let wait = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(10)));
                    let retryable = status.as_u16() == 429 || status.is_server_error();
                    (retryable, format!("HTTP {status}"), wait)
                }
            }
            Err(e) => (true, e.to_string(), None),
        };
        attempt += 1;
        if !retryable || attempt > retry.attempts {
            return Err(ApiError::Http {
                url: url.to_owned(),
                message,
            });
        }
        let backoff = retry.base_delay * 2u32.saturating_pow(attempt - 1);
        tokio::time::sleep(wait.unwrap_or(backoff)).await;
    }
}

/// The OSV API as a [`RecordSource`].
pub struct OsvClient {
    base: String,
    client: reqwest::Client,
    retry: Retry,
    concurrency: usize,
    cache_dir: Option<PathBuf>,
    cache: Mutex<HashMap<String, Arc<Record>>>,
}

impl std::fmt::Debug for OsvClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OsvClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl OsvClient {
    /// A client for the API at `base` (`https://api.osv.dev`).
    pub fn new(base: &str) -> Result<Self, ApiError> {
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            client: http_client()?,
            retry: Retry::default(),
            concurrency: 8,
            cache_dir: None,
            cache: Mutex::new(HashMap::new()),
        })
    }

    #[must_use]
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// At most `n` record downloads at a time.
    #[must_use]
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Keeps hydrated records in `dir`, reused while their `modified` time is unchanged.
    #[must_use]
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Self {
        self.cache_dir = Some(dir);
        self
    }

    async fn query_all(
        &self,
        queries: &[Query],
        reporter: &dyn ScanReporter,
    ) -> Result<Vec<Vec<RVuln>>, ApiError> {
        let url = format!("{}/v1/querybatch", self.base);
        let mut out: Vec<Vec<RVuln>> = vec![Vec::new(); queries.len()];
        // (query index, page token)
        let mut pending: Vec<(usize, Option<String>)> =
            (0..queries.len()).map(|i| (i, None)).collect();
        let (mut failed, mut total, mut last_err) = (0, 0, String::new());
        while !pending.is_empty() {
            let mut next = Vec::new();
            for chunk in pending.chunks(BATCH_LIMIT) {
                total += 1;
                let body = QBatch {
                    queries: chunk
                        .iter()
                        .map(|(i, tok)| QOne {
                            package: QPackage {
                                name: &queries[*i].name,
                                ecosystem: &queries[*i].ecosystem,
                            },
                            version: &queries[*i].version,
                            page_token: tok.as_deref(),
                        })
                        .collect(),
                };
                let bytes =
                    serde_json::to_vec(&body).map_err(|e| ApiError::Client(e.to_string()))?;
                let resp = match fetch(&self.client, self.retry, &url, Some(bytes)).await {
                    Ok(Some(b)) => b,
                    Ok(None) => {
                        failed += 1;
                        last_err = format!("`{url}` answered 404");
                        continue;
                    }
                    Err(e) => {
                        failed += 1;
                        last_err = e.to_string();
                        continue;
                    }
                };
                let parsed: RBatch =
                    serde_json::from_slice(&resp).map_err(|e| ApiError::Shape {
                        url: url.clone(),
                        message: e.to_string(),
                    })?;
                if parsed.results.len() != chunk.len() {
                    return Err(ApiError::Shape {
                        url,
                        message: format!(
                            "{} results for {} queries",
                            parsed.results.len(),
                            chunk.len()
                        ),
                    });
                }
                for ((i, tok), r) in chunk.iter().zip(parsed.results) {
                    out[*i].extend(r.vulns);
                    match r.next_page_token {
                        Some(t) if Some(&t) != tok.as_ref() && !t.is_empty() => {
                            next.push((*i, Some(t)));
                        }
                        _ => reporter.on_queried(1),
                    }
                }
            }
            pending = next;
        }
        if failed > 0 {
            return Err(ApiError::Partial {
                failed,
                total,
                message: last_err,
            });
        }
        Ok(out)
    }

    fn cached(&self, id: &str, modified: Option<&str>) -> Option<Arc<Record>> {
        let fresh = |r: &Record| modified.is_none_or(|m| r.modified == m);
        if let Some(r) = self.cache.lock().expect("cache").get(id) {
            if fresh(r) {
                return Some(r.clone());
            }
        }
        let dir = self.cache_dir.as_ref()?;
        let bytes = std::fs::read(dir.join(format!("{}.json", safe_name(id)))).ok()?;
        let r: Record = serde_json::from_slice(&bytes).ok()?;
        fresh(&r).then(|| Arc::new(r))
    }

    async fn hydrate(
        &self,
        wanted: Vec<RVuln>,
        reporter: &dyn ScanReporter,
    ) -> Result<HashMap<String, Arc<Record>>, ApiError> {
        let mut have = HashMap::new();
        let mut missing = Vec::new();
        for v in wanted {
            match self.cached(&v.id, v.modified.as_deref()) {
                Some(r) => {
                    have.insert(v.id.clone(), r);
                }
                None => missing.push(v.id),
            }
        }
        reporter.on_hydrate_start(missing.len());
        let mut set = tokio::task::JoinSet::new();
        let mut iter = missing.into_iter();
        let (mut failed, mut last_err, mut total) = (0usize, String::new(), 0usize);
        loop {
            while set.len() < self.concurrency {
                let Some(id) = iter.next() else { break };
                total += 1;
                let client = self.client.clone();
                let retry = self.retry;
                let url = format!("{}/v1/vulns/{}", self.base, id);
                set.spawn(async move {
                    let r = fetch(&client, retry, &url, None).await;
                    (id, url, r)
                });
            }
            let Some(joined) = set.join_next().await else {
                break;
            };
            let (id, url, r) = joined.map_err(|e| ApiError::Client(e.to_string()))?;
            reporter.on_hydrated(1);
            match r {
                Ok(Some(bytes)) => {
                    let rec = Record::from_json(&url, &bytes)?;
                    if let Some(dir) = &self.cache_dir {
                        let _ = std::fs::create_dir_all(dir);
                        let _ =
                            std::fs::write(dir.join(format!("{}.json", safe_name(&id))), &bytes);
                    }
                    let rec = Arc::new(rec);
                    self.cache
                        .lock()
                        .expect("cache")
                        .insert(id.clone(), rec.clone());
                    have.insert(id, rec);
                }
                Ok(None) => {
                    failed += 1;
                    last_err = format!("`{url}` answered 404");
                }
                Err(e) => {
                    failed += 1;
                    last_err = e.to_string();
                }
            }
        }
        if failed > 0 {
            return Err(ApiError::Partial {
                failed,
                total,
                message: last_err,
            });
        }
        Ok(have)
    }
}

fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl RecordSource for OsvClient {
    fn data_source(&self) -> DataSource {
        DataSource {
            mode: "online".to_owned(),
            source: vec![self.base.clone()],
            snapshot: None,
            built: None,
        }
    }

    fn covers(&self, _ecosystem: &str) -> bool {
        true
    }

    fn candidates(
        &self,
        queries: &[Query],
        reporter: &dyn ScanReporter,
    ) -> Result<Vec<Vec<Arc<Record>>>, SourceError> {
        let rt = runtime()?;
        let result = rt.block_on(async {
            let ids = self.query_all(queries, reporter).await?;
            let mut wanted: BTreeMap<String, RVuln> = BTreeMap::new();
            for v in ids.iter().flatten() {
                wanted.entry(v.id.clone()).or_insert_with(|| v.clone());
            }
            let recs = self
                .hydrate(wanted.into_values().collect(), reporter)
                .await?;
            Ok::<_, ApiError>(
                ids.into_iter()
                    .map(|vs| vs.iter().filter_map(|v| recs.get(&v.id).cloned()).collect())
                    .collect(),
            )
        })?;
        Ok(result)
    }
}

/// Downloads osv.dev-style exports from `base` into the database at `dest`, atomically.
///
/// An ecosystem already in the database is refreshed incrementally when the bucket has a
/// `<Ecosystem>/modified_id.csv` and fewer than [`INCREMENTAL_LIMIT`] records changed since
/// the database's newest `modified` time; otherwise its `all.zip` is downloaded. Ecosystems
/// in the database that were not asked for are carried over unchanged.
pub fn update_database(
    dest: &Path,
    base: &str,
    ecosystems: &[String],
    built: &str,
    reporter: &dyn ImportReporter,
) -> Result<ImportSummary, ApiError> {
    let base = base.trim_end_matches('/');
    let old = Database::open(dest).ok();
    let wanted: Vec<String> = if !ecosystems.is_empty() {
        for e in ecosystems {
            if crate::db::known_ecosystem(e).is_none() {
                return Err(DbError::UnknownEcosystem {
                    path: PathBuf::from(base),
                    ecosystem: e.clone(),
                }
                .into());
            }
        }
        ecosystems.to_vec()
    } else if let Some(db) = old.as_ref().filter(|d| !d.meta().exports.is_empty()) {
        db.meta().exports.clone()
    } else {
        DEFAULT_ECOSYSTEMS.iter().map(|s| (*s).to_owned()).collect()
    };
    let rt = runtime()?;
    let client = http_client()?;
    let retry = Retry::default();
    let mut b = Builder::new();
    b.source(base.to_owned());
    if let Some(db) = &old {
        for eco in db.meta().ecosystems.keys() {
            if !wanted.contains(eco) {
                for r in db.all_records(eco)? {
                    b.add(r);
                }
            }
        }
        for eco in &db.meta().exports {
            b.export(eco);
        }
    }
    for eco in &wanted {
        b.export(eco);
        let enc = eco.replace(' ', "%20");
        let since = old
            .as_ref()
            .and_then(|db| db.meta().ecosystems.get(eco))
            .and_then(|m| m.modified.clone());
        let mut done = false;
        if let (Some(db), Some(since)) = (&old, since) {
            let csv_url = format!("{base}/{enc}/modified_id.csv");
            if let Some(csv) = rt.block_on(fetch(&client, retry, &csv_url, None))? {
                let text = String::from_utf8_lossy(&csv);
                let changed: Vec<&str> = text
                    .lines()
                    .filter_map(|l| l.split_once(','))
                    .filter(|(m, _)| *m > since.as_str())
                    .map(|(_, id)| id.trim())
                    .collect();
                if changed.len() <= INCREMENTAL_LIMIT {
                    for r in db.all_records(eco)? {
                        b.add(r);
                    }
                    reporter.on_source(&csv_url, changed.len());
                    for id in changed {
                        let id = id.rsplit('/').next().unwrap_or(id);
                        let url = format!("{base}/{enc}/{id}.json");
                        match rt.block_on(fetch(&client, retry, &url, None))? {
                            Some(bytes) => b.add_json(&url, &bytes),
                            None => b.remove(id),
                        }
                        reporter.on_progress(1);
                    }
                    done = true;
                }
            }
        }
        if !done {
            let url = format!("{base}/{enc}/all.zip");
            reporter.on_source(&url, 0);
            let bytes = rt
                .block_on(fetch(&client, retry, &url, None))?
                .ok_or_else(|| ApiError::Http {
                    url: url.clone(),
                    message: "not found (404)".to_owned(),
                })?;
            b.add_zip(&url, &bytes, reporter)?;
        }
    }
    reporter.on_finish();
    Ok(b.write(dest, built)?)
}
