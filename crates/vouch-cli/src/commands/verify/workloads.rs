//! `vouch verify workloads`: the fleet audit ("zero unsigned images in prod").
//!
//! Reads `kubectl get pods,deployments,statefulsets,daemonsets,jobs,cronjobs -A -o json`
//! output and decides every distinct image with the admission webhook's own decision code
//! (`vouch_webhook::audit`), policy and caches. This module loads the inputs, renders the
//! report (table, JSON, Markdown, SARIF) and maps it to an exit code: 1 when any image would
//! be denied, 2 when none is denied but some could not be verified.

use std::fmt::Write as _;
use std::io::Read as _;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{json, Value};
use vouch_webhook::audit::{AuditReport, AuditResult};

use crate::args::verify::WorkloadsArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::policy::{load_policy_file, load_trusted_root};

fn read_input(path: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("failed to read standard input")?;
        return Ok(("standard input".to_owned(), buf));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read: {}", path.display(), e.kind()))?;
    Ok((path.display().to_string(), bytes))
}

pub fn run(ctx: &Context, args: WorkloadsArgs) -> anyhow::Result<Status> {
    let default = if ctx.stdout_tty || ctx.output.is_none() {
        "table"
    } else {
        "json"
    };
    let format = ctx.format(&["table", "json", "markdown", "sarif"], default)?;
    let (source_name, bytes) = read_input(&args.input)?;
    let workloads = vouch_webhook::audit::workloads(&source_name, &bytes)?;
    let policy = load_policy_file(&args.policy)?;
    let trusted_root = match &args.trusted_root {
        Some(path) => Some(load_trusted_root(path)?),
        None => None,
    };
    let db = if policy.policies.iter().any(|p| p.rescan.is_some()) {
        Some(args.db.resolve()?)
    } else {
        None
    };
    let settings = vouch_webhook::Settings {
        policy,
        trusted_root,
        db,
        registry: args.registry.options(None),
        budget: Duration::from_secs(args.budget.max(1)),
        platforms: args.platforms.into(),
        cache: vouch_webhook::cache::CacheSettings::default(),
    };
    let webhook = vouch_webhook::Webhook::new(settings)?;
    let report =
        crate::support::registry::block_on(vouch_webhook::audit::audit(&webhook, &workloads))?;
    let out = match format {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&report)?;
            v.push(b'\n');
            v
        }
        "markdown" => markdown(&report).into_bytes(),
        "sarif" => {
            let mut v = serde_json::to_vec_pretty(&sarif(&report))?;
            v.push(b'\n');
            v
        }
        _ => table(&report).into_bytes(),
    };
    crate::support::output::emit(ctx, &out)?;
    ctx.note(&summary(&report));
    if report.count(&AuditResult::Denied) > 0
        || report
            .rows
            .iter()
            .any(|r| r.result == AuditResult::Unmatched && !r.admitted)
    {
        return Ok(Status::Failed);
    }
    if report.any_denied() {
        anyhow::bail!(
            "could not verify {} workload images (the webhook would deny them until they can be verified)",
            report.count(&AuditResult::CouldNotVerify)
        );
    }
    Ok(Status::Ok)
}

fn result_word(r: &AuditResult) -> &'static str {
    match r {
        AuditResult::Admitted => "admitted",
        AuditResult::Denied => "DENIED",
        AuditResult::CouldNotVerify => "could-not-verify",
        AuditResult::Unmatched => "unmatched",
    }
}

fn summary(r: &AuditReport) -> String {
    format!(
        "{} workloads, {} distinct images: {} admitted, {} denied, {} could not be verified, {} matched no policy",
        r.workloads,
        r.images,
        r.count(&AuditResult::Admitted),
        r.count(&AuditResult::Denied),
        r.count(&AuditResult::CouldNotVerify),
        r.count(&AuditResult::Unmatched),
    )
}

fn workload(row: &vouch_webhook::audit::AuditRow) -> String {
    if row.namespace.is_empty() {
        format!("{} {}", row.kind, row.name)
    } else {
        format!("{} {}/{}", row.kind, row.namespace, row.name)
    }
}

fn table(r: &AuditReport) -> String {
    let header = ["WORKLOAD", "CONTAINER", "IMAGE", "RESULT", "CODES"];
    let rows: Vec<[String; 5]> = r
        .rows
        .iter()
        .map(|row| {
            [
                workload(row),
                row.container.clone(),
                row.pinned.clone().unwrap_or_else(|| row.image.clone()),
                result_word(&row.result).to_owned(),
                row.codes.join(","),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = String::new();
    let line = |s: &mut String, cells: &[&str]| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ");
            }
        }
        s.push_str(l.trim_end());
        s.push('\n');
    };
    line(&mut s, &header);
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&mut s, &cells);
    }
    for row in r.rows.iter().filter(|row| !row.message.is_empty()) {
        let _ = writeln!(
            s,
            "\n{} `{}` ({}): {}",
            workload(row),
            row.image,
            result_word(&row.result),
            row.message
        );
    }
    s
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &AuditReport) -> String {
    let mut s = String::from("## vouch verify workloads\n\n");
    let _ = writeln!(s, "{}\n", summary(r));
    s.push_str("| workload | container | image | result | codes | why |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    for row in &r.rows {
        let _ = writeln!(
            s,
            "| {} | {} | `{}` | {} | {} | {} |",
            md(&workload(row)),
            md(&row.container),
            md(row.pinned.as_deref().unwrap_or(&row.image)),
            result_word(&row.result),
            md(&row.codes.join(", ")),
            md(&row.message)
        );
    }
    s
}

/// SARIF 2.1.0: one result per workload image that is not admitted, located by the
/// workload as a logical location (there is no file).
fn sarif(r: &AuditReport) -> Value {
    let mut rules: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for row in r.rows.iter().filter(|row| !row.admitted) {
        let rule = row
            .codes
            .first()
            .cloned()
            .unwrap_or_else(|| result_word(&row.result).to_lowercase());
        if !rules.contains(&rule) {
            rules.push(rule.clone());
        }
        results.push(json!({
            "ruleId": rule,
            "level": if row.result == AuditResult::Denied { "error" } else { "warning" },
            "message": { "text": format!("{} `{}` ({} `{}`): {}: {}", workload(row), row.image, row.container_kind, row.container, result_word(&row.result), row.message) },
            "locations": [{
                "logicalLocations": [{
                    "fullyQualifiedName": workload(row),
                    "kind": "resource",
                }]
            }],
            "properties": {
                "image": row.image,
                "pinned": row.pinned,
                "codes": row.codes,
            }
        }));
    }
    rules.sort();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "vouch",
                "informationUri": "https://github.com/vouch-dev/vouch",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|id| json!({
                    "id": id,
                    "shortDescription": { "text": format!("image {id}") },
                    "helpUri": "https://github.com/vouch-dev/vouch/blob/main/docs/policy.md#failure-codes",
                })).collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    })
}
