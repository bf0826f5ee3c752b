//! Pinning checks: prove that everything a build pulls in has an immutable identity.
//!
//! Three kinds of evidence are checked, one module each:
//! - **references** written in build definitions: GitHub Actions `uses:` and container images in
//!   workflows ([`workflow`]), Dockerfiles ([`dockerfile`]), compose files and Kubernetes
//!   manifests ([`manifest`]); a reference is pinned only by a full commit id or a well-formed
//!   `sha256` digest;
//! - **install commands** in `run:` steps, Dockerfile `RUN` and shell scripts ([`shell`]);
//! - **lockfile records** ([`records`]): every third-party package carries an integrity hash of
//!   an acceptable algorithm from an allowed registry, and the lockfile is tracked and in sync.
//!
//! [`diff`] turns two revisions of the lockfiles into a [`diff::ChangeRecord`], the "record of
//! every version change" that later becomes an attestation predicate. [`fix`] rewrites tags to
//! digests surgically. The [`Report`] serde type *is* the JSON output (`schemas/pins-report.schema.json`).
//!
//! Design choice: each check takes text and a display name and returns plain data, so the same
//! code reads a working-tree file, a git blob or a fuzz input; only [`scan`] walks directories
//! and asks `git`.

pub mod config;
pub mod diff;
pub mod dockerfile;
pub mod fix;
pub mod github;
pub mod image;
pub mod manifest;
pub mod online;
pub mod records;
pub mod scan;
pub mod shell;
pub mod workflow;
pub mod yaml;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
pub use vouch_core::Level;

pub use config::Config;
pub use scan::{check_path, ScanError};

/// What kind of thing a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferenceKind {
    /// `uses: owner/repo[/path]@ref` in a step.
    Action,
    /// Job-level `uses: owner/repo/.github/workflows/x.yml@ref`.
    ReusableWorkflow,
    /// `uses: docker://image`.
    DockerAction,
    /// A container image (`container.image`, `services.*.image`, `FROM`, compose, Kubernetes).
    Image,
}

/// Whether a reference names an immutable artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinState {
    /// A full 40-hex commit id, or a well-formed `@sha256:<64 hex>` digest.
    Pinned,
    /// A tag, but GitHub's `actions.lock` locks it to a commit.
    Locked,
    /// A tag, branch, or no version at all.
    Unpinned,
    /// A digest that is not a well-formed sha256 digest (`@sha256:v2`).
    Malformed,
    /// A `./path` or `$/path` action or reusable workflow in this repository (checked in
    /// place; `$/` is the running commit of this repository).
    Local,
    /// A `${{ }}` expression or unresolved `$ARG`: the value is only known at run time.
    Expression,
    /// `FROM scratch`: no image at all.
    Scratch,
    /// A Dockerfile stage alias; its state is the state of the stage it names.
    Stage,
    /// An owner/exception policy accepts the reference as it is.
    Allowed,
}

impl PinState {
    /// Whether the reference resolves to an immutable identity.
    pub fn is_immutable(self) -> bool {
        matches!(
            self,
            Self::Pinned | Self::Locked | Self::Local | Self::Scratch | Self::Stage
        )
    }
}

