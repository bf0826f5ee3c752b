//! Scanning packages: candidate records from a [`RecordSource`] (the offline database or the
//! OSV API), evaluated locally with [`crate::eval`], grouped into findings by alias closure
//! (a RUSTSEC, its GHSA and its CVE are one finding), rated with [`crate::severity`].
//!
//! The [`Report`] type *is* the JSON output of `vouch scan`; its schema is committed at
//! `schemas/scan-report.schema.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use vouch_core::{Diagnostic, Ecosystem, Level as DiagLevel, Location, Package};

use crate::db::{Database, DbError};
use crate::eval::{evaluate, Target};
use crate::name::normalize;
use crate::record::Record;
use crate::severity::{rate, Level, Rating};
use crate::version::{Scheme, Version};

/// Report format version.
pub const REPORT_VERSION: u32 = 1;

/// One package to scan and where it was declared.
#[derive(Debug, Clone)]
pub struct ScanInput {
    pub package: Package,
    pub location: Option<Location>,
}

impl From<Package> for ScanInput {
    fn from(package: Package) -> Self {
        Self {
            package,
            location: None,
        }
    }
}

/// A package to find candidate records for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Query {
    /// OSV ecosystem name.
    pub ecosystem: String,
    /// Name as the ecosystem spells it: for distribution packages, the source package
    /// records name.
    pub name: String,
    pub version: String,
    /// The installed (binary) package and version when they differ from `name`/`version`
    /// (a distribution package matched by its source package): what findings report.
    pub installed: Option<(String, String)>,
}

/// Where the data a report was computed from came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSource {
    /// `offline` (a vouch database) or `online` (the OSV API).
    pub mode: String,
    /// Database sources or the API URL.
    pub source: Vec<String>,
    /// The data's snapshot time (newest record time), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// When the offline database was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built: Option<String>,
}

/// Errors of a record source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Api(#[from] crate::api_contract::ApiError),
}

/// Something that can name the records possibly affecting packages.
pub trait RecordSource: Sync {
    fn data_source(&self) -> DataSource;
    /// Whether chunks of queries may be looked up on several threads at once (a local
    /// database; not a rate-limited API).
    fn parallel(&self) -> bool {
        false
    }
    /// Whether the source has any data for `ecosystem` (offline databases may not).
    fn covers(&self, ecosystem: &str) -> bool;
    /// Candidate records per query (same order). They are evaluated locally afterwards, so
    /// a source may return more than strictly matches.
    fn candidates(
        &self,
        queries: &[Query],
        reporter: &dyn ScanReporter,
    ) -> Result<Vec<Vec<Arc<Record>>>, SourceError>;
}

impl RecordSource for Database {
    fn data_source(&self) -> DataSource {
        DataSource {
            mode: "offline".to_owned(),
            source: self.meta().source.clone(),
            snapshot: self.meta().snapshot.clone(),
            built: Some(self.meta().built.clone()),
        }
    }

    fn covers(&self, ecosystem: &str) -> bool {
        self.has_ecosystem(ecosystem.split(':').next().unwrap_or(ecosystem))
    }

    fn parallel(&self) -> bool {
        true
    }

    fn candidates(
        &self,
        queries: &[Query],
        reporter: &dyn ScanReporter,
    ) -> Result<Vec<Vec<Arc<Record>>>, SourceError> {
        let mut out: Vec<Vec<Arc<Record>>> = Vec::with_capacity(queries.len());
        // Queries come sorted by name: versions of one package share one lookup.
        let mut last: Option<(&str, &str)> = None;
        for q in queries {
            let key = (q.ecosystem.as_str(), q.name.as_str());
            let recs = match (last, out.last()) {
                (Some(l), Some(prev)) if l == key => prev.clone(),
                _ => self.records_for(&q.ecosystem, &q.name)?,
            };
            last = Some(key);
            out.push(recs);
            reporter.on_queried(1);
        }
        Ok(out)
    }
}

