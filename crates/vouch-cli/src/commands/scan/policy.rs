//! Suppressions: the ignore file (`--ignore-file`) and OpenVEX statements (`--vex`).

use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;
use vouch_core::{Diagnostic, Level, Purl};
use vouch_osv::scan::{Finding, Report, Suppression};

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

#[derive(Debug)]
pub struct Ignore {
    pub id: String,
    pub reason: String,
    /// `YYYY-MM-DD` (the ignore is valid through that day).
    pub expires: String,
    pub package: Option<String>,
    pub line: u32,
}

/// Reads and validates an ignore file; any entry without `id`, `reason` or a valid
/// `expires` date makes the whole file unusable.
pub fn load_ignores(path: &Path) -> anyhow::Result<Vec<Ignore>> {
    let display = path.display();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("failed to read `{display}`"))?;
    let raw: RawIgnoreFile = toml::from_str(&text)
        .with_context(|| format!("failed to parse ignore file `{display}`"))?;
    let header_lines: Vec<u32> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[ignore]]")
        .map(|(i, _)| i as u32 + 1)
        .collect();
    let mut out = Vec::new();
    for (i, r) in raw.ignore.into_iter().enumerate() {
        let line = header_lines.get(i).copied().unwrap_or(0);
        let at = format!("`{display}` line {line} (ignore #{})", i + 1);
        let id =
            r.id.filter(|s| !s.trim().is_empty())
                .ok_or_else(|| anyhow::anyhow!("{at}: ignore entry has no `id`"))?;
        let reason = r.reason.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            crate::error::hinted(
                anyhow::anyhow!("{at}: ignore of `{id}` has no `reason`"),
                "every ignore needs `id`, `reason` and `expires = \"YYYY-MM-DD\"`",
            )
        })?;
        let expires = match r.expires {
            Some(toml::Value::String(s)) => s,
            Some(toml::Value::Datetime(d)) => d.to_string(),
            Some(other) => anyhow::bail!("{at}: `expires` of `{id}` must be a date, got `{other}`"),
            None => {
                return Err(crate::error::hinted(
                    anyhow::anyhow!("{at}: ignore of `{id}` has no `expires` date"),
                    "every ignore needs `id`, `reason` and `expires = \"YYYY-MM-DD\"`",
                ))
            }
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
            anyhow::bail!("{at}: `expires` of `{id}` is not a YYYY-MM-DD date: `{expires}`");
        }
        out.push(Ignore {
            id,
            reason,
            expires: day.to_owned(),
            package: r.package,
            line,
        });
    }
    Ok(out)
}

fn finding_ids(f: &Finding) -> impl Iterator<Item = &str> {
    std::iter::once(f.id.as_str())
        .chain(f.aliases.iter().map(String::as_str))
        .chain(f.records.iter().map(String::as_str))
}

/// Applies ignores; expired and unused ones become diagnostics.
pub fn apply_ignores(report: &mut Report, ignores: &[Ignore], today: &str, file: &str) {
    for ig in ignores {
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
                .at(file, Some(ig.line)),
            );
        } else if !used {
            report.diagnostics.push(
                Diagnostic::new(
                    "ignore-unused",
                    Level::Warning,
                    format!("ignore of `{}` matches no finding", ig.id),
                )
                .at(file, Some(ig.line)),
            );
        }
    }
}

/// A `not_affected` (or `fixed`) OpenVEX statement.
#[derive(Debug)]
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
pub fn load_vex(path: &Path) -> anyhow::Result<Vec<VexStatement>> {
    let display = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("failed to read `{display}`"))?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("failed to parse OpenVEX document `{display}`"))?;
    let ctx = doc.get("@context").and_then(|c| c.as_str()).unwrap_or("");
    if !ctx.starts_with("https://openvex.dev/ns") {
        anyhow::bail!(
            "`{display}` is not an OpenVEX document (no `@context` https://openvex.dev/ns…)"
        );
    }
    let statements = doc
        .get("statements")
        .and_then(|s| s.as_array())
        .ok_or_else(|| {
            anyhow::anyhow!("`{display}`: OpenVEX document has no `statements` array")
        })?;
    let mut out = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let status = s
            .get("status")
            .and_then(|v| v.as_str())
            .ok_or_else(|| anyhow::anyhow!("`{display}`: statement {i} has no `status`"))?;
        let ids = s.get("vulnerability").map(vuln_ids).unwrap_or_default();
        if ids.is_empty() {
            anyhow::bail!("`{display}`: statement {i} names no vulnerability");
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