/// One reference found in a build definition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reference {
    pub file: String,
    pub line: u32,
    pub kind: ReferenceKind,
    /// The reference as written.
    pub reference: String,
    /// The reference after `ARG` substitution and stage resolution, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    pub state: PinState,
    /// The commit id (`sha1:<hex>`) or image digest (`sha256:<hex>`) it is pinned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// A version comment after the reference (`# v4.2.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Stable finding codes, documented in `docs/pins-codes.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    UnpinnedAction,
    UnpinnedReusableWorkflow,
    UnpinnedImage,
    MalformedDigest,
    ExpressionReference,
    UnresolvedLocalAction,
    OwnerDenied,
    UnpinnedTool,
    DownloadThenRun,
    UnpinnedPipInstall,
    NpmInstall,
    UnpinnedGoInstall,
    UnpinnedCargoInstall,
    MissingIntegrity,
    WeakHash,
    DisallowedSource,
    UnpinnedVcsSource,
    LockfileUntracked,
    LockfileOutOfSync,
    LockfileMissing,
    ParseError,
    SkippedKind,
    ExceptionExpired,
    VersionCommentMismatch,
    UnknownVersionComment,
    UnknownCommit,
    ImpostorCommit,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::UnpinnedAction,
        Code::UnpinnedReusableWorkflow,
        Code::UnpinnedImage,
        Code::MalformedDigest,
        Code::ExpressionReference,
        Code::UnresolvedLocalAction,
        Code::OwnerDenied,
        Code::UnpinnedTool,
        Code::DownloadThenRun,
        Code::UnpinnedPipInstall,
        Code::NpmInstall,
        Code::UnpinnedGoInstall,
        Code::UnpinnedCargoInstall,
        Code::MissingIntegrity,
        Code::WeakHash,
        Code::DisallowedSource,
        Code::UnpinnedVcsSource,
        Code::LockfileUntracked,
        Code::LockfileOutOfSync,
        Code::LockfileMissing,
        Code::ParseError,
        Code::SkippedKind,
        Code::ExceptionExpired,
        Code::VersionCommentMismatch,
        Code::UnknownVersionComment,
        Code::UnknownCommit,
        Code::ImpostorCommit,
    ];

    /// The kebab-case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnpinnedAction => "unpinned-action",
            Code::UnpinnedReusableWorkflow => "unpinned-reusable-workflow",
            Code::UnpinnedImage => "unpinned-image",
            Code::MalformedDigest => "malformed-digest",
            Code::ExpressionReference => "expression-reference",
            Code::UnresolvedLocalAction => "unresolved-local-action",
            Code::OwnerDenied => "owner-denied",
            Code::UnpinnedTool => "unpinned-tool",
            Code::DownloadThenRun => "download-then-run",
            Code::UnpinnedPipInstall => "unpinned-pip-install",
            Code::NpmInstall => "npm-install",
            Code::UnpinnedGoInstall => "unpinned-go-install",
            Code::UnpinnedCargoInstall => "unpinned-cargo-install",
            Code::MissingIntegrity => "missing-integrity",
            Code::WeakHash => "weak-hash",
            Code::DisallowedSource => "disallowed-source",
            Code::UnpinnedVcsSource => "unpinned-vcs-source",
            Code::LockfileUntracked => "lockfile-untracked",
            Code::LockfileOutOfSync => "lockfile-out-of-sync",
            Code::LockfileMissing => "lockfile-missing",
            Code::ParseError => "parse-error",
            Code::SkippedKind => "skipped-kind",
            Code::ExceptionExpired => "exception-expired",
            Code::VersionCommentMismatch => "version-comment-mismatch",
            Code::UnknownVersionComment => "unknown-version-comment",
            Code::UnknownCommit => "unknown-commit",
            Code::ImpostorCommit => "impostor-commit",
        }
    }

    /// One line saying what the code means (SARIF rule descriptions, `docs/pins-codes.md`).
    pub fn description(self) -> &'static str {
        match self {
            Code::UnpinnedAction => {
                "a GitHub Action is referenced by a tag or branch instead of a full commit SHA"
            }
            Code::UnpinnedReusableWorkflow => {
                "a reusable workflow is referenced by a tag or branch instead of a full commit SHA"
            }
            Code::UnpinnedImage => {
                "a container image is referenced by a tag (or nothing) instead of a sha256 digest"
            }
            Code::MalformedDigest => {
                "a digest is present but is not a well-formed `sha256:<64 hex>`"
            }
            Code::ExpressionReference => {
                "a reference is a run-time expression, so what runs cannot be proven pinned"
            }
            Code::UnresolvedLocalAction => {
                "a `./local` action has no action.yml in this repository"
            }
            Code::OwnerDenied => "the owner of an action or image is denied by policy",
            Code::UnpinnedTool => "a pinned setup action installs a tool at `latest`",
            Code::DownloadThenRun => {
                "a script is downloaded and executed without verifying its digest"
            }
            Code::UnpinnedPipInstall => {
                "`pip install` without hashes (`--require-hashes` or `--hash` lines)"
            }
            Code::NpmInstall => {
                "`npm install` resolves versions afresh; `npm ci` installs the lockfile"
            }
            Code::UnpinnedGoInstall => {
                "`go install`/`go get` at `@latest`, a branch, or no version"
            }
            Code::UnpinnedCargoInstall => {
                "`cargo install` without `--locked` and an exact `--version`"
            }
            Code::MissingIntegrity => "a third-party lockfile entry carries no integrity hash",
            Code::WeakHash => "a lockfile integrity hash uses a broken algorithm (sha1, md5)",
            Code::DisallowedSource => {
                "a lockfile entry comes from a source outside the registry allow-list"
            }
            Code::UnpinnedVcsSource => "a VCS lockfile entry is not pinned to a full commit id",
            Code::LockfileUntracked => {
                "a lockfile is not tracked by git, so its changes leave no record"
            }
            Code::LockfileOutOfSync => "a lockfile does not match its manifest",
            Code::LockfileMissing => "a manifest has no lockfile beside it",
            Code::ParseError => "a file could not be parsed, so it could not be checked",
            Code::SkippedKind => {
                "(note) a Kubernetes object that is not a workload mentions containers; they were not checked"
            }
            Code::ExceptionExpired => "a policy exception has passed its expiry date",
            Code::VersionCommentMismatch => {
                "(online) the version comment beside a commit id names a tag of another commit"
            }
            Code::UnknownVersionComment => {
                "(online) the version comment beside a commit id names no tag of the repository"
            }
            Code::UnknownCommit => "(online) a pinned commit id does not exist in the repository",
            Code::ImpostorCommit => {
                "(online) a pinned commit is neither on the default branch nor tagged: it may come from a fork"
            }
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exception from the policy that applies to a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    /// `YYYY-MM-DD`.
    pub expires: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub code: Code,
    pub level: Level,
    pub message: String,
    /// The reference, command or package the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Set when a policy exception accepts the finding; waived findings do not fail the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waiver>,
}

