//! Triage: what a team decided about findings, applied to a [`Report`] the same way wherever a
//! scan runs (`vouch scan`, `vouch release`, the deploy-time re-scan).
//!
//! Two sources: an ignore file (TOML `[[ignore]]` entries with `id`, `reason` and `expires`,
//! optionally `package`; an ignore is valid through its expiry day, after which it no longer
//! applies and says so), and OpenVEX documents whose `not_affected`/`fixed` statements
//! suppress the findings they name. A suppressed finding stays in the report, marked with
//! why, and no longer fails the scan. Any entry that does not say why or until when makes the
//! whole file unusable: a suppression nobody can review is worse than none.

use std::path::Path;

use serde::Deserialize;
use vouch_core::{Diagnostic, Level, Purl};

use crate::scan::{Finding, Report, Suppression};

/// Why an ignore file or a VEX document cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("failed to read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse ignore file `{path}`")]
    IgnoreSyntax {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    /// `at` names the file, line and entry number.
    #[error("{at}: ignore entry has no `id`")]
    NoId { at: String },
    #[error("{at}: ignore of `{id}` has no `reason`")]
    NoReason { at: String, id: String },
    #[error("{at}: ignore of `{id}` has no `expires` date")]
    NoExpires { at: String, id: String },
    #[error("{at}: `expires` of `{id}` must be a date, got `{got}`")]
    ExpiresNotADate { at: String, id: String, got: String },
    #[error("{at}: `expires` of `{id}` is not a YYYY-MM-DD date: `{expires}`")]
    ExpiresFormat {
        at: String,
        id: String,
        expires: String,
    },
    #[error("failed to parse OpenVEX document `{path}`")]
    VexSyntax {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{path}` is not an OpenVEX document (no `@context` https://openvex.dev/ns…)")]
    NotVex { path: String },
    #[error("`{path}`: OpenVEX document has no `statements` array")]
    NoStatements { path: String },
    #[error("`{path}`: statement {index} has no `status`")]
    NoStatus { path: String, index: usize },
    #[error("`{path}`: statement {index} names no vulnerability")]
    NoVulnerability { path: String, index: usize },
}

/// One `[[ignore]]` entry. `id`, `reason` and `expires` are required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Option<String>,
    reason: Option<String>,
    expires: Option<toml::Value>,
    /// Restrict to one package name.
    package: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnoreFile {
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

/// One validated ignore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub id: String,
    pub reason: String,
    /// `YYYY-MM-DD` (the ignore is valid through that day).
    pub expires: String,
    pub package: Option<String>,
    /// The line of its `[[ignore]]` header.
    pub line: u32,
}

/// An ignore file's entries, with the name diagnostics point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFile {
    pub file: String,
    pub ignores: Vec<Ignore>,
}

impl IgnoreFile {
    /// Reads and validates an ignore file.
    pub fn load(path: &Path) -> Result<Self, TriageError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TriageError::Read {
            path: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    /// Validates an ignore file's text; any entry without `id`, `reason` or a valid `expires`
    /// date makes the whole file unusable.
    pub fn parse(file: &str, text: &str) -> Result<Self, TriageError> {
        let raw: RawIgnoreFile =
            toml::from_str(text).map_err(|source| TriageError::IgnoreSyntax {
                path: file.to_owned(),
                source,
            })?;
        let header_lines: Vec<u32> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[ignore]]")
            .map(|(i, _)| i as u32 + 1)
            .collect();
        let mut out = Vec::new();
        for (i, r) in raw.ignore.into_iter().enumerate() {
            let line = header_lines.get(i).copied().unwrap_or(0);
            let at = format!("`{file}` line {line} (ignore #{})", i + 1);
            let Some(id) = r.id.filter(|s| !s.trim().is_empty()) else {
                return Err(TriageError::NoId { at });
            };
            let Some(reason) = r.reason.filter(|s| !s.trim().is_empty()) else {
                return Err(TriageError::NoReason { at, id });
            };
            let expires = match r.expires {
                Some(toml::Value::String(s)) => s,
                Some(toml::Value::Datetime(d)) => d.to_string(),
                Some(other) => {
                    return Err(TriageError::ExpiresNotADate {
                        at,
                        id,
                        got: other.to_string(),
                    })
                }
                None => return Err(TriageError::NoExpires { at, id }),
            };
            let day = expires.get(..10).unwrap_or("");
            let valid = day.len() == 10
                && day.as_bytes()[4] == b'-'
                && day.as_bytes()[7] == b'-'
                && day
                    .bytes()
                    .enumerate()
                    .all(|(j, b)| j == 4 || j == 7 || b.is_ascii_digit());
            if !valid {
                return Err(TriageError::ExpiresFormat { at, id, expires });
            }
            out.push(Ignore {
                id,
                reason,
                expires: day.to_owned(),
                package: r.package,
                line,
            });
        }
        Ok(Self {
            file: file.to_owned(),
            ignores: out,
        })
    }

    /// Applies the ignores valid on `today` (`YYYY-MM-DD`); expired and unused ones become
    /// diagnostics pointing at their line.
    pub fn apply(&self, report: &mut Report, today: &str) {
        for ig in &self.ignores {
            let expired = ig.expires.as_str() < today;
            let mut used = false;
            for f in &mut report.findings {
                if f.suppressed.is_some() || !finding_ids(f).any(|i| i == ig.id) {
                    continue;
                }
                if ig.package.as_ref().is_some_and(|p| *p != f.package.name) {
                    continue;
                }
                used = true;
                if !expired {
                    f.suppressed = Some(Suppression {
                        kind: "ignore".to_owned(),
                        reason: ig.reason.clone(),
                        until: Some(ig.expires.clone()),
                    });
                }
            }
            if expired {
                report.diagnostics.push(
                    Diagnostic::new(
                        "ignore-expired",
                        Level::Warning,
                        format!(
                            "ignore of `{}` expired on {}; not applied",
                            ig.id, ig.expires
                        ),
                    )
                    .at(&self.file, Some(ig.line)),
                );
            } else if !used {
                report.diagnostics.push(
                    Diagnostic::new(
                        "ignore-unused",
                        Level::Warning,
                        format!("ignore of `{}` matches no finding", ig.id),
                    )
                    .at(&self.file, Some(ig.line)),
                );
            }
        }
    }
}

fn finding_ids(f: &Finding) -> impl Iterator<Item = &str> {
    std::iter::once(f.id.as_str())
        .chain(f.aliases.iter().map(String::as_str))
        .chain(f.records.iter().map(String::as_str))
}

/// A `not_affected` (or `fixed`) OpenVEX statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    pub ids: Vec<String>,
    /// Product and subcomponent purls; empty = every package.
    pub purls: Vec<Purl>,
    pub reason: String,
}

fn vuln_ids(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Object(o) => {
            let mut ids: Vec<String> = o
                .get("name")
                .and_then(|n| n.as_str())
                .into_iter()
                .map(str::to_owned)
                .collect();
            if let Some(a) = o.get("aliases").and_then(|a| a.as_array()) {
                ids.extend(a.iter().filter_map(|x| x.as_str().map(str::to_owned)));
            }
            ids
        }
        _ => Vec::new(),
    }
}

/// Reads an OpenVEX document (v0.0.1 or v0.2.0).
pub fn load_vex(path: &Path) -> Result<Vec<VexStatement>, TriageError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TriageError::Read {
        path: file.clone(),
        source,
    })?;
    parse_vex(&file, &bytes)
}

/// The suppressing statements of an OpenVEX document (v0.0.1 or v0.2.0) named `file`.
pub fn parse_vex(file: &str, bytes: &[u8]) -> Result<Vec<VexStatement>, TriageError> {
    let path = || file.to_owned();
    let doc: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|source| TriageError::VexSyntax {
            path: path(),
            source,
        })?;
    let ctx = doc.get("@context").and_then(|c| c.as_str()).unwrap_or("");
    if !ctx.starts_with("https://openvex.dev/ns") {
        return Err(TriageError::NotVex { path: path() });
    }
    let statements = doc
        .get("statements")
        .and_then(|s| s.as_array())
        .ok_or_else(|| TriageError::NoStatements { path: path() })?;
    let mut out = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let status =
            s.get("status")
                .and_then(|v| v.as_str())
                .ok_or_else(|| TriageError::NoStatus {
                    path: path(),
                    index: i,
                })?;
        let ids = s.get("vulnerability").map(vuln_ids).unwrap_or_default();
        if ids.is_empty() {
            return Err(TriageError::NoVulnerability {
                path: path(),
                index: i,
            });
        }
        if !matches!(status, "not_affected" | "fixed") {
            continue;
        }
        let mut purls = Vec::new();
        for p in s
            .get("products")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let ids = std::iter::once(p).chain(
                p.get("subcomponents")
                    .and_then(|x| x.as_array())
                    .into_iter()
                    .flatten(),
            );
            for c in ids {
                let id = c.as_str().or_else(|| c.get("@id").and_then(|x| x.as_str()));
                if let Some(purl) = id.and_then(|x| x.parse::<Purl>().ok()) {
                    purls.push(purl);
                }
                if let Some(purl) = c
                    .get("identifiers")
                    .and_then(|x| x.get("purl"))
                    .and_then(|x| x.as_str())
                    .and_then(|x| x.parse::<Purl>().ok())
                {
                    purls.push(purl);
                }
            }
        }
        let reason = s
            .get("justification")
            .or_else(|| s.get("impact_statement"))
            .and_then(|v| v.as_str())
            .unwrap_or(status)
            .to_owned();
        out.push(VexStatement { ids, purls, reason });
    }
    Ok(out)
}

fn purl_matches(stmt: &Purl, pkg: &Purl) -> bool {
    stmt.ty() == pkg.ty()
        && stmt.full_name() == pkg.full_name()
        && stmt.version().is_none_or(|v| Some(v) == pkg.version())
}

/// Applies OpenVEX statements (before the fail threshold).
pub fn apply_vex(report: &mut Report, statements: &[VexStatement]) {
    for f in &mut report.findings {
        if f.suppressed.is_some() {
            continue;
        }
        let pkg: Option<Purl> = f.package.purl.as_deref().and_then(|p| p.parse().ok());
        for s in statements {
            if !finding_ids(f).any(|i| s.ids.iter().any(|x| x == i)) {
                continue;
            }
            let applies = s.purls.is_empty()
                // Statements only about the top-level product (no package purls) apply to
                // every package; otherwise the package must be named.
                || pkg.as_ref().is_some_and(|p| s.purls.iter().any(|sp| purl_matches(sp, p)));
            if applies {
                f.suppressed = Some(Suppression {
                    kind: "vex".to_owned(),
                    reason: s.reason.clone(),
                    until: None,
                });
                break;
            }
        }
    }
}

/// Everything a scan is triaged with: an optional ignore file and VEX statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triage {
    pub ignores: Option<IgnoreFile>,
    pub vex: Vec<VexStatement>,
}

impl Triage {
    /// Reads the ignore file (if any) and every VEX document, in that order.
    pub fn load(ignore_file: Option<&Path>, vex: &[impl AsRef<Path>]) -> Result<Self, TriageError> {
        let ignores = ignore_file.map(IgnoreFile::load).transpose()?;
        let mut statements = Vec::new();
        for v in vex {
            statements.extend(load_vex(v.as_ref())?);
        }
        Ok(Self {
            ignores,
            vex: statements,
        })
    }

    /// Ignores first (valid on `today`, `YYYY-MM-DD`), then VEX statements. The caller
    /// re-summarises the report ([`Report::resummarise`]) once its diagnostics are final.
    pub fn apply(&self, report: &mut Report, today: &str) {
        if let Some(ig) = &self.ignores {
            ig.apply(report, today);
        }
        apply_vex(report, &self.vex);
    }
}
