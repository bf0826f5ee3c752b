//! The predicates of a release, one function each, and the attestation bundle's merge rule.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_attest::predicate;
use vouch_attest::predicate::provenance::{ProvenanceParams, ResourceDescriptor};
use vouch_attest::predicate::vouch::{LockfileChangePredicate, PinsPredicate, Tool};
use vouch_attest::predicate::vuln::{Db, Invocation, ScanMetadata, Scanner, VulnPredicate};
use vouch_attest::BundleFile;
use vouch_osv::triage::Triage;
use vouch_sbom::time::OffsetDateTime;

use crate::ReleaseError;

/// vouch's version, recorded in every predicate it writes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the project is and how the build ran: what `--sbom`, `--scan`, `--pins`,
/// `--provenance` and `vouch release` read. Flags win over the GitHub Actions environment.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// The project (Cargo workspace) the artifacts were built from.
    pub project: PathBuf,
    /// Provenance `runDetails.builder.id`.
    pub builder_id: Option<String>,
    /// Provenance `runDetails.metadata.invocationId`.
    pub invocation_id: Option<String>,
    /// Source repository URI (`git+https://github.com/o/r`).
    pub source_uri: Option<String>,
    /// Source commit (40 hex).
    pub source_commit: Option<String>,
    /// Source ref (`refs/tags/v1.0.0`).
    pub source_ref: Option<String>,
    /// When the build started (RFC 3339), as given.
    pub started_on: Option<String>,
}

/// The SBOM formats a release attests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON, predicate type `https://cyclonedx.org/bom`.
    #[default]
    Cyclonedx,
    /// SPDX 2.3 JSON, predicate type `https://spdx.dev/Document`.
    Spdx,
}

/// The SBOM predicate: `sbom` stamped with `at`, encoded; returns its predicate type.
pub fn sbom(
    sbom: &mut vouch_sbom::Sbom,
    at: OffsetDateTime,
    format: SbomFormat,
) -> Result<(&'static str, Value), ReleaseError> {
    sbom.timestamp = Some(at);
    let (encoder, predicate_type) = match format {
        SbomFormat::Cyclonedx => (
            vouch_sbom::Format::CycloneDx(vouch_sbom::SpecVersion::V1_6),
            predicate::CYCLONEDX,
        ),
        SbomFormat::Spdx => (vouch_sbom::Format::Spdx23, predicate::SPDX),
    };
    let json = serde_json::from_slice(&encoder.encode(sbom)).map_err(ReleaseError::SbomJson)?;
    Ok((predicate_type, json))
}

/// Scans the SBOM's packages against the offline database in `db`, triaged (ignores valid on
/// `today`, then VEX): cosign's vuln predicate, finished at `clock()`.
pub fn scan(
    db: &Path,
    sbom: &vouch_sbom::Sbom,
    triage: &Triage,
    today: &str,
    started: OffsetDateTime,
    clock: &dyn Fn() -> OffsetDateTime,
) -> Result<(vouch_osv::Report, Value), ReleaseError> {
    let database =
        vouch_osv::Database::open(db).map_err(|source| ReleaseError::Database { source })?;
    let mut report = vouch_osv::scan_packages(&database, &sbom.packages()).map_err(|source| {
        ReleaseError::Scan {
            dir: db.display().to_string(),
            source,
        }
    })?;
    if *triage != Triage::default() {
        triage.apply(&mut report, today);
        report.diagnostics.sort();
        report.diagnostics.dedup();
        report.resummarise();
    }
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
            scan_finished_on: vouch_attest::rfc3339(clock()),
        },
    };
    Ok((report, serde_json::to_value(predicate)?))
}

/// Checks the project's pins: vouch's pins predicate.
pub fn pins(
    project: &Path,
    at: OffsetDateTime,
) -> Result<(vouch_pins::Report, Value), ReleaseError> {
    let (config, _) = vouch_pins::Config::load(project).map_err(ReleaseError::PinsConfig)?;
    let opts = vouch_pins::scan::Options {
        today: at.date(),
        ..vouch_pins::scan::Options::default()
    };
    let report = vouch_pins::check_path(project, &config, &opts).map_err(ReleaseError::Pins)?;
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
    pub fn parse(spec: &Path) -> Result<Self, ReleaseError> {
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
            _ => Err(ReleaseError::ChangeSpec(text.into_owned())),
        }
    }
}

/// The lockfile change record in vouch's lockfile-change predicate: read from the file
/// `vouch pins diff` wrote (checked to be one), or computed over `project`'s git history.
pub fn lockfile_change(
    source: &ChangeSource,
    project: &Path,
    at: OffsetDateTime,
) -> Result<Value, ReleaseError> {
    let record = match source {
        ChangeSource::File(file) => {
            let record = read_json(file)?;
            if let Err(e) = serde_json::from_value::<vouch_pins::diff::ChangeRecord>(record.clone())
            {
                return Err(ReleaseError::NotAChangeRecord {
                    file: file.display().to_string(),
                    reason: e.to_string(),
                });
            }
            record
        }
        ChangeSource::Range { from, to } => {
            let record =
                vouch_pins::diff::diff_revisions(project, from, to).map_err(ReleaseError::Diff)?;
            serde_json::to_value(record)?
        }
    };
    Ok(serde_json::to_value(LockfileChangePredicate {
        generated_at: vouch_attest::rfc3339(at),
        tool: Tool::vouch(VERSION),
        record,
    })?)
}

