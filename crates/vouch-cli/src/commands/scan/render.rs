//! Rendering a scan [`Report`]: table, Markdown, SARIF 2.1.0 and OpenVEX (JSON is the
//! report itself).

use std::fmt::Write as _;

use serde_json::{json, Value};
use vouch_osv::scan::{Finding, Report};
use vouch_osv::severity::{Basis, Level};

fn severity_text(f: &Finding) -> String {
    if let Some(kind) = &f.informational {
        return format!("warning ({kind})");
    }
    let s = &f.severity;
    match (s.basis, s.score) {
        (Basis::CvssV3 | Basis::CvssV4, Some(score)) => format!("{} {score:.1}", s.level),
        (Basis::DatabaseLabel, _) => format!("{} (label)", s.level),
        _ => s.level.to_string(),
    }
}

fn status(f: &Finding) -> String {
    match &f.suppressed {
        Some(s) => format!("suppressed ({})", s.kind),
        None => String::new(),
    }
}

/// The way out: the fixes to upgrade to (`≥ 0.2.23`), not every version the record lists as
/// unaffected.
fn fixed_text(f: &Finding) -> String {
    match &f.upgrade {
        Some(u) => u.clone(),
        None if f.fixed.is_empty() => "-".to_owned(),
        None => f.fixed.join(", "),
    }
}

fn footer(r: &Report) -> String {
    let s = &r.summary;
    let mut levels: Vec<String> = ["critical", "high", "medium", "low", "unknown", "none"]
        .iter()
        .filter_map(|l| s.by_severity.get(*l).map(|n| format!("{n} {l}")))
        .collect();
    if levels.is_empty() {
        levels.push("none".to_owned());
    }
    // "warnings" are the `warning:` lines printed before the table (diagnostics and
    // unparsed versions); informational advisories (unmaintained, unsound) are counted apart.
    let warnings = r
        .diagnostics
        .iter()
        .filter(|d| d.level >= vouch_core::Level::Warning)
        .count()
        + r.unparsed_versions.len();
    format!(
        "{} packages scanned; {} vulnerabilities ({}) in {} packages; {} informational advisories; {} suppressed; {} unparsed versions; {warnings} warnings",
        s.packages,
        s.vulnerabilities,
        levels.join(", "),
        s.vulnerable_packages,
        s.warnings,
        s.suppressed,
        s.unparsed_versions
    )
}

/// A plain-text table for terminals.
pub fn table(r: &Report) -> String {
    let headers = ["PACKAGE", "VERSION", "ID", "SEVERITY", "FIXED", "SUMMARY"];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for f in &r.findings {
        let mut id = f.id.clone();
        let st = status(f);
        if !st.is_empty() {
            id = format!("{id} [{st}]");
        }
        let mut summary = f.summary.clone().unwrap_or_default();
        if summary.chars().count() > 60 {
            summary = summary.chars().take(57).collect::<String>() + "...";
        }
        rows.push([
            format!("{}:{}", f.package.ecosystem, f.package.name),
            f.package.version.clone(),
            id,
            severity_text(f),
            fixed_text(f),
            summary,
        ]);
    }
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    if !rows.is_empty() {
        let line = |cells: &[&str]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(c);
                } else {
                    let _ = write!(s, "{c:<w$}  ", w = widths[i]);
                }
            }
            s.trim_end().to_owned() + "\n"
        };
        out.push_str(&line(&headers));
        for row in &rows {
            out.push_str(&line(&row.each_ref().map(String::as_str)));
        }
        out.push('\n');
    }
    for u in &r.unparsed_versions {
        let _ = writeln!(
            out,
            "unparsed version: {}:{} {}: {}",
            u.package.ecosystem, u.package.name, u.package.version, u.message
        );
    }
    out.push_str(&footer(r));
    out.push('\n');
    out
}

