//! `vouch scan`: dependencies against OSV, from the offline database or the OSV API.

mod inputs;
mod render;

use std::path::PathBuf;

use anyhow::Context as _;
use indicatif::ProgressBar;
use vouch_core::{Diagnostic, Level as DiagLevel};
use vouch_osv::api::OsvClient;
use vouch_osv::db::Database;
use vouch_osv::scan::{self as osv_scan, RecordSource, Report, ScanReporter};
use vouch_osv::severity::Level;
use vouch_osv::triage::Triage;

use crate::args::scan::{FailOn, ScanArgs};
use crate::context::Context;
use crate::status::Status;
use crate::support::db::build_time;
use crate::support::triage::triage_error;

impl From<FailOn> for Level {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Low => Level::Low,
            FailOn::Medium => Level::Medium,
            FailOn::High => Level::High,
            FailOn::Critical => Level::Critical,
        }
    }
}

struct BarReporter(ProgressBar);

impl ScanReporter for BarReporter {
    fn on_start(&self, packages: usize) {
        self.0.set_length(packages as u64);
        self.0.set_message("querying");
    }
    fn on_queried(&self, n: usize) {
        self.0.inc(n as u64);
    }
    fn on_hydrate_start(&self, total: usize) {
        self.0.set_position(0);
        self.0.set_length(total as u64);
        self.0.set_message("fetching");
    }
    fn on_hydrated(&self, n: usize) {
        self.0.inc(n as u64);
    }
    fn on_finish(&self) {
        self.0.finish_and_clear();
    }
}

fn days_since(rfc3339: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some((time::OffsetDateTime::now_utc() - t).whole_days())
}

pub fn run(ctx: &Context, args: ScanArgs) -> anyhow::Result<Status> {
    let format = ctx.format(
        &["table", "json", "sarif", "markdown", "openvex"],
        if ctx.stdout_tty { "table" } else { "json" },
    )?;
    // Inputs, suppressions and data are all validated before anything is reported.
    let mut collected = inputs::Collected::default();
    if let Some(s) = &args.sbom {
        inputs::add_sbom(&mut collected, s)?;
    }
    let paths = if args.paths.is_empty() && args.sbom.is_none() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let catalog = vouch_catalog::CatalogOptions {
        no_dev: args.no_dev,
        format: crate::support::catalog::parse_type(args.lockfile_type.as_deref())?,
        ..vouch_catalog::CatalogOptions::default()
    };
    for p in &paths {
        if crate::support::image::add_if_image(
            ctx,
            p,
            args.platform.as_deref(),
            &mut collected.inputs,
            &mut collected.scanned,
        )? {
            continue;
        }
        inputs::add_path(&mut collected, p, &catalog)?;
    }
    let triage = Triage::load(args.ignore_file.as_deref(), &args.vex).map_err(triage_error)?;
    for n in &collected.notes {
        ctx.note(&format!("note: {n}"));
    }

    let offline = args.offline || args.location.db.is_some();
    let mut extra_diags = Vec::new();
    let source: Box<dyn RecordSource> = if offline {
        let dir = args.location.resolve()?;
        let db = Database::open(&dir).map_err(|e| {
            crate::error::hinted(
                e,
                "build the database with `vouch db import <osv export>` or `vouch db update`",
            )
        })?;
        match db.meta().snapshot.as_deref().and_then(days_since) {
            Some(age) if age > args.max_db_age as i64 => {
                let msg = format!(
                    "the offline database's data is {age} days old (snapshot {}); run `vouch db update`",
                    db.meta().snapshot.as_deref().unwrap_or("?")
                );
                ctx.warn(&msg);
                extra_diags.push(Diagnostic::new("db-stale", DiagLevel::Warning, msg));
            }
            None => extra_diags.push(Diagnostic::new(
                "db-stale",
                DiagLevel::Warning,
                "the offline database records no snapshot time",
            )),
            _ => {}
        }
        Box::new(db)
    } else {
        let mut client = OsvClient::new(&args.osv_url)?;
        if let Ok(dir) = args.location.resolve() {
            if let Some(parent) = dir.parent() {
                client = client.with_cache_dir(parent.join("osv-api"));
            }
        }
        Box::new(client)
    };

    let bar = crate::support::progress::bar(ctx, 0, "scanning");
    let mut report: Report = osv_scan::scan(source.as_ref(), &collected.inputs, &BarReporter(bar))
        .context("scan failed")
        .map_err(|e| {
            if offline {
                e
            } else {
                // Online by default: without the network there is the offline database.
                crate::error::hinted(
                    e,
                    format!(
                        "without access to {}, scan offline: build a database once with `vouch db update` \
                         (or `vouch db import <export>`), then pass `--offline` (or `--db DIR`)",
                        args.osv_url
                    ),
                )
            }
        })?;
    report.inputs = collected.scanned;
    report.diagnostics.extend(extra_diags);
    let today = build_time().get(..10).unwrap_or_default().to_owned();
    triage.apply(&mut report, &today);
    report.diagnostics.sort();
    report.diagnostics.dedup();
    report.resummarise();

    for d in &report.diagnostics {
        if d.code != "db-stale" && d.level >= DiagLevel::Warning {
            ctx.warn(&format!("[{}] {}", d.code, d.message));
        }
    }
    for u in &report.unparsed_versions {
        ctx.warn(&format!(
            "[version-unparsed] {} {} {}: {}",
            u.package.ecosystem, u.package.name, u.package.version, u.message
        ));
    }

    let mut out = match format {
        "json" => serde_json::to_vec_pretty(&report)?,
        "sarif" => serde_json::to_vec_pretty(&render::sarif(&report))?,
        "openvex" => serde_json::to_vec_pretty(&render::openvex(&report, &build_time()))?,
        "markdown" => render::markdown(&report).into_bytes(),
        _ => render::table(&report).into_bytes(),
    };
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    crate::support::output::emit(ctx, &out)?;

    let failed = osv_scan::fails(
        &report,
        args.fail_on.map(Level::from),
        args.fail_on_informational,
    );
    Ok(if failed { Status::Failed } else { Status::Ok })
}