/// Progress callbacks of a scan, drawn by the caller.
pub trait ScanReporter: Sync {
    /// `packages` distinct packages will be looked up.
    fn on_start(&self, _packages: usize) {}
    fn on_queried(&self, _n: usize) {}
    /// `total` records will be fetched (online mode).
    fn on_hydrate_start(&self, _total: usize) {}
    fn on_hydrated(&self, _n: usize) {}
    fn on_finish(&self) {}
}

/// A reporter that draws nothing.
pub struct Silent;
impl ScanReporter for Silent {}

/// The package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FoundPackage {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `ignore` (an ignore-file entry) or `vex` (an OpenVEX `not_affected` statement).
    pub kind: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One vulnerability (an alias group of records) affecting one package version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The preferred id of the group (the ecosystem's own database first, CVE last).
    pub id: String,
    /// Every other id of the alias closure.
    pub aliases: Vec<String>,
    /// Ids of the records that matched.
    pub records: Vec<String>,
    pub package: FoundPackage,
    /// Where the package is declared.
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub severity: Rating,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`): a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// Versions that leave every affected range of the group.
    pub fixed: Vec<String>,
    /// The way out, for people: the fixes to upgrade to (without the single unaffected
    /// versions between affected ranges that `fixed` also lists), the last as `≥ v` when no
    /// version above it is affected (`≥ 0.2.23`; `0.8.6, ≥ 0.9.3`). Not part of the JSON
    /// report, which keeps the record's facts in `fixed`.
    #[serde(skip)]
    pub upgrade: Option<String>,
    /// Advisory URL.
    pub url: String,
    /// Newest `modified` of the group's records.
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// A package version the ecosystem's scheme does not accept: reported, never assumed safe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnparsedVersion {
    pub package: FoundPackage,
    pub message: String,
    pub locations: Vec<Location>,
}

/// An input the report covers (filled in by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedInput {
    pub path: String,
    pub kind: String,
    pub packages: usize,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Distinct (ecosystem, name, version) scanned.
    pub packages: usize,
    pub vulnerable_packages: usize,
    /// Findings that are not suppressed and not informational.
    pub vulnerabilities: usize,
    /// Informational (warning) findings, not suppressed.
    pub warnings: usize,
    pub suppressed: usize,
    pub unparsed_versions: usize,
    /// Unsuppressed, non-informational findings per severity level.
    pub by_severity: BTreeMap<String, usize>,
}

/// Tool identification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The result of a scan; serialised as `vouch scan --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub report_version: u32,
    pub tool: Tool,
    pub data: DataSource,
    pub inputs: Vec<ScannedInput>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub unparsed_versions: Vec<UnparsedVersion>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Recomputes [`Summary`] from the findings (after suppressions changed).
    pub fn resummarise(&mut self) {
        let mut s = Summary {
            packages: self.summary.packages,
            unparsed_versions: self.unparsed_versions.len(),
            ..Summary::default()
        };
        let mut vulnerable = BTreeSet::new();
        for f in &self.findings {
            if f.suppressed.is_some() {
                s.suppressed += 1;
            } else if f.informational.is_some() {
                s.warnings += 1;
            } else {
                s.vulnerabilities += 1;
                vulnerable.insert(&f.package);
                *s.by_severity
                    .entry(f.severity.level.as_str().to_owned())
                    .or_default() += 1;
            }
        }
        s.vulnerable_packages = vulnerable.len();
        self.summary = s;
    }
}

/// Errors of a scan.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Source(#[from] SourceError),
}

fn id_rank(id: &str) -> u8 {
    let prefix = id.split('-').next().unwrap_or(id);
    match prefix {
        "RUSTSEC" | "GO" | "PYSEC" | "MAL" | "RSEC" | "PSF" => 0,
        "GHSA" => 1,
        "CVE" => 3,
        _ => 2,
    }
}

fn advisory_url(r: &Record) -> String {
    r.references
        .iter()
        .find(|x| x.kind == "ADVISORY")
        .map_or_else(
            || format!("https://osv.dev/vulnerability/{}", r.id),
            |x| x.url.clone(),
        )
}

struct Group<'a> {
    records: Vec<(&'a Record, Vec<String>)>,
}

