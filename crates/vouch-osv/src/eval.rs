//! Whether a package version is affected by a record, exactly as the OSV schema's
//! `IsVulnerable` pseudocode says.
//!
//! Every `affected[]` entry for the package is evaluated on its own: an exact match in
//! `versions[]`, or any `SEMVER`/`ECOSYSTEM` range whose events, sorted with the ecosystem's
//! ordering (`introduced: "0"` first), leave the version vulnerable: `introduced` is
//! inclusive, `fixed` exclusive, `last_affected` inclusive, and `limit` bounds the range
//! from above. `GIT` ranges and range types this version of the schema does not define are
//! skipped without dropping the record. Withdrawn records never match.

use std::cmp::Ordering;

use crate::name::normalize;
use crate::record::{Affected, Range, Record};
use crate::version::{Scheme, Version};

/// The package a record is evaluated for.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// OSV ecosystem name (`crates.io`, `PyPI`, ...).
    pub ecosystem: &'a str,
    /// Normalised name ([`crate::name::normalize`]).
    pub name: &'a str,
    /// The version string as the lockfile spells it.
    pub version_str: &'a str,
    /// The version parsed with the ecosystem's scheme; `None` when it does not parse (only
    /// exact `versions[]` entries can then match).
    pub version: Option<&'a Version>,
}

/// The outcome of evaluating one record for one package version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// The version is affected.
    pub affected: bool,
    /// Fixed versions that leave every affected range of the record for this package.
    pub fixed: Vec<String>,
    /// Range event versions that could not be parsed (the events were skipped).
    pub bad_events: Vec<String>,
    /// Of [`Evaluation::fixed`], those that only mark one unaffected version between two
    /// affected ranges (RustSec's `unaffected = ["=0.2.0"]` becomes `fixed: 0.2.0`,
    /// `introduced: 0.2.1-0`): not a fix to upgrade to.
    pub islands: Vec<String>,
    /// Of [`Evaluation::fixed`], the one from which every later version is unaffected (no
    /// range is introduced again above it): "upgrade to ≥ this".
    pub open_from: Option<String>,
}

fn same_ecosystem(a: &str, b: &str) -> bool {
    a.split(':').next() == b.split(':').next()
}

/// The `affected[]` entries of `record` that name the target package.
pub fn entries_for<'r>(record: &'r Record, ecosystem: &str, name: &str) -> Vec<&'r Affected> {
    record
        .affected
        .iter()
        .filter(|a| {
            a.package.as_ref().is_some_and(|p| {
                same_ecosystem(&p.ecosystem, ecosystem)
                    && (p.name == name || normalize(ecosystem, &p.name) == name)
            })
        })
        .collect()
}

/// An event version: `introduced: "0"` is below everything, `limit: "*"` above.
#[derive(Debug, Clone)]
enum Point {
    Zero,
    At(Version),
    Infinity,
}

impl Point {
    fn cmp_version(&self, v: &Version) -> Ordering {
        match self {
            Self::Zero => Ordering::Less,
            Self::At(p) => p.cmp(v),
            Self::Infinity => Ordering::Greater,
        }
    }
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Point {}
impl PartialOrd for Point {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Point {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Zero, Self::Zero) | (Self::Infinity, Self::Infinity) => Ordering::Equal,
            (Self::Zero, _) | (_, Self::Infinity) => Ordering::Less,
            (_, Self::Zero) | (Self::Infinity, _) => Ordering::Greater,
            (Self::At(a), Self::At(b)) => a.cmp(b),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

struct Parsed<'r> {
    events: Vec<(Point, Kind, &'r str)>,
    limits: Vec<Point>,
}

fn parse_range<'r>(range: &'r Range, scheme: Scheme, bad: &mut Vec<String>) -> Parsed<'r> {
    let mut events = Vec::new();
    let mut limits = Vec::new();
    for e in &range.events {
        let (kind, raw) = if let Some(v) = &e.introduced {
            (Kind::Introduced, v)
        } else if let Some(v) = &e.fixed {
            (Kind::Fixed, v)
        } else if let Some(v) = &e.last_affected {
            (Kind::LastAffected, v)
        } else if let Some(v) = &e.limit {
            (Kind::Limit, v)
        } else {
            continue;
        };
        let point = if kind == Kind::Introduced && raw == "0" {
            Point::Zero
        } else if kind == Kind::Limit && raw.contains('*') {
            Point::Infinity
        } else if let Ok(v) = scheme.parse(raw) {
            Point::At(v)
        } else {
            bad.push(raw.clone());
            continue;
        };
        if kind == Kind::Limit {
            limits.push(point);
        } else {
            events.push((point, kind, raw.as_str()));
        }
    }
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Parsed { events, limits }
}