fn md_escape(s: &str) -> String {
    // Table cells: no pipes, no line breaks, no raw HTML (`AtomicCell<*64>`).
    s.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown for PR comments.
pub fn markdown(r: &Report) -> String {
    let mut out = String::from("## vouch scan\n\n");
    let _ = writeln!(out, "{}\n", footer(r));
    if !r.findings.is_empty() {
        out.push_str("| Package | Version | Advisory | Severity | Fixed in | Summary |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for f in &r.findings {
            let mut id = format!("[{}]({})", f.id, f.url);
            if let Some(s) = &f.suppressed {
                let _ = write!(id, " (suppressed by {}: {})", s.kind, md_escape(&s.reason));
            }
            let _ = writeln!(
                out,
                "| {} `{}` | {} | {} | {} | {} | {} |",
                f.package.ecosystem,
                md_escape(&f.package.name),
                md_escape(&f.package.version),
                id,
                severity_text(f),
                md_escape(&fixed_text(f)),
                md_escape(f.summary.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }
    if !r.unparsed_versions.is_empty() {
        out.push_str("**Unparsed versions (not checked by range):**\n\n");
        for u in &r.unparsed_versions {
            let _ = writeln!(
                out,
                "- {} `{}` {}: {}",
                u.package.ecosystem,
                md_escape(&u.package.name),
                md_escape(&u.package.version),
                md_escape(&u.message)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<sub>Data: {} ({}){}</sub>",
        r.data.source.join(", "),
        r.data.mode,
        r.data
            .snapshot
            .as_deref()
            .map(|s| format!(", snapshot {s}"))
            .unwrap_or_default()
    );
    out
}

/// GitHub's `security-severity`: the CVSS score, or a representative score for a label.
fn security_severity(f: &Finding) -> Option<String> {
    if let Some(s) = f.severity.score {
        return Some(format!("{s:.1}"));
    }
    Some(
        match f.severity.level {
            Level::Critical => "9.5",
            Level::High => "8.0",
            Level::Medium => "5.5",
            Level::Low => "2.0",
            Level::None => "0.0",
            Level::Unknown => return None,
        }
        .to_owned(),
    )
}

fn sarif_level(f: &Finding) -> &'static str {
    if f.informational.is_some() {
        return "note";
    }
    match f.severity.level {
        Level::Critical | Level::High | Level::Unknown => "error",
        Level::Medium => "warning",
        Level::Low | Level::None => "note",
    }
}

/// SARIF 2.1.0 as GitHub code scanning accepts it: one rule per advisory, results located
/// at the lockfile line that declares the package.
pub fn sarif(r: &Report) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index = std::collections::BTreeMap::<&str, usize>::new();
    let mut results = Vec::new();
    for f in &r.findings {
        let idx = *rule_index.entry(f.id.as_str()).or_insert_with(|| {
            let mut props = json!({
                "tags": ["security", "vulnerability", if f.informational.is_some() { "informational" } else { "advisory" }],
                "precision": "very-high",
            });
            if let Some(s) = security_severity(f) {
                props["security-severity"] = json!(s);
            }
            let summary = f.summary.clone().unwrap_or_else(|| f.id.clone());
            let mut help = format!("{summary}\n\nAdvisory: {}", f.url);
            if !f.aliases.is_empty() {
                let _ = write!(help, "\nAliases: {}", f.aliases.join(", "));
            }
            rules.push(json!({
                "id": f.id,
                "name": f.id.replace(['-', '.'], "_"),
                "shortDescription": {"text": summary},
                "fullDescription": {"text": summary},
                "helpUri": f.url,
                "help": {"text": help, "markdown": format!("**{}**: {}\n\n[Advisory]({})", f.id, summary, f.url)},
                "properties": props,
            }));
            rules.len() - 1
        });
        let fixed = if f.fixed.is_empty() {
            "no fixed version".to_owned()
        } else {
            format!("fixed in {}", f.fixed.join(", "))
        };
        let message = format!(
            "{} {} is affected by {} ({}): {}",
            f.package.name,
            f.package.version,
            f.id,
            fixed,
            f.summary.as_deref().unwrap_or("")
        );
        let mut locations: Vec<Value> = f
            .locations
            .iter()
            .map(|l| {
                // Repository-relative where the path allows (`./Cargo.lock` → `Cargo.lock`).
                let uri = l.file.replace('\\', "/");
                let uri = uri.trim_start_matches("./");
                let mut phys = json!({"artifactLocation": {"uri": uri}});
                if let Some(line) = l.line.filter(|&n| n > 0) {
                    phys["region"] = json!({"startLine": line});
                }
                json!({"physicalLocation": phys})
            })
            .collect();
        locations.truncate(10);
        let mut result = json!({
            "ruleId": f.id,
            "ruleIndex": idx,
            "level": sarif_level(f),
            "message": {"text": message},
            "locations": locations,
            "partialFingerprints": {
                "vouchFinding/v1": format!("{}:{}/{}@{}", f.id, f.package.ecosystem, f.package.name, f.package.version),
            },
        });
        if let Some(s) = &f.suppressed {
            result["suppressions"] = json!([{
                "kind": "external",
                "justification": format!("{}: {}", s.kind, s.reason),
            }]);
        }
        results.push(result);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vouch",
                "informationUri": "https://github.com/vouch-dev/vouch",
                "version": r.tool.version,
                "semanticVersion": r.tool.version,
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// OpenVEX v0.2.0: `affected` for each open finding, `not_affected`/`fixed` carried over
/// for suppressed ones.
pub fn openvex(r: &Report, timestamp: &str) -> Value {
    let mut statements = Vec::new();
    for f in &r.findings {
        let product = f.package.purl.clone().unwrap_or_else(|| {
            format!(
                "{}/{}@{}",
                f.package.ecosystem, f.package.name, f.package.version
            )
        });
        let mut s = json!({
            "vulnerability": {"name": f.id, "aliases": f.aliases},
            "products": [{"@id": product}],
            "timestamp": timestamp,
        });
        if let Some(sup) = &f.suppressed {
            s["status"] = json!("not_affected");
            s["impact_statement"] = json!(format!("{}: {}", sup.kind, sup.reason));
        } else {
            {
                s["status"] = json!("affected");
                let action = if f.fixed.is_empty() {
                    "No fixed version is known.".to_owned()
                } else {
                    format!("Upgrade to {}.", f.fixed.join(" or "))
                };
                s["action_statement"] = json!(action);
            }
        }
        statements.push(s);
    }
    let mut hasher = 0u64;
    for b in serde_json::to_vec(&statements).unwrap_or_default() {
        hasher = hasher
            .wrapping_mul(1_099_511_628_211)
            .wrapping_add(u64::from(b));
    }
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("https://openvex.dev/docs/public/vex-vouch-{hasher:016x}"),
        "author": "vouch",
        "timestamp": timestamp,
        "version": 1,
        "tooling": format!("vouch {}", r.tool.version),
        "statements": statements,
    })
}
