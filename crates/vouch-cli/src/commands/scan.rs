//! `vouch scan`: dependencies against OSV, from the offline database or the OSV API.

mod inputs;
mod render;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use indicatif::ProgressBar;
use vouch_core::{Diagnostic, Level as DiagLevel};
use vouch_osv::api::{OsvClient, DEFAULT_API_URL};
use vouch_osv::db::Database;
use vouch_osv::scan::{self as osv_scan, RecordSource, Report, ScanReporter};
use vouch_osv::severity::Level;
use vouch_osv::triage::{Triage, TriageError};

use super::db::{build_time, DbLocation};
use super::Status;
use crate::context::Context;

/// Severity threshold for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

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

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Project directories or lockfiles (Cargo.lock, package-lock.json, requirements*.txt,
    /// poetry.lock, uv.lock, Pipfile.lock, go.mod) [default: . unless --sbom].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan the components of a CycloneDX 1.5/1.6 or SPDX 2.3 JSON SBOM (`-` = stdin).
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<String>,
    /// Use the offline database only; never touch the network.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub location: DbLocation,
    /// OSV API base URL for online scans.
    #[arg(long, value_name = "URL", default_value = DEFAULT_API_URL)]
    pub osv_url: String,
    /// Fail (exit 1) only on findings at or above this severity [default: any
    /// non-informational finding fails]. Findings of unknown severity always fail.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Informational advisories (unmaintained, unsound) fail the scan too.
    #[arg(long)]
    pub fail_on_informational: bool,
    /// TOML file of ignored advisories (`[[ignore]]` with `id`, `reason`, `expires`).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// OpenVEX document whose `not_affected`/`fixed` statements suppress findings.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Skip development-only dependencies (where the lockfile marks them).
    #[arg(long)]
    pub no_dev: bool,
    /// Warn when the offline database's data is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub max_db_age: u64,
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

/// The CLI's wording for an unusable ignore file or VEX document: a hint where the fix is known.
pub fn triage_error(e: TriageError) -> anyhow::Error {
    match e {
        TriageError::NoReason { .. } | TriageError::NoExpires { .. } => crate::error::hinted(
            e,
            "every ignore needs `id`, `reason` and `expires = \"YYYY-MM-DD\"`",
        ),
        e => anyhow::Error::new(e),
    }
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
    for p in &paths {
        inputs::add_path(&mut collected, p, !args.no_dev)?;
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

    let bar = crate::progress::bar(ctx, 0, "scanning");
    let mut report: Report = osv_scan::scan(source.as_ref(), &collected.inputs, &BarReporter(bar))
        .context("scan failed")?;
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
    crate::output::emit(ctx, &out)?;

    let failed = osv_scan::fails(
        &report,
        args.fail_on.map(Level::from),
        args.fail_on_informational,
    );
    Ok(if failed { Status::Failed } else { Status::Ok })
}