fn group_by_alias<'a>(matches: Vec<(&'a Record, Vec<String>)>) -> Vec<Group<'a>> {
    let mut groups: Vec<(BTreeSet<String>, Group<'a>)> = Vec::new();
    for (r, fixed) in matches {
        let ids: BTreeSet<String> = std::iter::once(r.id.clone())
            .chain(r.aliases.iter().cloned())
            .collect();
        let joined: Vec<usize> = groups
            .iter()
            .enumerate()
            .filter(|(_, (g, _))| !g.is_disjoint(&ids))
            .map(|(i, _)| i)
            .collect();
        let mut merged_ids = ids;
        let mut merged = Group {
            records: vec![(r, fixed)],
        };
        for i in joined.into_iter().rev() {
            let (g, grp) = groups.remove(i);
            merged_ids.extend(g);
            merged.records.extend(grp.records);
        }
        groups.push((merged_ids, merged));
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Scans packages against a record source.
pub fn scan(
    source: &dyn RecordSource,
    inputs: &[ScanInput],
    reporter: &dyn ScanReporter,
) -> Result<Report, ScanError> {
    // Distinct (ecosystem, name, version), with every location.
    let mut distinct: Distinct = BTreeMap::new();
    for i in inputs {
        let q = match crate::distro::query_for(&i.package) {
            Some(d) => Query {
                installed: (d.source != i.package.name || d.version != i.package.version)
                    .then(|| (i.package.name.clone(), i.package.version.clone())),
                ecosystem: d.ecosystem,
                name: d.source,
                version: d.version,
            },
            None => Query {
                ecosystem: i.package.ecosystem.osv_name().to_owned(),
                name: i.package.name.clone(),
                version: i.package.version.clone(),
                installed: None,
            },
        };
        let e = distinct.entry(q).or_insert((None, Vec::new()));
        if e.0.is_none() {
            e.0 = i.package.purl.as_ref().map(ToString::to_string);
        }
        if let Some(l) = &i.location {
            if !e.1.contains(l) {
                e.1.push(l.clone());
            }
        }
    }
    let mut diagnostics = Vec::new();
    let mut uncovered: BTreeMap<String, usize> = BTreeMap::new();
    let queries: Vec<Query> = distinct
        .keys()
        .filter(|q| {
            let ok = source.covers(&q.ecosystem);
            if !ok {
                *uncovered.entry(q.ecosystem.clone()).or_default() += 1;
            }
            ok
        })
        .cloned()
        .collect();
    for (eco, n) in uncovered {
        diagnostics.push(Diagnostic::new(
            "no-advisory-data",
            DiagLevel::Warning,
            format!("no {eco} advisories in the data source: {n} package(s) not checked"),
        ));
    }
    reporter.on_start(queries.len());
    let mut findings = Vec::new();
    let mut unparsed = Vec::new();
    // Chunks bound memory (records of one chunk are dropped before the next is read) and
    // match the API's batch size. A local database is read on up to 4 threads.
    let chunks: Vec<&[Query]> = queries.chunks(crate::api_contract::BATCH_LIMIT).collect();
    let threads = if source.parallel() {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, 4)
            .min(chunks.len().max(1))
    } else {
        1
    };
    let run = |t: usize| -> Result<ChunkOut, SourceError> {
        let mut out = ChunkOut::default();
        for chunk in chunks.iter().skip(t).step_by(threads) {
            let candidates = source.candidates(chunk, reporter)?;
            evaluate_chunk(chunk, &candidates, &distinct, &mut out);
        }
        Ok(out)
    };
    let outs: Vec<Result<ChunkOut, SourceError>> = if threads <= 1 {
        vec![run(0)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || run(t))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("scan worker panicked"))
                .collect()
        })
    };
    for o in outs {
        let o = o?;
        findings.extend(o.findings);
        unparsed.extend(o.unparsed);
        diagnostics.extend(o.diagnostics);
    }
    reporter.on_finish();
    unparsed.sort_by(|a: &UnparsedVersion, b| a.package.cmp(&b.package));
    diagnostics.sort();
    diagnostics.dedup();
    findings.sort_by(|a, b| (&a.package, &a.id).cmp(&(&b.package, &b.id)));
    let mut report = Report {
        report_version: REPORT_VERSION,
        tool: Tool {
            name: "vouch".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        data: source.data_source(),
        inputs: Vec::new(),
        summary: Summary {
            packages: distinct.len(),
            ..Summary::default()
        },
        findings,
        unparsed_versions: unparsed,
        diagnostics,
    };
    report.resummarise();
    Ok(report)
}

