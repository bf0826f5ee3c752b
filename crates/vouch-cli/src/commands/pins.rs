//! `vouch pins`: check references, install commands and lockfile records; `pins diff`; `pins fix`.

mod fix;
mod render;

use std::path::PathBuf;

use anyhow::Context as _;
use vouch_pins::scan::Options;
use vouch_pins::Config;

use crate::args::pins::{CheckArgs, DiffArgs, PinsArgs, PinsCommand};
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: PinsArgs) -> anyhow::Result<Status> {
    match args.command {
        None => check(ctx, args.check),
        Some(PinsCommand::Diff(a)) => diff(ctx, a),
        Some(PinsCommand::Fix(a)) => fix::run(ctx, a),
    }
}

/// Draws the walk's progress.
struct Progress(indicatif::ProgressBar);

impl vouch_pins::scan::Reporter for Progress {
    fn on_start(&self, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len}")
                .expect("valid template")
                .progress_chars("=> "),
        );
    }
    fn on_file(&self, _rel: &str) {
        self.0.inc(1);
    }
    fn on_finish(&self) {
        self.0.finish_and_clear();
    }
}

fn check(ctx: &Context, args: CheckArgs) -> anyhow::Result<Status> {
    let default = if ctx.stdout_tty { "table" } else { "json" };
    let format = ctx.format(&["table", "json", "sarif"], default)?;
    let root = if args.path.is_dir() {
        args.path.clone()
    } else {
        args.path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), PathBuf::from)
    };
    let (config, _) = Config::load(&root).with_context(|| "failed to load the pins policy")?;
    let opts = Options {
        lockfiles: !args.no_lockfiles,
        exclude: args.exclude,
        ..Options::default()
    };
    let progress = Progress(crate::support::progress::bar(ctx, 0, "checking"));
    let github = if args.online {
        Some(
            vouch_pins::github::GitHub::new(&args.github_api, std::env::var("GITHUB_TOKEN").ok())
                .context("invalid `--github-api`")?,
        )
    } else {
        None
    };
    let tags = github
        .as_ref()
        .map(|g| g as &dyn vouch_pins::online::TagLookup);
    let report = vouch_pins::scan::check_path_full(&args.path, &config, &opts, &progress, tags)
        .map_err(|e| {
            crate::error::hinted(
            anyhow::Error::new(e),
            "give a repository directory or a workflow, Dockerfile, manifest, script or lockfile",
        )
        })?;
    let bytes = match format {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&report)?;
            v.push(b'\n');
            v
        }
        "sarif" => render::sarif(&report),
        _ => render::table(&report, ctx.color).into_bytes(),
    };
    crate::support::output::emit(ctx, &bytes)?;
    Ok(if report.failed() {
        Status::Failed
    } else {
        Status::Ok
    })
}

fn diff(ctx: &Context, args: DiffArgs) -> anyhow::Result<Status> {
    let default = if ctx.stdout_tty { "table" } else { "json" };
    let format = ctx.format(&["table", "json"], default)?;
    let record =
        vouch_pins::diff::diff_revisions(&args.path, &args.from, &args.to).map_err(|e| {
            crate::error::hinted(
                anyhow::Error::new(e),
                "run inside a git work tree and name revisions `git rev-parse` knows",
            )
        })?;
    let bytes = match format {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&record)?;
            v.push(b'\n');
            v
        }
        _ => render::diff_table(&record).into_bytes(),
    };
    crate::support::output::emit(ctx, &bytes)?;
    Ok(if record.has_critical() {
        Status::Failed
    } else {
        Status::Ok
    })
}