impl Finding {
    pub fn new(code: Code, file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line,
            code,
            level: Level::Error,
            message: message.into(),
            subject: None,
            waived: None,
        }
    }

    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    #[must_use]
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Whether this finding fails the run.
    pub fn is_failure(&self) -> bool {
        self.level == Level::Error && self.waived.is_none()
    }

    /// The same finding as a [`vouch_core::Diagnostic`].
    pub fn to_diagnostic(&self) -> vouch_core::Diagnostic {
        vouch_core::Diagnostic::new(self.code.as_str(), self.level, &self.message)
            .at(&self.file, self.line)
    }
}

/// What was checked of one lockfile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LockfileSummary {
    pub file: String,
    pub kind: vouch_lockfile::LockfileKind,
    /// Third-party entries checked (path and workspace members excluded).
    pub packages: usize,
    /// Entries with an acceptable integrity hash or commit id.
    pub recorded: usize,
    /// `sha256:<hex>` of the file's bytes.
    pub digest: String,
    /// Tracked by git (`None` outside a git work tree).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked: Option<bool>,
    /// In sync with its manifest (`None` when not checked for this ecosystem).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_sync: Option<bool>,
}

/// Totals for a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub files: usize,
    pub references: usize,
    pub pinned: usize,
    pub unpinned: usize,
    pub lockfiles: usize,
    pub errors: usize,
    pub warnings: usize,
    pub waived: usize,
}

/// The result of `vouch pins`: the JSON output, and the evidence an attestation carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Report format version (`1`).
    pub version: u32,
    pub references: Vec<Reference>,
    pub lockfiles: Vec<LockfileSummary>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// A verified pin, shaped as an SLSA `ResourceDescriptor` for `resolvedDependencies`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResolvedDependency {
    pub uri: String,
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Report {
    /// Assembles a report: sorts, deduplicates and totals.
    pub fn new(
        mut references: Vec<Reference>,
        mut lockfiles: Vec<LockfileSummary>,
        mut findings: Vec<Finding>,
        files: usize,
    ) -> Self {
        references.sort();
        references.dedup();
        lockfiles.sort();
        findings.sort_by(|a, b| {
            (&a.file, a.line, a.code, &a.subject, &a.message)
                .cmp(&(&b.file, b.line, b.code, &b.subject, &b.message))
        });
        findings.dedup();
        let summary = Summary {
            files,
            references: references.len(),
            pinned: references.iter().filter(|r| r.state.is_immutable()).count(),
            unpinned: references
                .iter()
                .filter(|r| !r.state.is_immutable())
                .count(),
            lockfiles: lockfiles.len(),
            errors: findings.iter().filter(|f| f.is_failure()).count(),
            warnings: findings
                .iter()
                .filter(|f| f.level == Level::Warning && f.waived.is_none())
                .count(),
            waived: findings.iter().filter(|f| f.waived.is_some()).count(),
        };
        Self {
            version: 1,
            references,
            lockfiles,
            findings,
            summary,
        }
    }

    /// Whether anything is unpinned or unrecorded (exit 1).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(Finding::is_failure)
    }

    /// Findings with a given code (tests, renderers).
    pub fn with_code(&self, code: Code) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.code == code)
    }

    /// Every verified pin: action commits, image digests and lockfile digests, as SLSA
    /// `resolvedDependencies` entries (sorted, deduplicated).
    pub fn resolved_dependencies(&self) -> Vec<ResolvedDependency> {
        let mut out = Vec::new();
        for r in &self.references {
            let Some(digest) = &r.digest else { continue };
            if !matches!(r.state, PinState::Pinned | PinState::Locked) {
                continue;
            }
            let Some((alg, hex)) = digest.split_once(':') else {
                continue;
            };
            let (uri, key) = match r.kind {
                ReferenceKind::Action | ReferenceKind::ReusableWorkflow => {
                    let name = r.reference.split('@').next().unwrap_or_default();
                    let repo: Vec<&str> = name.splitn(3, '/').take(2).collect();
                    (
                        format!("git+https://github.com/{}@{hex}", repo.join("/")),
                        "gitCommit".to_owned(),
                    )
                }
                ReferenceKind::DockerAction | ReferenceKind::Image => {
                    let name = r.resolved.as_deref().unwrap_or(&r.reference);
                    let name = name.strip_prefix("docker://").unwrap_or(name);
                    let base = name.split('@').next().unwrap_or(name);
                    (format!("oci://{base}@{alg}:{hex}"), alg.to_owned())
                }
            };
            out.push(ResolvedDependency {
                uri,
                digest: BTreeMap::from([(key, hex.to_owned())]),
                name: Some(r.reference.clone()),
            });
        }
        for l in &self.lockfiles {
            if let Some(hex) = l.digest.strip_prefix("sha256:") {
                out.push(ResolvedDependency {
                    uri: format!("file:{}", l.file),
                    digest: BTreeMap::from([("sha256".to_owned(), hex.to_owned())]),
                    name: None,
                });
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Whether `s` is a full 40-hex git commit id.
pub fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