type Distinct = BTreeMap<Query, (Option<String>, Vec<Location>)>;

#[derive(Default)]
struct ChunkOut {
    findings: Vec<Finding>,
    unparsed: Vec<UnparsedVersion>,
    diagnostics: Vec<Diagnostic>,
}

fn evaluate_chunk(
    queries: &[Query],
    candidates: &[Vec<Arc<Record>>],
    distinct: &Distinct,
    out: &mut ChunkOut,
) {
    let ChunkOut {
        findings,
        unparsed,
        diagnostics,
    } = out;
    for (q, recs) in queries.iter().zip(candidates) {
        let (purl, locations) = &distinct[q];
        let (name, version) = q
            .installed
            .clone()
            .unwrap_or((q.name.clone(), q.version.clone()));
        let pkg = FoundPackage {
            ecosystem: q.ecosystem.clone(),
            name,
            version,
            purl: purl.clone(),
        };
        let scheme = Scheme::for_ecosystem(&q.ecosystem);
        let parsed: Option<Version> = match scheme.map(|s| s.parse(&q.version)) {
            Some(Ok(v)) if !v.is_lenient() => Some(v),
            Some(Ok(v)) => {
                unparsed.push(UnparsedVersion {
                    package: pkg.clone(),
                    message: format!(
                        "`{}` is not a valid {} version; compared with osv.dev's lenient ordering",
                        q.version,
                        scheme.map_or_else(String::new, |s| s.to_string())
                    ),
                    locations: locations.clone(),
                });
                Some(v)
            }
            Some(Err(e)) => {
                unparsed.push(UnparsedVersion {
                    package: pkg.clone(),
                    message: format!("{e}; only exact version lists were checked"),
                    locations: locations.clone(),
                });
                None
            }
            None => None,
        };
        let norm = normalize(&q.ecosystem, &q.name);
        let target = Target {
            ecosystem: &q.ecosystem,
            name: &norm,
            version_str: &q.version,
            version: parsed.as_ref(),
        };
        let mut matches = Vec::new();
        let mut seen = BTreeSet::new();
        for r in recs {
            if !seen.insert(r.id.as_str()) {
                continue;
            }
            let ev = evaluate(r, &target);
            for bad in &ev.bad_events {
                diagnostics.push(Diagnostic::new(
                    "osv-range-version-invalid",
                    DiagLevel::Warning,
                    format!(
                        "`{}`: range event version `{bad}` is not a valid {} version; event skipped",
                        r.id, q.ecosystem
                    ),
                ));
            }
            if ev.affected {
                matches.push((r.as_ref(), ev.fixed));
            }
        }
        for g in group_by_alias(matches) {
            findings.push(finding(&pkg, locations, &g, &target));
        }
    }
}

