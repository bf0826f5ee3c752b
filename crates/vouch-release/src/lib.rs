//! The release pipeline, as a library: what `vouch release` and `vouch attest` (and the
//! GitHub Action) do between "here are the artifacts" and "here are the signed bundles".
//!
//! The front-end reads the inputs (artifact digests, the project's SBOM, the key) and writes
//! the files; this crate decides what is attested and how: the SBOM predicate, a scan of the
//! SBOM against the offline OSV database (triaged with the same ignores and VEX statements
//! `vouch scan` applies) as cosign's vuln predicate, vouch's pins predicate, a lockfile change
//! record, SLSA provenance v1 filled from the GitHub Actions environment and the flags, each an
//! in-toto statement about every artifact ([`prepare`]); then each statement signed into a
//! DSSE envelope inside a key-based Sigstore bundle v0.3, plus a blob-signature bundle per
//! artifact ([`Prepared::sign`]). Two calls, so that the key is unlocked only once everything
//! that can fail on bad input has been read.
//!
//! Nothing here prints: stage changes go to a [`Reporter`]. Times come from the caller
//! (`SOURCE_DATE_EPOCH` is the front-end's business), so a release is reproducible.

mod predicates;

use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_attest::predicate;
use vouch_attest::{Statement, Subject};
use vouch_core::Digest;
use vouch_osv::triage::Triage;
use vouch_sbom::time::OffsetDateTime;
use vouch_sign::PrivateKey;

pub use predicates::{
    check_predicate, lockfile_change, merge_bundle, pins, provenance, read_json, sbom, scan,
    BuildInfo, ChangeSource, SbomFormat, VERSION,
};

