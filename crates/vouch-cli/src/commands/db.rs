//! `vouch db`: build and refresh the offline OSV database that `vouch scan --offline` reads.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use indicatif::ProgressBar;
use vouch_osv::db::{self, Database, ImportReporter};

use crate::args::db::{DbArgs, DbCommand, ImportArgs, InfoArgs, UpdateArgs};
use crate::context::Context;
use crate::status::Status;
use crate::support::db::build_time;

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
    let bar = crate::support::progress::bar(ctx, 0, "importing");
    let summary = db::import(&a.sources, &dest, &build_time(), &BarReporter(bar))
        .with_context(|| format!("failed to import into `{}`", dest.display()))?;
    report_summary(ctx, &dest, &summary);
    Ok(Status::Ok)
}

fn update(ctx: &Context, a: UpdateArgs) -> anyhow::Result<Status> {
    let dest = a.location.resolve()?;
    let bar = crate::support::progress::bar(ctx, 0, "downloading");
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
        crate::support::output::emit(ctx, &out)?;
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
        crate::support::output::emit(ctx, s.as_bytes())?;
    }
    Ok(Status::Ok)
}