/// [`Finding::upgrade`]: the group's fixes without islands, ending at the version from which
/// no record of the group is affected any more.
fn upgrade_text(
    g: &Group<'_>,
    t: &Target<'_>,
    scheme: Option<Scheme>,
    fixed: &[(Option<Version>, String)],
) -> Option<String> {
    let evs: Vec<_> = g.records.iter().map(|(r, _)| evaluate(r, t)).collect();
    let islands: BTreeSet<&str> = evs
        .iter()
        .flat_map(|e| e.islands.iter().map(String::as_str))
        .collect();
    let parse = |s: &str| scheme.and_then(|sc| sc.parse(s).ok());
    let open = if evs.iter().all(|e| e.open_from.is_some()) {
        evs.iter()
            .filter_map(|e| e.open_from.as_deref())
            .map(|s| (parse(s), s))
            .max_by(|a, b| match (&a.0, &b.0) {
                (Some(x), Some(y)) => x.cmp(y),
                _ => a.1.cmp(b.1),
            })
    } else {
        None
    };
    let mut parts: Vec<String> = Vec::new();
    for (v, s) in fixed {
        if islands.contains(s.as_str()) {
            continue;
        }
        if let Some((ov, os)) = &open {
            let below = match (v, ov) {
                (Some(a), Some(b)) => a < b,
                _ => s.as_str() != *os,
            };
            if !below {
                break;
            }
        }
        parts.push(s.clone());
    }
    if let Some((_, os)) = open {
        parts.push(format!("≥ {os}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn finding(pkg: &FoundPackage, locations: &[Location], g: &Group<'_>, t: &Target<'_>) -> Finding {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for (r, _) in &g.records {
        ids.insert(r.id.clone());
        ids.extend(r.aliases.iter().cloned());
    }
    let mut record_ids: Vec<String> = g.records.iter().map(|(r, _)| r.id.clone()).collect();
    record_ids.sort();
    let primary = record_ids
        .iter()
        .min_by(|a, b| (id_rank(a), *a).cmp(&(id_rank(b), *b)))
        .cloned()
        .unwrap_or_default();
    let lead = g
        .records
        .iter()
        .find(|(r, _)| r.id == primary)
        .map_or(g.records[0].0, |(r, _)| *r);
    let severity = g
        .records
        .iter()
        .map(|(r, _)| rate(r))
        .max_by(|a, b| {
            a.level
                .cmp(&b.level)
                .then(a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
        })
        .unwrap_or_else(Rating::unknown);
    let informational = if g.records.iter().all(|(r, _)| r.informational().is_some()) {
        lead.informational()
    } else {
        None
    };
    // Fixes: any record's fix that no record of the group still covers.
    let scheme = Scheme::for_ecosystem(t.ecosystem);
    let mut fixed: Vec<(Option<Version>, String)> = Vec::new();
    for (_, fx) in &g.records {
        for f in fx {
            if fixed.iter().any(|(_, s)| s == f) {
                continue;
            }
            let fv = scheme.and_then(|s| s.parse(f).ok());
            let still = g.records.iter().any(|(r, _)| {
                evaluate(
                    r,
                    &Target {
                        version_str: f,
                        version: fv.as_ref(),
                        ..t.clone()
                    },
                )
                .affected
            });
            if !still {
                fixed.push((fv, f.clone()));
            }
        }
    }
    fixed.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => a.1.cmp(&b.1),
    });
    let upgrade = upgrade_text(g, t, scheme, &fixed);
    let modified = g
        .records
        .iter()
        .map(|(r, _)| r.modified.clone())
        .max()
        .unwrap_or_default();
    Finding {
        aliases: ids.into_iter().filter(|i| *i != primary).collect(),
        id: primary,
        records: record_ids,
        package: pkg.clone(),
        locations: locations.to_vec(),
        summary: lead.summary.clone().or_else(|| {
            lead.details_text()
                .map(|d| d.lines().next().unwrap_or("").to_owned())
        }),
        severity,
        informational,
        fixed: fixed.into_iter().map(|(_, s)| s).collect(),
        upgrade,
        url: advisory_url(lead),
        modified,
        suppressed: None,
    }
}

/// Convenience for library callers: scans packages against an offline database.
pub fn scan_packages(db: &Database, packages: &[Package]) -> Result<Report, ScanError> {
    let inputs: Vec<ScanInput> = packages.iter().cloned().map(ScanInput::from).collect();
    scan(db, &inputs, &Silent)
}

/// Whether a report fails a CI threshold: any unsuppressed finding at or above `threshold`
/// (`None` = any non-informational finding); informational findings count only when
/// `informational` is set.
pub fn fails(report: &Report, threshold: Option<Level>, informational: bool) -> bool {
    report.findings.iter().any(|f| {
        if f.suppressed.is_some() {
            return false;
        }
        if f.informational.is_some() && !informational {
            return false;
        }
        match threshold {
            None => true,
            // Unknown severity fails every threshold: it may be critical.
            Some(t) => f.severity.level == Level::Unknown || f.severity.level >= t,
        }
    })
}

/// The ecosystem of an OSV name, when vouch's core vocabulary knows it.
pub fn core_ecosystem(osv: &str) -> Option<Ecosystem> {
    osv.parse().ok()
}
