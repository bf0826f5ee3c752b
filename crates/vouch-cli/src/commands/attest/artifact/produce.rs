//! What `vouch attest` and `vouch release` share: subjects, the built-in predicate producers,
//! signing a statement into a Sigstore bundle, and writing the `.intoto.jsonl` bundle.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde_json::Value;
use vouch_attest::predicate::provenance::{ProvenanceParams, ResourceDescriptor};
use vouch_attest::predicate::vouch::{LockfileChangePredicate, PinsPredicate, Tool};
use vouch_attest::predicate::vuln::{Db, Invocation, ScanMetadata, Scanner, VulnPredicate};
use vouch_attest::{BundleFile, Statement, Subject};
use vouch_core::{Digest, DigestAlgorithm};
use vouch_sbom::time::OffsetDateTime;
use vouch_sign::PrivateKey;

use crate::context::Context;

/// vouch's version, recorded in every predicate it writes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the project is and how the build ran: used by `--sbom`, `--scan`, `--pins`,
/// `--provenance` and by `vouch release`.
#[derive(Debug, Args, Clone)]
pub struct BuildArgs {
    /// The project (Cargo workspace) the artifacts were built from.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    #[command(flatten)]
    pub db: crate::commands::db::DbLocation,
    /// Provenance `runDetails.builder.id` [default in GitHub Actions: the workflow ref].
    #[arg(long, value_name = "URI")]
    pub builder_id: Option<String>,
    /// Provenance `runDetails.metadata.invocationId` [default in GitHub Actions: the run URL].
    #[arg(long, value_name = "ID")]
    pub invocation_id: Option<String>,
    /// Source repository URI (`git+https://github.com/o/r`) [default in GitHub Actions].
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,
    /// Source commit (40 hex) [default in GitHub Actions: GITHUB_SHA].
    #[arg(long, value_name = "SHA")]
    pub source_commit: Option<String>,
    /// Source ref (`refs/tags/v1.0.0`) [default in GitHub Actions: GITHUB_REF].
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,
    /// When the build started (RFC 3339) [default: when vouch started].
    #[arg(long, value_name = "TIME")]
    pub started_on: Option<String>,
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

/// An artifact: its path as given and its sha256 digest.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: PathBuf,
    pub digest: Digest,
}

impl Artifact {
    /// The subject name: the file name.
    pub fn subject(&self) -> Subject {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Subject::new(name, &self.digest)
    }
}

/// Digests the artifacts. A file named twice (`a`, `./a`, or the same name and content in
/// two places) is one subject: statements list each name and digest once.
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
        let raw =
            crate::commands::sign::blob::digest_file(ctx, p, vouch_sign::DigestAlgorithm::Sha256)?;
        let artifact = Artifact {
            path: p.clone(),
            digest: Digest::from_bytes(DigestAlgorithm::Sha256, &raw),
        };
        if !out.iter().any(|a| a.subject() == artifact.subject()) {
            out.push(artifact);
        }
    }
    Ok(out)
}

/// Signs a statement with `key`: a DSSE envelope in a key-based Sigstore bundle v0.3.
pub fn sign(key: &PrivateKey, statement: &Statement) -> anyhow::Result<Value> {
    let envelope =
        vouch_sign::sign_envelope(vouch_attest::PAYLOAD_TYPE, &statement.to_payload(), key)
            .map_err(|e| {
                anyhow::anyhow!(
                    "failed to sign the `{}` statement: {e}",
                    statement.predicate_type
                )
            })?;
    let bundle = vouch_sign::Bundle::for_dsse(envelope, vouch_sign::Signer::public_key(key));
    Ok(serde_json::from_slice(&bundle.to_json()).expect("a bundle is JSON"))
}

/// Writes bundle lines to `path`: appended to what is there (checked to be a readable bundle
/// first) or replacing it; always atomically.
pub fn write_bundle(path: &Path, lines: &[Value], append: bool) -> anyhow::Result<()> {
    let existing = if append && path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("`{}`: cannot read the bundle to append to", path.display())
        })?;
        if text.trim().is_empty() {
            text
        } else {
            let parsed = BundleFile::parse(&path.display().to_string(), &text).map_err(|e| {
                crate::error::hinted(
                    e,
                    "refusing to append to a damaged bundle; fix or remove the file",
                )
            })?;
            let non_empty = text.lines().filter(|l| !l.trim().is_empty()).count();
            if non_empty == parsed.lines.len() {
                text
            } else {
                // One pretty-printed bundle: it becomes the first line of the JSON Lines file.
                let entries: Vec<Value> = parsed.lines.into_iter().map(|l| l.json).collect();
                vouch_attest::jsonl::append("", &entries)
            }
        }
    } else {
        String::new()
    };
    let out = vouch_attest::jsonl::append(&existing, lines);
    crate::output::write_atomic(path, out.as_bytes())
}

