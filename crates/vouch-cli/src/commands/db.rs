//! `vouch db`: build and refresh the offline OSV database that `vouch scan --offline` reads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use indicatif::ProgressBar;
use vouch_osv::db::{self, Database, ImportReporter};

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// Where the database lives: `--db DIR`, else `VOUCH_DB`, else the user cache directory.
#[derive(Debug, Args, Clone)]
pub struct DbLocation {
    /// Database directory [default: $VOUCH_DB, else <user cache dir>/vouch/osv].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,
}

impl DbLocation {
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        if let Some(d) = &self.db {
            return Ok(d.clone());
        }
        if let Some(d) = std::env::var_os("VOUCH_DB").filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(d));
        }
        default_cache_dir()
            .map(|c| c.join("vouch").join("osv"))
            .ok_or_else(|| {
                crate::error::hinted(
                    anyhow::anyhow!("no database location: no user cache directory"),
                    "pass --db DIR or set VOUCH_DB",
                )
            })
    }
}

fn default_cache_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library/Caches"));
    }
    if cfg!(windows) {
        return env("LOCALAPPDATA");
    }
    env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|h| h.join(".cache")))
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build the database from osv.dev exports (`<Ecosystem>/all.zip`), zip files or folders
    /// of OSV JSON records.
    Import(ImportArgs),
    /// Download osv.dev's exports over HTTP (incrementally where `modified_id.csv` allows).
    Update(UpdateArgs),
    /// Show the database's source, snapshot time and contents.
    Info(InfoArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export roots, `all.zip` files, record files or folders of records.
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Base URL of an osv.dev-style export bucket.
    #[arg(long = "from", value_name = "URL", default_value = vouch_osv::api::DEFAULT_EXPORT_URL)]
    pub from: String,
    /// Ecosystems to fetch [default: those already in the database, else crates.io, npm,
    /// PyPI, Go, Maven, RubyGems, Packagist, NuGet].
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub location: DbLocation,
}

/// The build time written into databases: `SOURCE_DATE_EPOCH` when set, else now.
pub fn build_time() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Draws import progress.
pub struct BarReporter(pub ProgressBar);

impl ImportReporter for BarReporter {
    fn on_source(&self, name: &str, total: usize) {
        self.0.set_position(0);
        self.0.set_length(total as u64);
        let short = Path::new(name)
            .parent()
            .and_then(Path::file_name)
            .map_or(name.to_owned(), |n| n.to_string_lossy().into_owned());
        self.0.set_message(short);
    }
    fn on_progress(&self, n: usize) {
        self.0.inc(n as u64);
    }
    fn on_finish(&self) {
        self.0.finish_and_clear();
    }
}

pub fn run(ctx: &Context, args: DbArgs) -> anyhow::Result<Status> {
    match args.command {
        DbCommand::Import(a) => import(ctx, a),
        DbCommand::Update(a) => update(ctx, a),
        DbCommand::Info(a) => info(ctx, a),
    }
}

fn report_summary(ctx: &Context, dest: &Path, summary: &db::ImportSummary) {
    for d in &summary.diagnostics {
        let at = d
            .location
            .as_ref()
            .map(|l| format!(" ({})", l.file))
            .unwrap_or_default();
        ctx.warn(&format!("[{}] {}{at}", d.code, d.message));
    }
    let per: Vec<String> = summary
        .ecosystems
        .iter()
        .map(|(e, n)| format!("{e} {n}"))
        .collect();
    ctx.note(&format!(
        "imported {} records into `{}` ({}){}",
        summary.records,
        dest.display(),
        per.join(", "),
        if summary.diagnostics.is_empty() {
            String::new()
        } else {
            format!("; {} problem(s) reported above", summary.diagnostics.len())
        }
    ));
}

fn import(ctx: &Context, a: ImportArgs) -> anyhow::Result<Status> {
    let dest = a.location.resolve()?;
    let bar = crate::progress::bar(ctx, 0, "importing");
    let summary = db::import(&a.sources, &dest, &build_time(), &BarReporter(bar))
        .with_context(|| format!("failed to import into `{}`", dest.display()))?;
    report_summary(ctx, &dest, &summary);
    Ok(Status::Ok)
}

fn update(ctx: &Context, a: UpdateArgs) -> anyhow::Result<Status> {
    let dest = a.location.resolve()?;
    let bar = crate::progress::bar(ctx, 0, "downloading");
    let summary = vouch_osv::api::update_database(
        &dest,
        &a.from,
        &a.ecosystems,
        &build_time(),
        &BarReporter(bar),
    )
    .with_context(|| format!("failed to update `{}` from `{}`", dest.display(), a.from))?;
    report_summary(ctx, &dest, &summary);
    Ok(Status::Ok)
}

fn info(ctx: &Context, a: InfoArgs) -> anyhow::Result<Status> {
    let dir = a.location.resolve()?;
    let db = Database::open(&dir).map_err(|e| {
        crate::error::hinted(e, "build one with `vouch db import` or `vouch db update`")
    })?;
    let json = serde_json::to_vec_pretty(db.meta())?;
    let format = ctx.format(
        &["json", "text"],
        if ctx.stdout_tty { "text" } else { "json" },
    )?;
    if format == "json" {
        let mut out = json;
        out.push(b'\n');
        crate::output::emit(ctx, &out)?;
    } else {
        let m = db.meta();
        let mut s = format!(
            "database  {}\nsource    {}\nsnapshot  {}\nbuilt     {}\n",
            dir.display(),
            m.source.join(", "),
            m.snapshot.as_deref().unwrap_or("unknown"),
            m.built
        );
        for (e, em) in &m.ecosystems {
            let _ = writeln!(
                s,
                "  {e:<12} {:>6} records {:>6} packages",
                em.records, em.packages
            );
        }
        crate::output::emit(ctx, s.as_bytes())?;
    }
    Ok(Status::Ok)
}