fn in_parsed(p: &Parsed<'_>, v: &Version) -> bool {
    if !p.limits.is_empty()
        && !p
            .limits
            .iter()
            .any(|l| l.cmp_version(v) == Ordering::Greater)
    {
        return false;
    }
    let mut vulnerable = false;
    for (point, kind, _) in &p.events {
        let c = point.cmp_version(v); // point <=> v
        match kind {
            Kind::Introduced if c != Ordering::Greater => vulnerable = true,
            Kind::Fixed if c != Ordering::Greater => vulnerable = false,
            Kind::LastAffected if c == Ordering::Less => vulnerable = false,
            _ => {}
        }
    }
    vulnerable
}

/// The scheme a range's events are ordered with, or `None` for types vouch skips.
fn range_scheme(range: &Range, ecosystem: &str) -> Option<Scheme> {
    match range.kind.as_str() {
        "SEMVER" => Some(Scheme::SemVer),
        "ECOSYSTEM" => Scheme::for_ecosystem(ecosystem),
        _ => None,
    }
}

/// A cheap canonical form of a PEP 440 string for `versions[]` matching: lowercase, no
/// `v`, no `0!` epoch, trailing `.0` release components dropped (`1.0.0` = `1.0` = `1`),
/// separators before pre/post/dev labels dropped. `versions[]` lists run to hundreds of
/// entries per record, so they are compared as strings, not parsed.
fn pep440_key(s: &str) -> String {
    let mut out = String::new();
    pep440_key_into(s, &mut out);
    out
}

/// [`pep440_key`] into a reused buffer (no allocation per `versions[]` entry).
fn pep440_key_into(s: &str, out: &mut String) {
    out.clear();
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let s = s.strip_prefix("0!").unwrap_or(s);
    let end = s
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(s.len());
    let (release, rest) = s.split_at(end);
    let mut release = release.trim_end_matches('.');
    while let Some((head, last)) = release.rsplit_once('.') {
        if !last.bytes().all(|b| b == b'0') {
            break;
        }
        release = head;
    }
    out.push_str(release);
    let rest = rest.trim_start_matches(['.', '-', '_']);
    out.extend(rest.chars().map(|c| c.to_ascii_lowercase()));
}

fn in_versions(a: &Affected, t: &Target<'_>, scheme: Option<Scheme>) -> bool {
    // PEP 440 spells one version several ways (`1.0` = `1.0.0`, `1.0RC1` = `1.0rc1`).
    if scheme != Some(Scheme::Pep440) {
        return a.has_version(t.version_str);
    }
    let head = leading_number(t.version_str);
    let key = pep440_key(t.version_str);
    let mut buf = String::new();
    a.any_version(|v| {
        v == t.version_str
            || (leading_number(v) == head && {
                pep440_key_into(v, &mut buf);
                buf == key
            })
    })
}

/// The first run of digits after an optional `v` (no allocation): a pre-filter.
fn leading_number(s: &str) -> &str {
    let s = s.trim_start();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    &s[..end]
}