/// Parses `SbomArgs` for `dir` (so new `vouch sbom` options keep their defaults).
fn sbom_args(dir: &Path) -> crate::commands::sbom::SbomArgs {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        args: crate::commands::sbom::SbomArgs,
    }
    let dir = dir.display().to_string();
    Wrap::parse_from(["vouch-sbom", dir.as_str(), "--offline"]).args
}

/// The SBOM formats `--sbom-format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON, predicate type `https://cyclonedx.org/bom`.
    #[default]
    Cyclonedx,
    /// SPDX 2.3 JSON, predicate type `https://spdx.dev/Document`.
    Spdx,
}

/// The project's SBOM: the model, the predicate type and the predicate.
pub fn sbom(
    ctx: &Context,
    project: &Path,
    at: OffsetDateTime,
    format: SbomFormat,
) -> anyhow::Result<(vouch_sbom::Sbom, &'static str, Value)> {
    let mut sbom = crate::commands::sbom::build(ctx, &sbom_args(project))
        .with_context(|| format!("failed to catalog `{}` for the SBOM", project.display()))?;
    sbom.timestamp = Some(at);
    let (encoder, predicate_type) = match format {
        SbomFormat::Cyclonedx => (
            vouch_sbom::Format::CycloneDx(vouch_sbom::SpecVersion::V1_6),
            vouch_attest::predicate::CYCLONEDX,
        ),
        SbomFormat::Spdx => (vouch_sbom::Format::Spdx23, vouch_attest::predicate::SPDX),
    };
    let json = serde_json::from_slice(&encoder.encode(&sbom))
        .context("the SBOM encoder wrote invalid JSON")?;
    Ok((sbom, predicate_type, json))
}

/// Scans the SBOM's packages against the offline database: cosign's vuln predicate.
pub fn scan(
    db: &crate::commands::db::DbLocation,
    sbom: &vouch_sbom::Sbom,
    started: OffsetDateTime,
    finished: OffsetDateTime,
) -> anyhow::Result<(vouch_osv::Report, Value)> {
    let dir = db.resolve()?;
    let database = vouch_osv::Database::open(&dir).map_err(|e| {
        crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "build the offline database first: `vouch db import …` or `vouch db update`",
        )
    })?;
    let report = vouch_osv::scan_packages(&database, &sbom.packages())
        .with_context(|| format!("failed to scan against `{}`", dir.display()))?;
    let meta = database.meta();
    let predicate = VulnPredicate {
        invocation: Invocation::default(),
        scanner: Scanner {
            uri: "https://github.com/vouch-dev/vouch".to_owned(),
            version: VERSION.to_owned(),
            db: Db {
                uri: meta.source.join(" "),
                version: meta.snapshot.clone().unwrap_or_else(|| meta.built.clone()),
            },
            result: serde_json::to_value(&report)?,
        },
        metadata: ScanMetadata {
            scan_started_on: vouch_attest::rfc3339(started),
            scan_finished_on: vouch_attest::rfc3339(finished),
        },
    };
    Ok((report, serde_json::to_value(predicate)?))
}

/// Checks the project's pins: vouch's pins predicate.
pub fn pins(project: &Path, at: OffsetDateTime) -> anyhow::Result<(vouch_pins::Report, Value)> {
    let (config, _) = vouch_pins::Config::load(project).map_err(|e| anyhow::anyhow!("{e}"))?;
    let opts = vouch_pins::scan::Options {
        today: at.date(),
        ..vouch_pins::scan::Options::default()
    };
    let report =
        vouch_pins::check_path(project, &config, &opts).map_err(|e| anyhow::anyhow!("{e}"))?;
    let predicate = PinsPredicate {
        generated_at: vouch_attest::rfc3339(at),
        tool: Tool::vouch(VERSION),
        passed: !report.failed(),
        report: serde_json::to_value(&report)?,
    };
    Ok((report, serde_json::to_value(predicate)?))
}

/// Where a lockfile change record comes from (`--lockfile-diff`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeSource {
    /// A record written by `vouch pins diff --format json`.
    File(PathBuf),
    /// A git revision range `FROM..TO` (`TO` defaults to `HEAD`), computed over the project.
    Range { from: String, to: String },
}