/// Why a release could not be prepared or signed. Messages name the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The offline database cannot be opened.
    #[error("{source}")]
    Database {
        #[source]
        source: vouch_osv::db::DbError,
    },
    #[error("failed to scan against `{dir}`")]
    Scan {
        dir: String,
        #[source]
        source: vouch_osv::scan::ScanError,
    },
    #[error("{0}")]
    PinsConfig(#[source] vouch_pins::config::ConfigError),
    #[error("{0}")]
    Pins(#[source] vouch_pins::scan::ScanError),
    /// `--started-on` is not a time.
    #[error("--started-on `{0}` is not an RFC 3339 time")]
    StartedOn(String),
    /// Provenance lacks what SLSA requires (outside GitHub Actions: the builder id).
    #[error("{0}")]
    Provenance(#[source] vouch_attest::predicate::provenance::ProvenanceError),
    /// A lockfile change record given as a file is not one.
    #[error("`{file}`: not a lockfile change record: {reason}")]
    NotAChangeRecord { file: String, reason: String },
    /// A revision range cannot be diffed.
    #[error(transparent)]
    Diff(vouch_pins::diff::DiffError),
    /// `--lockfile-diff` names neither a file nor a range.
    #[error("`{0}`: cannot read file: no such file")]
    ChangeSpec(String),
    #[error("`{file}`: cannot read file")]
    ReadJson {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{file}`: not valid JSON")]
    NotJson {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    /// A user-supplied predicate is not what its type says.
    #[error("`{file}`: {reason}")]
    Predicate { file: String, reason: String },
    /// Signing a statement failed.
    #[error("failed to sign the `{predicate_type}` statement: {reason}")]
    SignStatement {
        predicate_type: String,
        reason: String,
    },
    #[error("`{path}`: cannot read file: {source}")]
    ReadArtifact {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to sign `{path}`: {reason}")]
    SignArtifact { path: String, reason: String },
    #[error("the SBOM encoder wrote invalid JSON")]
    SbomJson(#[source] serde_json::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// An artifact: its path as given and its sha256 digest.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// Adds `artifact` unless it is already there: a file named twice (`a`, `./a`, or the same
    /// name and content in two places) is one subject, so statements list each name and
    /// digest once.
    pub fn push_unique(list: &mut Vec<Artifact>, artifact: Artifact) {
        if !list.iter().any(|a| a.subject() == artifact.subject()) {
            list.push(artifact);
        }
    }
}

/// The attestation bundle `vouch release` writes when none is named: `ARTIFACT.intoto.jsonl`
/// for one artifact, `multiple.intoto.jsonl` for several.
pub fn default_bundle_path(artifacts: &[Artifact]) -> PathBuf {
    match artifacts {
        [one] => {
            let mut p = one.path.clone().into_os_string();
            p.push(".intoto.jsonl");
            PathBuf::from(p)
        }
        _ => PathBuf::from("multiple.intoto.jsonl"),
    }
}

/// The blob-signature bundle written beside an artifact: `ARTIFACT.sigstore.json`.
pub fn signature_bundle_path(artifact: &Path) -> PathBuf {
    let mut path = artifact.to_path_buf().into_os_string();
    path.push(".sigstore.json");
    PathBuf::from(path)
}

/// A stage of [`prepare`], reported as it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Scanning the SBOM against the offline OSV database.
    Scan,
    /// Checking the project's pins.
    Pins,
}

/// Progress callbacks; the front-end draws them.
pub trait Reporter {
    fn on_stage(&self, _stage: Stage) {}
}

/// A reporter that reports nothing.
pub struct Silent;
impl Reporter for Silent {}

/// What to attest. Statements come out in this order: the given predicate, the SBOM, the
/// scan, the pins, the lockfile change, the provenance.
pub struct Plan<'a> {
    /// A user-supplied predicate, already read and checked ([`check_predicate`]).
    pub predicate: Option<(String, Value)>,
    /// The project's SBOM (cataloged by the front-end) and its format; attested when
    /// `attest_sbom`, scanned when `scan` is set.
    pub sbom: Option<(vouch_sbom::Sbom, SbomFormat)>,
    pub attest_sbom: bool,
    /// Scan the SBOM against the offline database in this directory, triaged.
    pub scan: Option<(&'a Path, &'a Triage)>,
    pub pins: bool,
    pub lockfile_change: Option<&'a ChangeSource>,
    pub provenance: bool,
    pub build: &'a BuildInfo,
    /// When the build started; SBOM, pins and lockfile-change times.
    pub started: OffsetDateTime,
    /// The clock for "finished" times (scan, provenance).
    pub clock: &'a dyn Fn() -> OffsetDateTime,
    /// The environment provenance reads (GitHub Actions variables).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The day ignores are judged valid on (`YYYY-MM-DD`).
    pub today: &'a str,
}

/// Unsigned statements, with the reports they were made from.
#[derive(Debug)]
pub struct Prepared {
    /// `(predicate type, predicate)`, in [`Plan`] order.
    pub predicates: Vec<(String, Value)>,
    pub scan: Option<vouch_osv::Report>,
    pub pins: Option<vouch_pins::Report>,
}

/// Everything signed: the attestation bundle's lines and one blob-signature bundle per
/// artifact (`(path to write, bytes)`).
#[derive(Debug)]
pub struct Signed {
    pub lines: Vec<Value>,
    pub signatures: Vec<(PathBuf, Vec<u8>)>,
}

/// Builds the predicates `plan` asks for.
pub fn prepare(plan: &Plan<'_>, reporter: &dyn Reporter) -> Result<Prepared, ReleaseError> {
    let mut predicates: Vec<(String, Value)> = Vec::new();
    if let Some(p) = &plan.predicate {
        predicates.push(p.clone());
    }
    let mut sbom_model = None;
    if let Some((model, format)) = &plan.sbom {
        let mut model = model.clone();
        let (ty, json) = sbom(&mut model, plan.started, *format)?;
        if plan.attest_sbom {
            predicates.push((ty.to_owned(), json));
        }
        sbom_model = Some(model);
    }
    let mut scan_report = None;
    if let (Some((db, triage)), Some(model)) = (plan.scan, &sbom_model) {
        reporter.on_stage(Stage::Scan);
        let (report, v) = scan(db, model, triage, plan.today, plan.started, &plan.clock)?;
        scan_report = Some(report);
        predicates.push((predicate::COSIGN_VULN.to_owned(), v));
    }
    let mut pins_report = None;
    if plan.pins {
        reporter.on_stage(Stage::Pins);
        let (report, v) = pins(&plan.build.project, plan.started)?;
        pins_report = Some(report);
        predicates.push((predicate::VOUCH_PINS.to_owned(), v));
    }
    if let Some(change) = plan.lockfile_change {
        predicates.push((
            predicate::VOUCH_LOCKFILE_CHANGE.to_owned(),
            lockfile_change(change, &plan.build.project, plan.started)?,
        ));
    }
    if plan.provenance {
        let v = provenance(
            plan.build,
            pins_report.as_ref(),
            plan.started,
            (plan.clock)(),
            plan.env,
        )?;
        predicates.push((predicate::SLSA_PROVENANCE_V1.to_owned(), v));
    }
    Ok(Prepared {
        predicates,
        scan: scan_report,
        pins: pins_report,
    })
}

impl Prepared {
    /// Signs each statement about all `artifacts` with `key`: the attestation bundle's lines.
    pub fn sign_statements(
        &self,
        key: &PrivateKey,
        artifacts: &[Artifact],
    ) -> Result<Vec<Value>, ReleaseError> {
        let subjects: Vec<_> = artifacts.iter().map(Artifact::subject).collect();
        let mut lines = Vec::new();
        for (ty, value) in &self.predicates {
            let st = Statement::new(subjects.clone(), ty.clone(), value.clone());
            lines.push(sign_statement(key, &st)?);
        }
        Ok(lines)
    }

    /// Signs the statements and, per artifact, the artifact itself (a key-based Sigstore
    /// bundle holding a message signature, what `cosign verify-blob --bundle` reads).
    pub fn sign(&self, key: &PrivateKey, artifacts: &[Artifact]) -> Result<Signed, ReleaseError> {
        let lines = self.sign_statements(key, artifacts)?;
        let public = vouch_sign::Signer::public_key(key).clone();
        let mut signatures = Vec::new();
        for a in artifacts {
            let digest = a.digest.bytes();
            let sig = if public.digest_algorithm() == Some(vouch_sign::DigestAlgorithm::Sha256) {
                vouch_sign::Signer::sign_prehash(key, &digest)
            } else {
                let bytes =
                    std::fs::read(&a.path).map_err(|source| ReleaseError::ReadArtifact {
                        path: a.path.display().to_string(),
                        source,
                    })?;
                vouch_sign::Signer::sign(key, &bytes)
            }
            .map_err(|e| ReleaseError::SignArtifact {
                path: a.path.display().to_string(),
                reason: e.to_string(),
            })?;
            let bundle = vouch_sign::Bundle::for_message_signature(
                vouch_sign::DigestAlgorithm::Sha256,
                &digest,
                &sig,
                &public,
            );
            signatures.push((signature_bundle_path(&a.path), bundle.to_json()));
        }
        Ok(Signed { lines, signatures })
    }

    /// Whether the scan fails at `fail_on` (any finding when `None`).
    pub fn scan_failed(&self, fail_on: Option<vouch_osv::Level>) -> bool {
        self.scan
            .as_ref()
            .is_some_and(|r| vouch_osv::scan::fails(r, fail_on, false))
    }

    /// Whether the pins check failed.
    pub fn pins_failed(&self) -> bool {
        self.pins.as_ref().is_some_and(vouch_pins::Report::failed)
    }
}

/// Signs a statement with `key`: a DSSE envelope in a key-based Sigstore bundle v0.3.
pub fn sign_statement(key: &PrivateKey, statement: &Statement) -> Result<Value, ReleaseError> {
    let envelope =
        vouch_sign::sign_envelope(vouch_attest::PAYLOAD_TYPE, &statement.to_payload(), key)
            .map_err(|e| ReleaseError::SignStatement {
                predicate_type: statement.predicate_type.clone(),
                reason: e.to_string(),
            })?;
    let bundle = vouch_sign::Bundle::for_dsse(envelope, vouch_sign::Signer::public_key(key));
    Ok(serde_json::from_slice(&bundle.to_json()).expect("a bundle is JSON"))
}