/// Evaluates `record` for the target package version.
pub fn evaluate(record: &Record, t: &Target<'_>) -> Evaluation {
    let mut out = Evaluation::default();
    if record.withdrawn.is_some() {
        return out;
    }
    let entries = entries_for(record, t.ecosystem, t.name);
    let scheme = Scheme::for_ecosystem(t.ecosystem);
    let mut parsed_all = Vec::new();
    for a in &entries {
        let mut hit = in_versions(a, t, scheme);
        for range in &a.ranges {
            let Some(rs) = range_scheme(range, t.ecosystem) else {
                continue;
            };
            let p = parse_range(range, rs, &mut out.bad_events);
            if !hit && t.version.is_some_and(|v| in_parsed(&p, v)) {
                hit = true;
            }
            parsed_all.push((rs, p));
        }
        out.affected |= hit;
    }
    if let (true, Some(tv)) = (out.affected, t.version) {
        // Candidate fixes: every `fixed` above the version; keep those no range covers.
        let mut fixes: Vec<(Version, String)> = Vec::new();
        for (_, p) in &parsed_all {
            for (point, kind, raw) in &p.events {
                if *kind != Kind::Fixed {
                    continue;
                }
                let Point::At(fv) = point else { continue };
                if fv <= tv || fixes.iter().any(|(f, _)| f == fv) {
                    continue;
                }
                let still = parsed_all.iter().any(|(_, q)| in_parsed(q, fv))
                    || entries.iter().any(|a| a.has_version(raw));
                if !still {
                    fixes.push((fv.clone(), (*raw).to_owned()));
                }
            }
        }
        fixes.sort_by(|a, b| a.0.cmp(&b.0));
        // What each fix leads to: the next `introduced` above it, if any.
        for (fv, raw) in &fixes {
            let next = parsed_all
                .iter()
                .flat_map(|(rs, p)| p.events.iter().map(move |e| (*rs, e)))
                .filter_map(|(rs, (point, kind, _))| match (kind, point) {
                    (Kind::Introduced, Point::At(i)) if i > fv => Some((rs, i)),
                    _ => None,
                })
                .min_by(|a, b| a.1.cmp(b.1));
            match next {
                None => {
                    if out.open_from.is_none() {
                        out.open_from = Some(raw.clone());
                    }
                }
                Some((rs, i)) => {
                    if next_release(raw)
                        .and_then(|n| rs.parse(&n).ok())
                        .is_some_and(|n| *i <= n)
                    {
                        out.islands.push(raw.clone());
                    }
                }
            }
        }
        out.fixed = fixes.into_iter().map(|(_, s)| s).collect();
    }
    out
}

