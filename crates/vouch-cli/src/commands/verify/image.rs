//! `vouch verify image`: the deploy-time check of an image in its registry.
//!
//! A thin front-end over [`vouch_verify::verify_image`], which resolves the reference once,
//! reads signatures and attestations from both storage schemes, verifies them and evaluates
//! the policy (the admission webhook calls the same function). This module loads the policy
//! or builds the one-key shorthand policy, sets the registry's time budget, renders the
//! verdicts and maps them to an exit code.
//!
//! Every registry failure (unreachable, timeout, 5xx, digest mismatch, oversized or malformed
//! manifest) is "could not verify" (exit 2), never an admission.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use vouch_policy::PolicySet;

use crate::args::verify::ImageArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::policy::{could_not_verify, load_policy_file, load_trusted_root};
use crate::support::registry::{self, COSIGN_SIGN_PREDICATE};

fn load_policy(args: &ImageArgs) -> anyhow::Result<PolicySet> {
    if let Some(path) = &args.policy {
        return load_policy_file(path);
    }
    let key_path = args
        .key
        .as_ref()
        .expect("clap requires --key without --policy");
    let pem = std::fs::read_to_string(key_path)
        .with_context(|| format!("`{}`: cannot read key file", key_path.display()))?;
    let mut types = vec![COSIGN_SIGN_PREDICATE.to_owned()];
    types.extend(args.require_predicate.iter().cloned());
    Ok(PolicySet::simple(
        &key_path.display().to_string(),
        &pem,
        &types,
    )?)
}

pub fn run(ctx: &Context, args: ImageArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let reference = registry::parse_ref(&args.image)?;
    let set = load_policy(&args)?;
    let name = reference.name();
    // Files are read only when a policy for this image needs them.
    let root = match &args.trusted_root {
        Some(path) if vouch_verify::wants_keyless(&set, &name) => Some(load_trusted_root(path)?),
        _ => None,
    };
    let db = if vouch_verify::wants_rescan(&set, &name) {
        Some(args.db.resolve()?)
    } else {
        None
    };
    // Each request has `--registry-timeout`; the whole verification gets four times that,
    // so a registry that answers slowly to every request still ends in "could not verify".
    let registry = args.registry.registry_with_total(Some(Duration::from_secs(
        args.registry.registry_timeout.max(1) * 4,
    )))?;
    let options = vouch_verify::VerifyImageOptions {
        policy: &set,
        registry: &registry,
        trusted_root: root.as_ref(),
        rescan_db: db.as_deref(),
        now: time::OffsetDateTime::now_utc(),
        platforms: args.platforms.into(),
    };
    let image = registry::block_on(vouch_verify::verify_image(&reference, &options))?
        .map_err(could_not_verify)?;
    ctx.note(&format!(
        "{} registry round trips (plus {} for authentication)",
        registry.round_trips(),
        registry.auth_round_trips()
    ));
    let admitted = image.admitted();
    let verdicts = &image.verdicts;
    let out = if format == "json" {
        let value = if verdicts.len() == 1 {
            serde_json::to_value(&verdicts[0])?
        } else {
            serde_json::to_value(verdicts)?
        };
        let mut v = serde_json::to_vec_pretty(&value)?;
        v.push(b'\n');
        v
    } else {
        let mut s = String::new();
        for v in verdicts {
            s.push_str(&v.render_text());
            if !s.ends_with('\n') {
                s.push('\n');
            }
        }
        if verdicts.len() > 1 {
            let _ = writeln!(
                s,
                "{}: {} platform manifests of {}",
                if admitted { "admitted" } else { "DENIED" },
                verdicts.len(),
                image.reference
            );
        }
        // What to deploy: the reference pinned to the digest that was verified, so a later
        // move of the tag cannot change what runs.
        if let (true, Some(_)) = (admitted, image.reference.digest()) {
            let _ = writeln!(s, "pinned: {}", image.reference);
        }
        s.into_bytes()
    };
    crate::support::output::emit(ctx, &out)?;
    Ok(if admitted { Status::Ok } else { Status::Failed })
}
