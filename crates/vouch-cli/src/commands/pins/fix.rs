//! `vouch pins fix`: tags to commit ids and digests, through GitHub and the registries.

use std::str::FromStr as _;

use anyhow::Context as _;
use vouch_pins::fix::{self, ActionResolver, ImageResolver};
use vouch_pins::scan::{FileKind, Options};

use crate::args::pins::FixArgs;
use crate::context::Context;
use crate::status::Status;

/// Resolves image tags through `vouch-oci` (one manifest request each, hashed locally).
struct Registries {
    options: vouch_oci::RegistryOptions,
}

impl ImageResolver for Registries {
    fn resolve(&self, image: &str) -> Result<String, String> {
        let r = vouch_core::ImageRef::from_str(image).map_err(|e| e.to_string())?;
        let d = vouch_oci::resolve(&r, &self.options).map_err(|e| e.to_string())?;
        Ok(format!("{}:{}", d.algorithm().as_str(), d.hex()))
    }
}

pub fn run(ctx: &Context, args: FixArgs) -> anyhow::Result<Status> {
    let files = vouch_pins::scan::discover(&args.path, &Options::default())?;
    let github = if args.images_only {
        None
    } else {
        Some(
            vouch_pins::github::GitHub::new(&args.github_api, std::env::var("GITHUB_TOKEN").ok())
                .context("invalid `--github-api`")?,
        )
    };
    let registries = (!args.actions_only).then(|| Registries {
        options: vouch_oci::RegistryOptions::default(),
    });
    let actions: Option<&dyn ActionResolver> = github.as_ref().map(|g| g as &dyn ActionResolver);
    let images: Option<&dyn ImageResolver> = registries.as_ref().map(|r| r as &dyn ImageResolver);
    let mut diff = String::new();
    let (mut edited, mut edits, mut skipped) = (0, 0, 0);
    for (path, rel, kind) in files {
        if !matches!(
            kind,
            FileKind::Workflow
                | FileKind::Action
                | FileKind::Dockerfile
                | FileKind::Compose
                | FileKind::Kubernetes
        ) {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        let result = fix::fix_text(kind, &rel, &text, actions, images);
        for s in &result.skipped {
            ctx.warn(&format!(
                "{rel}:{}: `{}` not pinned: {}",
                s.line, s.reference, s.reason
            ));
        }
        skipped += result.skipped.len();
        if result.text == text {
            continue;
        }
        edited += 1;
        edits += result.edits.len();
        if args.dry_run {
            diff.push_str(&fix::unified_diff(&rel, &text, &result.text));
        } else {
            crate::support::output::write_atomic(&path, result.text.as_bytes())?;
        }
    }
    if args.dry_run {
        crate::support::output::emit(ctx, diff.as_bytes())?;
    }
    ctx.note(&format!(
        "{} {edits} reference{} in {edited} file{}{}",
        if args.dry_run { "would pin" } else { "pinned" },
        if edits == 1 { "" } else { "s" },
        if edited == 1 { "" } else { "s" },
        if skipped > 0 {
            format!("; {skipped} could not be pinned")
        } else {
            String::new()
        }
    ));
    Ok(if skipped > 0 {
        Status::Failed
    } else {
        Status::Ok
    })
}
