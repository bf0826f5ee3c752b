//! What `vouch release` and `vouch attest` share around the release library: the clock, the
//! artifacts' digests, the project's SBOM, the bundle file, and the CLI's wording of
//! [`vouch_release::ReleaseError`].

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;
use vouch_core::{Digest, DigestAlgorithm};
use vouch_release::{Artifact, ReleaseError};
use vouch_sbom::time::OffsetDateTime;

use crate::args::release::{BuildArgs, SbomFormat};
use crate::context::Context;

impl From<SbomFormat> for vouch_release::SbomFormat {
    fn from(f: SbomFormat) -> Self {
        match f {
            SbomFormat::Cyclonedx => Self::Cyclonedx,
            SbomFormat::Spdx => Self::Spdx,
        }
    }
}

/// The build facts the library records.
pub fn build_info(args: &BuildArgs) -> vouch_release::BuildInfo {
    vouch_release::BuildInfo {
        project: args.project.clone(),
        builder_id: args.builder_id.clone(),
        invocation_id: args.invocation_id.clone(),
        source_uri: args.source_uri.clone(),
        source_commit: args.source_commit.clone(),
        source_ref: args.source_ref.clone(),
        started_on: args.started_on.clone(),
    }
}

/// The environment provenance reads (GitHub Actions variables).
pub fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// The time vouch records: `SOURCE_DATE_EPOCH` when set, else now.
pub fn record_time() -> anyhow::Result<OffsetDateTime> {
    let Some(raw) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(OffsetDateTime::now_utc());
    };
    let raw = raw.to_string_lossy();
    let secs: i64 = raw
        .trim()
        .parse()
        .with_context(|| format!("invalid SOURCE_DATE_EPOCH `{raw}`: not an integer"))?;
    OffsetDateTime::from_unix_timestamp(secs)
        .with_context(|| format!("invalid SOURCE_DATE_EPOCH `{raw}`: out of range"))
}

/// Digests the artifacts; a file named twice is one subject.
pub fn artifacts(ctx: &Context, paths: &[PathBuf]) -> anyhow::Result<Vec<Artifact>> {
    let mut out: Vec<Artifact> = Vec::with_capacity(paths.len());
    for p in paths {
        if p.as_os_str() == "-" {
            anyhow::bail!(
                "`-`: attestations are about files; standard input has no name to attest"
            );
        }
        if !p.is_file() {
            anyhow::bail!("`{}`: not a file", p.display());
        }
        let raw = crate::support::input::digest_file(ctx, p, vouch_sign::DigestAlgorithm::Sha256)?;
        let artifact = Artifact {
            path: p.clone(),
            digest: Digest::from_bytes(DigestAlgorithm::Sha256, &raw),
        };
        Artifact::push_unique(&mut out, artifact);
    }
    Ok(out)
}

/// The project's SBOM, cataloged exactly as `vouch sbom DIR --offline` does.
pub fn catalog(ctx: &Context, project: &Path) -> anyhow::Result<vouch_sbom::Sbom> {
    let options = crate::args::sbom::SbomArgs {
        path: project.to_path_buf(),
        platform: None,
        lockfile_type: None,
        no_dev: false,
        packages: Vec::new(),
        target: "all".to_owned(),
        features: Vec::new(),
        all_features: false,
        no_default_features: false,
        offline: true,
        profile: crate::args::sbom::Profile::All,
    };
    crate::commands::sbom::build(ctx, &options)
        .with_context(|| format!("failed to catalog `{}` for the SBOM", project.display()))
}

/// Writes bundle lines to `path`: appended to what is there (checked to be a readable bundle
/// first) or replacing it; always atomically.
pub fn write_bundle(path: &Path, lines: &[Value], append: bool) -> anyhow::Result<()> {
    let existing = if append && path.exists() {
        Some(std::fs::read_to_string(path).with_context(|| {
            format!("`{}`: cannot read the bundle to append to", path.display())
        })?)
    } else {
        None
    };
    let out = vouch_release::merge_bundle(&path.display().to_string(), existing.as_deref(), lines)
        .map_err(|e| {
            crate::error::hinted(
                e,
                "refusing to append to a damaged bundle; fix or remove the file",
            )
        })?;
    crate::support::output::write_atomic(path, out.as_bytes())
}

/// The CLI's wording of a release library error: hints where the fix is known, one line where
/// the library's message already names the cause.
pub fn release_error(e: ReleaseError) -> anyhow::Error {
    match e {
        ReleaseError::Database { .. } => crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "build the offline database first: `vouch db import …` or `vouch db update`",
        ),
        ReleaseError::PinsConfig(_) | ReleaseError::Pins(_) | ReleaseError::StartedOn(_) => {
            anyhow::anyhow!("{e}")
        }
        ReleaseError::Provenance(_) => crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "outside GitHub Actions, pass --builder-id (and --source-uri/--source-commit)",
        ),
        ReleaseError::NotAChangeRecord { .. } => crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "write it with `vouch pins diff --from REV --format json -o FILE`",
        ),
        ReleaseError::Diff(e) => crate::error::hinted(
            anyhow::Error::new(e),
            "--lockfile-diff FROM..TO needs --project inside a git work tree and revisions `git rev-parse` knows",
        ),
        ReleaseError::ChangeSpec(_) => crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "pass the JSON record `vouch pins diff --format json` wrote, or a revision range FROM..TO",
        ),
        ReleaseError::Predicate { .. }
        | ReleaseError::ReadArtifact { .. }
        | ReleaseError::SignStatement { .. }
        | ReleaseError::SignArtifact { .. } => anyhow::anyhow!("{e}"),
        e => anyhow::Error::new(e),
    }
}