/// The release right after `v`: its last release number plus one, any suffix dropped
/// (`0.2.0` → `0.2.1`, `v1.4` → `v1.5`, `2.0.0-rc1` → `2.0.1`); `None` when `v` does not
/// start with a number.
fn next_release(v: &str) -> Option<String> {
    let (prefix, rest) = match v.strip_prefix(['v', 'V']) {
        Some(r) => (&v[..1], r),
        None => ("", v),
    };
    let end = rest
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(rest.len());
    let release = rest[..end].trim_end_matches('.');
    let (head, last) = match release.rsplit_once('.') {
        Some((h, l)) => (Some(h), l),
        None => (None, release),
    };
    let n: u64 = last.parse().ok()?;
    Some(match head {
        Some(h) => format!("{prefix}{h}.{}", n + 1),
        None => format!("{prefix}{}", n + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The allocating form `pep440_key_into` replaced, kept to check they agree.
    fn pep440_key_reference(s: &str) -> String {
        let s = s.trim().to_ascii_lowercase();
        let s = s.strip_prefix('v').unwrap_or(&s);
        let s = s.strip_prefix("0!").unwrap_or(s);
        let end = s
            .bytes()
            .position(|b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(s.len());
        let (release, rest) = s.split_at(end);
        let release = release.trim_end_matches('.');
        let mut parts: Vec<&str> = release.split('.').collect();
        while parts.len() > 1 && parts.last().is_some_and(|p| p.bytes().all(|b| b == b'0')) {
            parts.pop();
        }
        let mut out = parts.join(".");
        out.push_str(rest.trim_start_matches(['.', '-', '_']));
        out
    }

    #[test]
    fn pep440_key_matches_its_reference_form() {
        for s in [
            "1.0",
            "1.0.0",
            "1",
            "V1.0RC1",
            " v2.0.0.post1 ",
            "0!1.0",
            "1..0",
            "1.0.",
            "0",
            "0.0",
            "00.000",
            "1.0-Dev_3",
            "1.0.0.Ä",
            "",
            "v",
            "1.2.3a1",
            "2010.10.0",
        ] {
            assert_eq!(pep440_key(s), pep440_key_reference(s), "{s:?}");
        }
    }

    fn record(json: &str) -> Record {
        Record::from_json("test.json", json.as_bytes()).unwrap()
    }

    fn affected(r: &Record, eco: &str, name: &str, v: &str) -> bool {
        let scheme = Scheme::for_ecosystem(eco).unwrap();
        let version = scheme.parse(v).unwrap();
        let n = normalize(eco, name);
        evaluate(
            r,
            &Target {
                ecosystem: eco,
                name: &n,
                version_str: v,
                version: Some(&version),
            },
        )
        .affected
    }

    fn eval(r: &Record, v: &str) -> Evaluation {
        let version = Scheme::SemVer.parse(v).unwrap();
        evaluate(
            r,
            &Target {
                ecosystem: "npm",
                name: "p",
                version_str: v,
                version: Some(&version),
            },
        )
    }

    const BASE: &str = r#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"p"},"ranges":[{"type":"SEMVER","events":EVENTS}]}]}"#;

    fn with_events(ev: &str) -> Record {
        record(&BASE.replace("EVENTS", ev))
    }

    #[test]
    fn single_unaffected_versions_are_islands_and_the_open_fix_is_found() {
        // RUSTSEC-2020-0071 (time): 0.2.0 … 0.2.6 are each unaffected, 0.2.23 the fix.
        let r = with_events(
            r#"[{"introduced":"0.0.0-0"},{"fixed":"0.2.0"},{"introduced":"0.2.1-0"},{"fixed":"0.2.1"},{"introduced":"0.2.7-0"},{"fixed":"0.2.23"}]"#,
        );
        let e = eval(&r, "0.1.44");
        assert!(e.affected);
        assert_eq!(e.fixed, vec!["0.2.0", "0.2.1", "0.2.23"]);
        assert_eq!(e.islands, vec!["0.2.0", "0.2.1"]);
        assert_eq!(e.open_from.as_deref(), Some("0.2.23"));
        // rand: a fix on each release line is a fix, not an island.
        let r = with_events(
            r#"[{"introduced":"0.7.0"},{"fixed":"0.8.6"},{"introduced":"0.9.0"},{"fixed":"0.9.3"}]"#,
        );
        let e = eval(&r, "0.8.5");
        assert!(e.islands.is_empty());
        assert_eq!(e.open_from.as_deref(), Some("0.9.3"));
        assert_eq!(next_release("v1.4"), Some("v1.5".to_owned()));
        assert_eq!(next_release("2.0.0-rc1"), Some("2.0.1".to_owned()));
        assert_eq!(next_release("abc"), None);
    }

    #[test]
    fn fixed_is_exclusive_introduced_inclusive() {
        let r = with_events(r#"[{"introduced":"1.0.0"},{"fixed":"1.2.0"}]"#);
        assert!(!affected(&r, "npm", "p", "0.9.9"));
        assert!(affected(&r, "npm", "p", "1.0.0"));
        assert!(affected(&r, "npm", "p", "1.1.9"));
        assert!(!affected(&r, "npm", "p", "1.2.0"));
    }

    #[test]
    fn last_affected_is_inclusive() {
        let r = with_events(r#"[{"introduced":"0"},{"last_affected":"2.0.0"}]"#);
        assert!(affected(&r, "npm", "p", "0.0.1"));
        assert!(affected(&r, "npm", "p", "2.0.0"));
        assert!(!affected(&r, "npm", "p", "2.0.1"));
    }

    #[test]
    fn events_are_sorted_before_evaluation() {
        let r = with_events(
            r#"[{"fixed":"2.0.0"},{"introduced":"3.0.0"},{"introduced":"1.0.0"},{"fixed":"3.1.0"}]"#,
        );
        assert!(affected(&r, "npm", "p", "1.5.0"));
        assert!(!affected(&r, "npm", "p", "2.5.0"));
        assert!(affected(&r, "npm", "p", "3.0.5"));
        assert!(!affected(&r, "npm", "p", "3.1.0"));
    }

    #[test]
    fn limit_bounds_the_range() {
        let r = with_events(r#"[{"introduced":"0"},{"limit":"1.5.0"}]"#);
        assert!(affected(&r, "npm", "p", "1.4.0"));
        assert!(!affected(&r, "npm", "p", "1.5.0"));
        let r = with_events(r#"[{"introduced":"0"},{"limit":"*"}]"#);
        assert!(affected(&r, "npm", "p", "99.0.0"));
    }

    #[test]
    fn withdrawn_never_matches() {
        let mut r = with_events(r#"[{"introduced":"0"}]"#);
        assert!(affected(&r, "npm", "p", "1.0.0"));
        r.withdrawn = Some("2024-02-01T00:00:00Z".to_owned());
        assert!(!affected(&r, "npm", "p", "1.0.0"));
    }

    #[test]
    fn unknown_range_types_are_skipped_but_versions_still_match() {
        let r = record(
            r#"{"id":"X-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"},
            "ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"0"}]},{"type":"FUTURE","events":[{"introduced":"0"}]}],
            "versions":["1.0"]}]}"#,
        );
        assert!(affected(&r, "PyPI", "foo-bar", "1.0"));
        assert!(affected(&r, "PyPI", "foo.bar", "1.0.0"));
        assert!(!affected(&r, "PyPI", "foo-bar", "1.1"));
    }

    #[test]
    fn each_affected_entry_is_evaluated_alone() {
        let r = record(
            r#"{"id":"X-3","modified":"2024-01-01T00:00:00Z","affected":[
            {"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"6.0.4"}]}]},
            {"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"SEMVER","events":[{"introduced":"6.1.0"},{"fixed":"6.1.2"}]}]},
            {"package":{"ecosystem":"npm","name":"other"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#,
        );
        assert!(affected(&r, "npm", "qs", "6.0.3"));
        assert!(!affected(&r, "npm", "qs", "6.0.5"));
        assert!(affected(&r, "npm", "qs", "6.1.1"));
        let scheme = Scheme::SemVer;
        let v = scheme.parse("6.1.1").unwrap();
        let e = evaluate(
            &r,
            &Target {
                ecosystem: "npm",
                name: "qs",
                version_str: "6.1.1",
                version: Some(&v),
            },
        );
        assert_eq!(e.fixed, vec!["6.1.2".to_owned()]);
    }

    #[test]
    fn pep440_versions_lists_match_equivalent_spellings() {
        assert_eq!(pep440_key("1.0.0"), pep440_key("1.0"));
        assert_eq!(pep440_key("V1.0RC1"), pep440_key("1.0rc1"));
        assert_eq!(pep440_key("1.0.post1"), pep440_key("1.0post1"));
        assert_ne!(pep440_key("1.0.1"), pep440_key("1.0"));
        assert_ne!(pep440_key("1.10"), pep440_key("1.1"));
    }

    #[test]
    fn go_versions_with_v_prefix_and_pseudo_versions() {
        let r = record(
            r#"{"id":"GO-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"golang.org/x/crypto"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.0.0-20201216223049-8b5274cf687f"}]}]}]}"#,
        );
        assert!(affected(
            &r,
            "Go",
            "golang.org/x/crypto",
            "v0.0.0-20200622213623-75b288015ac9"
        ));
        assert!(!affected(&r, "Go", "golang.org/x/crypto", "v0.1.0"));
    }

    #[test]
    fn schema_breaking_records_are_rejected() {
        assert!(Record::from_json("a.json", br#"{"id":"X"}"#).is_err());
        assert!(Record::from_json("a.json", br#"{"id":"X","modified":"t","affected":[{"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}"#).is_err());
        assert!(
            Record::from_json("a.json", br#"{"id":"X","modified":"t","affected":"nope"}"#).is_err()
        );
    }
}