impl ChangeSource {
    /// An existing file is a record; otherwise `FROM..TO` is a revision range.
    pub fn parse(spec: &Path) -> anyhow::Result<Self> {
        if spec.is_file() {
            return Ok(Self::File(spec.to_owned()));
        }
        let text = spec.to_string_lossy();
        match text.split_once("..") {
            Some((from, to)) if !from.is_empty() && !from.ends_with('.') && !to.contains("..") => {
                Ok(Self::Range {
                    from: from.to_owned(),
                    to: if to.is_empty() { "HEAD" } else { to }.to_owned(),
                })
            }
            _ => Err(crate::error::hinted(
                anyhow::anyhow!("`{text}`: cannot read file: no such file"),
                "pass the JSON record `vouch pins diff --format json` wrote, or a revision range FROM..TO",
            )),
        }
    }
}

/// The lockfile change record in vouch's lockfile-change predicate: read from the file
/// `vouch pins diff` wrote (checked to be one), or computed over `project`'s git history.
pub fn lockfile_change(
    source: &ChangeSource,
    project: &Path,
    at: OffsetDateTime,
) -> anyhow::Result<Value> {
    let record = match source {
        ChangeSource::File(file) => {
            let record = read_json(file)?;
            if let Err(e) = serde_json::from_value::<vouch_pins::diff::ChangeRecord>(record.clone())
            {
                return Err(crate::error::hinted(
                    anyhow::anyhow!("`{}`: not a lockfile change record: {e}", file.display()),
                    "write it with `vouch pins diff --from REV --format json -o FILE`",
                ));
            }
            record
        }
        ChangeSource::Range { from, to } => {
            let record =
                vouch_pins::diff::diff_revisions(project, from, to).map_err(|e| {
                    crate::error::hinted(
                        anyhow::Error::new(e),
                        "--lockfile-diff FROM..TO needs --project inside a git work tree and revisions `git rev-parse` knows",
                    )
                })?;
            serde_json::to_value(record)?
        }
    };
    Ok(serde_json::to_value(LockfileChangePredicate {
        generated_at: vouch_attest::rfc3339(at),
        tool: Tool::vouch(VERSION),
        record,
    })?)
}

/// Reads a JSON file.
pub fn read_json(file: &Path) -> anyhow::Result<Value> {
    let bytes =
        std::fs::read(file).with_context(|| format!("`{}`: cannot read file", file.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("`{}`: not valid JSON", file.display()))
}

/// SLSA provenance v1, from the GitHub Actions environment and the flags (flags win).
pub fn provenance(
    args: &BuildArgs,
    pins: Option<&vouch_pins::Report>,
    started: OffsetDateTime,
    finished: OffsetDateTime,
) -> anyhow::Result<Value> {
    let mut p =
        ProvenanceParams::from_github_env(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            slot.clone_from(v);
        }
    };
    set(&mut p.builder_id, &args.builder_id);
    set(&mut p.invocation_id, &args.invocation_id);
    set(&mut p.source_uri, &args.source_uri);
    set(&mut p.source_commit, &args.source_commit);
    set(&mut p.source_ref, &args.source_ref);
    if let Some(s) = &args.started_on {
        let t = vouch_attest::parse_rfc3339(s)
            .ok_or_else(|| anyhow::anyhow!("--started-on `{s}` is not an RFC 3339 time"))?;
        p.started_on = Some(vouch_attest::rfc3339(t));
    } else {
        p.started_on = Some(vouch_attest::rfc3339(started));
    }
    p.finished_on = Some(vouch_attest::rfc3339(finished));
    VERSION.clone_into(&mut p.vouch_version);
    if let Some(report) = pins {
        p.resolved_dependencies = report
            .resolved_dependencies()
            .into_iter()
            .map(|d| ResourceDescriptor {
                uri: Some(d.uri),
                digest: d.digest,
                name: d.name,
                annotations: None,
            })
            .collect();
    } else {
        let lock = args.project.join("Cargo.lock");
        if let Ok(bytes) = std::fs::read(&lock) {
            p.resolved_dependencies.push(ResourceDescriptor::new(
                "file:Cargo.lock",
                "sha256",
                vouch_attest::sha256(&bytes).hex(),
            ));
        }
    }
    let v1 = p.build().map_err(|e| {
        crate::error::hinted(
            anyhow::anyhow!("{e}"),
            "outside GitHub Actions, pass --builder-id (and --source-uri/--source-commit)",
        )
    })?;
    Ok(serde_json::to_value(v1)?)
}