/// Reads a JSON file (a predicate, a change record).
pub fn read_json(file: &Path) -> Result<Value, ReleaseError> {
    let bytes = std::fs::read(file).map_err(|source| ReleaseError::ReadJson {
        file: file.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| ReleaseError::NotJson {
        file: file.display().to_string(),
        source,
    })
}

/// Checks a user-supplied predicate where vouch knows its type; `file` names it in errors.
pub fn check_predicate(
    predicate_type: &str,
    value: &Value,
    file: &str,
) -> Result<(), ReleaseError> {
    let err = |reason: String| ReleaseError::Predicate {
        file: file.to_owned(),
        reason,
    };
    let bad = |what: &str| err(format!("not {what} (wrong --type?)"));
    if !value.is_object() {
        return Err(bad("a JSON object"));
    }
    if predicate_type.starts_with("https://openvex.dev/ns") {
        predicate::vex::OpenVex::check(value).map_err(|e| err(e.to_string()))?;
    } else if predicate_type == predicate::CYCLONEDX {
        if value.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
            return Err(bad("a CycloneDX BOM"));
        }
    } else if predicate_type == predicate::SPDX {
        if value.get("spdxVersion").and_then(Value::as_str).is_none() {
            return Err(bad("an SPDX document"));
        }
    } else if predicate_type == predicate::SLSA_PROVENANCE_V1 {
        serde_json::from_value::<predicate::provenance::ProvenanceV1>(value.clone())
            .map_err(|e| err(format!("not SLSA provenance v1: {e}")))?;
    } else if predicate_type == predicate::COSIGN_VULN {
        serde_json::from_value::<predicate::vuln::VulnPredicate>(value.clone())
            .map_err(|e| err(format!("not a cosign vuln predicate: {e}")))?;
    } else if predicate_type == predicate::VOUCH_LOCKFILE_CHANGE {
        let p = serde_json::from_value::<predicate::vouch::LockfileChangePredicate>(value.clone())
            .map_err(|e| err(format!("not a vouch lockfile-change predicate: {e}")))?;
        serde_json::from_value::<vouch_pins::diff::ChangeRecord>(p.record)
            .map_err(|e| err(format!("`record` is not a lockfile change record: {e}")))?;
    } else if predicate_type == predicate::VOUCH_PINS {
        serde_json::from_value::<predicate::vouch::PinsPredicate>(value.clone())
            .map_err(|e| err(format!("not a vouch pins predicate: {e}")))?;
    }
    Ok(())
}

/// SLSA provenance v1, from the environment `env` reads (GitHub Actions) and `build` (which
/// wins), listing the pins check's resolved dependencies or else `Cargo.lock`'s digest.
pub fn provenance(
    build: &BuildInfo,
    pins: Option<&vouch_pins::Report>,
    started: OffsetDateTime,
    finished: OffsetDateTime,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Value, ReleaseError> {
    let mut p = ProvenanceParams::from_github_env(|k| env(k).filter(|v| !v.is_empty()));
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            slot.clone_from(v);
        }
    };
    set(&mut p.builder_id, &build.builder_id);
    set(&mut p.invocation_id, &build.invocation_id);
    set(&mut p.source_uri, &build.source_uri);
    set(&mut p.source_commit, &build.source_commit);
    set(&mut p.source_ref, &build.source_ref);
    if let Some(s) = &build.started_on {
        let t = vouch_attest::parse_rfc3339(s).ok_or_else(|| ReleaseError::StartedOn(s.clone()))?;
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
        let lock = build.project.join("Cargo.lock");
        if let Ok(bytes) = std::fs::read(&lock) {
            p.resolved_dependencies.push(ResourceDescriptor::new(
                "file:Cargo.lock",
                "sha256",
                vouch_attest::sha256(&bytes).hex(),
            ));
        }
    }
    let v1 = p.build().map_err(ReleaseError::Provenance)?;
    Ok(serde_json::to_value(v1)?)
}

/// The attestation bundle after adding `lines`: appended to `existing` (the file's text,
/// checked to be a readable bundle; one pretty-printed bundle becomes the first line of the
/// JSON Lines file), or alone when `existing` is `None`. `name` names the file in errors.
pub fn merge_bundle(
    name: &str,
    existing: Option<&str>,
    lines: &[Value],
) -> Result<String, vouch_attest::jsonl::JsonlError> {
    let existing = match existing {
        Some(text) if !text.trim().is_empty() => {
            let parsed = BundleFile::parse(name, text)?;
            let non_empty = text.lines().filter(|l| !l.trim().is_empty()).count();
            if non_empty == parsed.lines.len() {
                text.to_owned()
            } else {
                let entries: Vec<Value> = parsed.lines.into_iter().map(|l| l.json).collect();
                vouch_attest::jsonl::append("", &entries)
            }
        }
        Some(text) => text.to_owned(),
        None => String::new(),
    };
    Ok(vouch_attest::jsonl::append(&existing, lines))
}
