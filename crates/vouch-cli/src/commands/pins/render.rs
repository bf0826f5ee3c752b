//! Table and SARIF renderings of a pins report.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::json;
use vouch_pins::diff::{ChangeKind, ChangeRecord};
use vouch_pins::{Code, Level, Report};

/// A human-readable table: one row per finding, then totals.
pub fn table(report: &Report, color: bool) -> String {
    let (red, yellow, dim, reset) = if color {
        ("\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut out = String::new();
    let width = report
        .findings
        .iter()
        .map(|f| f.file.len() + f.line.map_or(0, |l| l.to_string().len() + 1))
        .max()
        .unwrap_or(0);
    for f in &report.findings {
        let loc = match f.line {
            Some(l) => format!("{}:{l}", f.file),
            None => f.file.clone(),
        };
        let (c, tag) = match (&f.waived, f.level) {
            (Some(_), _) => (dim, "waived"),
            (None, Level::Error) => (red, "error"),
            (None, Level::Warning) => (yellow, "warning"),
            (None, Level::Note) => (dim, "note"),
        };
        let _ = writeln!(
            out,
            "{loc:<width$}  {c}{tag:<7}{reset} {:<26} {}",
            f.code.as_str(),
            f.message
        );
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{}{} files, {} references ({} pinned, {} not), {} lockfiles: {} errors, {} warnings, {} waived{}",
        if report.findings.is_empty() { "" } else { "\n" },
        s.files,
        s.references,
        s.pinned,
        s.unpinned,
        s.lockfiles,
        s.errors,
        s.warnings,
        s.waived,
        if report.failed() { "" } else { " — everything is pinned" },
    );
    out
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// SARIF 2.1.0, one rule per finding code used.
pub fn sarif(report: &Report) -> Vec<u8> {
    let used: BTreeSet<Code> = report.findings.iter().map(|f| f.code).collect();
    let rules: Vec<Code> = Code::ALL
        .iter()
        .copied()
        .filter(|c| used.contains(c))
        .collect();
    let rule_json: Vec<_> = rules
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.as_str(),
                "shortDescription": { "text": c.description() },
                "fullDescription": { "text": c.description() },
                "help": {
                    "text": format!("{}: {}", c.as_str(), c.description()),
                    "markdown": format!("**{}**: {}", c.as_str(), c.description()),
                },
                "properties": { "tags": ["security", "supply-chain", "pinning"], "precision": "very-high" },
                "helpUri": format!("https://github.com/vouch-dev/vouch/blob/main/docs/pins-codes.md#{}", c.as_str()),
            })
        })
        .collect();
    let results: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let mut region = serde_json::Map::new();
            if let Some(l) = f.line {
                region.insert("startLine".into(), json!(l));
            }
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": f.file, "uriBaseId": "%SRCROOT%" },
                }
            });
            if !region.is_empty() {
                location["physicalLocation"]["region"] = serde_json::Value::Object(region);
            }
            let mut r = json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": rules.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": sarif_level(f.level),
                "message": { "text": f.message },
                "locations": [location],
                "partialFingerprints": {
                    "vouchPins/v1": format!(
                        "{}:{}:{}",
                        f.code.as_str(),
                        f.file,
                        f.subject.as_deref().unwrap_or(&f.message)
                    ),
                },
            });
            if let Some(w) = &f.waived {
                r["suppressions"] = json!([{
                    "kind": "external",
                    "justification": format!("{} (expires {})", w.reason, w.expires),
                }]);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "vouch",
                "informationUri": "https://github.com/vouch-dev/vouch",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rule_json,
            }},
            "results": results,
        }],
    });
    let mut v = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    v.push(b'\n');
    v
}

/// A human-readable change record.
pub fn diff_table(r: &ChangeRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "lockfile changes {} ({}) → {} ({})",
        r.from.rev,
        &r.from.commit[..r.from.commit.len().min(12)],
        r.to.rev,
        &r.to.commit[..r.to.commit.len().min(12)]
    );
    for l in &r.lockfiles {
        let _ = writeln!(out, "\n{}", l.file);
        for c in &l.changes {
            let v = |s: &Option<vouch_pins::diff::PackageState>| {
                s.as_ref().map_or("-".to_owned(), |s| s.version.clone())
            };
            let what = match c.kind {
                ChangeKind::Added => "added",
                ChangeKind::Removed => "removed",
                ChangeKind::Upgraded => "upgraded",
                ChangeKind::Downgraded => "downgraded",
                ChangeKind::SourceChanged => "source changed",
                ChangeKind::HashChanged => "HASH CHANGED (critical)",
            };
            let _ = writeln!(out, "  {what:<24} {} {} → {}", c.name, v(&c.from), v(&c.to));
        }
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\n{} added, {} removed, {} upgraded, {} downgraded, {} source changed, {} hash changed",
        s.added, s.removed, s.upgraded, s.downgraded, s.source_changed, s.hash_changed
    );
    out
}
