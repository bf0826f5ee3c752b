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

pub mod support;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use vouch_policy::PolicySet;

use self::support::{RegistryArgs, COSIGN_SIGN_PREDICATE};
use crate::commands::Status;
use crate::context::Context;

/// What must carry the evidence when the reference names a multi-platform index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platforms {
    /// The index itself (what `cosign sign` on a tag signs).
    Index,
    /// Every platform manifest the index lists (what `cosign sign --recursive` adds).
    Each,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image to verify (`registry/repo:tag` or `…@sha256:<hex>`).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// A policy file (trusted signers, required attestations and their conditions).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "key",
        required_unless_present = "key"
    )]
    pub policy: Option<PathBuf>,
    /// A trusted public key: the image must carry a signature made with it.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// With `--key`: also require an attestation of this predicate type (URI or short name),
    /// signed with the key. Repeatable.
    #[arg(long, value_name = "TYPE", requires = "key")]
    pub require_predicate: Vec<String>,
    /// For a multi-platform index: whether the index or each platform must pass.
    #[arg(long, value_enum, default_value_t = Platforms::Index)]
    pub platforms: Platforms,
    /// The OSV database for policies that re-scan the attested SBOM at deploy time.
    #[command(flatten)]
    pub db: crate::commands::db::DbLocation,
    /// Trusted root for keyless (certificate) bundles [default: the embedded Sigstore
    /// public-good root]. Used when a policy for the image trusts keyless identities.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

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

/// Reads a policy file and the key files it names (relative to the policy's directory).
pub fn load_policy_file(path: &std::path::Path) -> anyhow::Result<PolicySet> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("`{}`: cannot read policy file", path.display()))?;
    let mut set = PolicySet::parse(&path.display().to_string(), &text)?;
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    set.load_key_files(|rel| {
        std::fs::read_to_string(dir.join(rel)).map_err(|e| format!("cannot read: {e}"))
    })?;
    Ok(set)
}

/// Reads a Sigstore trusted root file.
pub fn load_trusted_root(path: &std::path::Path) -> anyhow::Result<vouch_trust::TrustedRoot> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("`{}`: cannot read trusted root", path.display()))?;
    vouch_trust::TrustedRoot::from_json(&bytes)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))
}

/// The CLI's wording for a library "could not verify": a hint where the fix is known.
pub fn could_not_verify(e: vouch_verify::CouldNotVerify) -> anyhow::Error {
    match e {
        vouch_verify::CouldNotVerify::RescanDatabase { .. }
        | vouch_verify::CouldNotVerify::NoRescanDatabase { .. } => crate::error::hinted(
            anyhow::Error::new(e),
            "build it with `vouch db import …` or `vouch db update`, or pass --db DIR",
        ),
        e => anyhow::Error::new(e),
    }
}

pub fn run(ctx: &Context, args: ImageArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let reference = support::parse_ref(&args.image)?;
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
        platforms: match args.platforms {
            Platforms::Index => vouch_verify::Platforms::Index,
            Platforms::Each => vouch_verify::Platforms::Each,
        },
    };
    let image = support::block_on(vouch_verify::verify_image(&reference, &options))?
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
    crate::output::emit(ctx, &out)?;
    Ok(if admitted { Status::Ok } else { Status::Failed })
}
