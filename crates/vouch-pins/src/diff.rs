//! Lockfile change records: what changed between two revisions of the lockfiles.
//!
//! Every third-party version change should leave a record (SSDF S.S.6). A [`ChangeRecord`] lists,
//! per lockfile, the packages added, removed, upgraded, downgraded, moved to another source, and
//! (critical) whose **hash changed at the same version**: a re-published or tampered artifact.
//! The record is the predicate of a lockfile-change attestation, so its JSON shape is committed
//! in `schemas/lockfile-diff.schema.json`.
//!
//! Revisions are read with `git show REV:path`; nothing is checked out.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use vouch_lockfile::{LockedPackage, Lockfile, LockfileKind, Source};

/// What happened to a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Added,
    Removed,
    Upgraded,
    Downgraded,
    SourceChanged,
    /// Same name and version, different integrity hash: critical.
    HashChanged,
}

/// One side of a change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PackageState {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub integrity: Vec<String>,
}

impl From<&LockedPackage> for PackageState {
    fn from(p: &LockedPackage) -> Self {
        Self {
            version: p.version.clone(),
            source: p.source.clone(),
            integrity: p.integrity.clone(),
        }
    }
}

/// One package change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PackageState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PackageState>,
    /// A change that must stop a release (a hash changed at the same version).
    pub critical: bool,
}

/// The changes of one lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockfileChanges {
    /// Path relative to the repository root.
    pub file: String,
    pub kind: LockfileKind,
    /// `sha256:<hex>` of the file at each revision (absent when the file did not exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_digest: Option<String>,
    pub changes: Vec<Change>,
}

/// A git revision, as asked and as resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub rev: String,
    /// The full commit id.
    pub commit: String,
}

/// Counts per change kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSummary {
    pub added: usize,
    pub removed: usize,
    pub upgraded: usize,
    pub downgraded: usize,
    pub source_changed: usize,
    pub hash_changed: usize,
}

/// The record of every third-party version change between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// Record format version (`1`).
    pub version: u32,
    pub from: Revision,
    pub to: Revision,
    pub lockfiles: Vec<LockfileChanges>,
    pub summary: ChangeSummary,
}

impl ChangeRecord {
    /// Whether any change is critical.
    pub fn has_critical(&self) -> bool {
        self.lockfiles
            .iter()
            .any(|l| l.changes.iter().any(|c| c.critical))
    }

    fn summarize(&mut self) {
        let mut s = ChangeSummary::default();
        for c in self.lockfiles.iter().flat_map(|l| &l.changes) {
            *match c.kind {
                ChangeKind::Added => &mut s.added,
                ChangeKind::Removed => &mut s.removed,
                ChangeKind::Upgraded => &mut s.upgraded,
                ChangeKind::Downgraded => &mut s.downgraded,
                ChangeKind::SourceChanged => &mut s.source_changed,
                ChangeKind::HashChanged => &mut s.hash_changed,
            } += 1;
        }
        self.summary = s;
    }
}

/// Compares two version strings: numeric segments numerically, others as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let norm = |s: &str| s.trim_start_matches(['v', 'V', '=']).to_owned();
    let (a, b) = (norm(a), norm(b));
    if let (Ok(x), Ok(y)) = (semver::Version::parse(&a), semver::Version::parse(&b)) {
        return x.cmp(&y);
    }
    let seg =
        |s: &str| -> Vec<String> { s.split(['.', '-', '+', '_']).map(str::to_owned).collect() };
    let (sa, sb) = (seg(&a), seg(&b));
    for (x, y) in sa.iter().zip(&sb) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(p), Ok(q)) => p.cmp(&q),
            (Ok(_), Err(_)) => Ordering::Greater,
            (Err(_), Ok(_)) => Ordering::Less,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    sa.len().cmp(&sb.len())
}

/// Where a package comes from, without the per-version part: a registry URL, the scheme and
/// host of a download URL, a git repository and its revision, a path.
fn origin(s: Option<&Source>) -> String {
    match s {
        None => String::new(),
        Some(Source::Registry { url }) => format!("registry {}", url.trim_end_matches('/')),
        Some(Source::Url { url }) => {
            let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
            format!("url {scheme}://{}", rest.split('/').next().unwrap_or(rest))
        }
        Some(Source::Git { url, rev }) => {
            format!("git {url}#{}", rev.as_deref().unwrap_or_default())
        }
        Some(Source::Path { path }) => format!("path {}", path.as_deref().unwrap_or_default()),
    }
}

/// Whether two entries come from different places. A git revision only counts when the
/// version stayed the same (a new version at a new commit is just the upgrade).
fn source_changed(a: &LockedPackage, b: &LockedPackage) -> bool {
    let strip_rev = |p: &LockedPackage| match &p.source {
        Some(Source::Git { url, .. }) if a.version != b.version => format!("git {url}"),
        s => origin(s.as_ref()),
    };
    strip_rev(a) != strip_rev(b)
}

fn third_party(p: &LockedPackage) -> bool {
    !matches!(p.source, Some(Source::Path { .. }))
}

/// Compares two parsed lockfiles (either may be absent).
pub fn diff_lockfiles(from: Option<&Lockfile>, to: Option<&Lockfile>) -> Vec<Change> {
    let group = |l: Option<&Lockfile>| -> BTreeMap<String, Vec<LockedPackage>> {
        let mut m: BTreeMap<String, Vec<LockedPackage>> = BTreeMap::new();
        for p in l.map_or(&[][..], |l| &l.packages) {
            if third_party(p) {
                m.entry(p.name.clone()).or_default().push(p.clone());
            }
        }
        m
    };
    let (old, new) = (group(from), group(to));
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let o = old.get(name).cloned().unwrap_or_default();
        let n = new.get(name).cloned().unwrap_or_default();
        let mut o_rest: Vec<&LockedPackage> = Vec::new();
        let mut n_rest: Vec<&LockedPackage> = n.iter().collect();
        for op in &o {
            if let Some(i) = n_rest.iter().position(|np| np.version == op.version) {
                let np = n_rest.remove(i);
                if source_changed(op, np) {
                    out.push(change(ChangeKind::SourceChanged, name, Some(op), Some(np)));
                }
                let shared = op.integrity.iter().any(|h| np.integrity.contains(h));
                if !op.integrity.is_empty() && !np.integrity.is_empty() && !shared {
                    out.push(change(ChangeKind::HashChanged, name, Some(op), Some(np)));
                }
            } else {
                o_rest.push(op);
            }
        }
        o_rest.sort_by(|a, b| compare_versions(&a.version, &b.version));
        n_rest.sort_by(|a, b| compare_versions(&a.version, &b.version));
        let pairs = o_rest.len().min(n_rest.len());
        for (op, np) in o_rest.iter().zip(&n_rest) {
            let kind = if compare_versions(&np.version, &op.version) == Ordering::Less {
                ChangeKind::Downgraded
            } else {
                ChangeKind::Upgraded
            };
            out.push(change(kind, name, Some(op), Some(np)));
            if source_changed(op, np) {
                out.push(change(ChangeKind::SourceChanged, name, Some(op), Some(np)));
            }
        }
        for op in &o_rest[pairs..] {
            out.push(change(ChangeKind::Removed, name, Some(op), None));
        }
        for np in &n_rest[pairs..] {
            out.push(change(ChangeKind::Added, name, None, Some(np)));
        }
    }
    out
}

fn change(
    kind: ChangeKind,
    name: &str,
    from: Option<&LockedPackage>,
    to: Option<&LockedPackage>,
) -> Change {
    Change {
        kind,
        name: name.to_owned(),
        from: from.map(PackageState::from),
        to: to.map(PackageState::from),
        critical: kind == ChangeKind::HashChanged,
    }
}

/// Why a change record could not be made (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("failed to run git in `{dir}`: {source}")]
    Spawn {
        dir: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`git {args}` failed in `{dir}`: {stderr}")]
    Git {
        dir: String,
        args: String,
        stderr: String,
    },
    #[error(transparent)]
    Parse(#[from] vouch_lockfile::ParseError),
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, DiffError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|source| DiffError::Spawn {
            dir: dir.display().to_string(),
            source,
        })?;
    if !out.status.success() {
        return Err(DiffError::Git {
            dir: dir.display().to_string(),
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(out.stdout)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

fn lockfiles_at(
    top: &Path,
    commit: &str,
    prefix: &str,
) -> Result<BTreeMap<String, LockfileKind>, DiffError> {
    let list = git(top, &["ls-tree", "-r", "-z", "--name-only", commit])?;
    Ok(list
        .split(|&b| b == 0)
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter(|p| p.starts_with(prefix))
        .filter_map(|p| {
            let name = p.rsplit('/').next()?;
            let kind = LockfileKind::from_file_name(name)?;
            (kind != LockfileKind::GoMod).then(|| (p.to_owned(), kind))
        })
        .collect())
}

/// Builds the change record of the lockfiles under `path` between two revisions.
pub fn diff_revisions(path: &Path, from: &str, to: &str) -> Result<ChangeRecord, DiffError> {
    let dir = if path.is_file() {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        path.to_path_buf()
    };
    let top = PathBuf::from(text(&git(&dir, &["rev-parse", "--show-toplevel"])?));
    let prefix = text(&git(&dir, &["rev-parse", "--show-prefix"])?);
    let prefix = if path.is_file() {
        format!(
            "{prefix}{}",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
        )
    } else {
        prefix
    };
    let resolve = |rev: &str| -> Result<Revision, DiffError> {
        Ok(Revision {
            rev: rev.to_owned(),
            commit: text(&git(
                &top,
                &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
            )?),
        })
    };
    let (rf, rt) = (resolve(from)?, resolve(to)?);
    let old = lockfiles_at(&top, &rf.commit, &prefix)?;
    let new = lockfiles_at(&top, &rt.commit, &prefix)?;
    let files: BTreeSet<(&String, LockfileKind)> =
        old.iter().chain(new.iter()).map(|(p, k)| (p, *k)).collect();
    let mut lockfiles = Vec::new();
    for (file, kind) in files {
        let read = |commit: &str, present: bool| -> Result<Option<(Lockfile, String)>, DiffError> {
            if !present {
                return Ok(None);
            }
            let bytes = git(&top, &["show", &format!("{commit}:{file}")])?;
            let digest = {
                use sha2::Digest as _;
                format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)))
            };
            let text = String::from_utf8_lossy(&bytes);
            match crate::records::parse(kind, &text, file) {
                Some(r) => Ok(Some((r?, digest))),
                None => Ok(None),
            }
        };
        let a = read(&rf.commit, old.contains_key(file))?;
        let b = read(&rt.commit, new.contains_key(file))?;
        if a.as_ref().map(|x| &x.1) == b.as_ref().map(|x| &x.1) {
            continue;
        }
        let changes = diff_lockfiles(a.as_ref().map(|x| &x.0), b.as_ref().map(|x| &x.0));
        lockfiles.push(LockfileChanges {
            file: file.clone(),
            kind,
            from_digest: a.map(|x| x.1),
            to_digest: b.map(|x| x.1),
            changes,
        });
    }
    let mut record = ChangeRecord {
        version: 1,
        from: rf,
        to: rt,
        lockfiles,
        summary: ChangeSummary::default(),
    };
    record.summarize();
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_order() {
        assert_eq!(compare_versions("1.2.10", "1.2.9"), Ordering::Greater);
        assert_eq!(compare_versions("v0.9.0", "0.10.0"), Ordering::Less);
        assert_eq!(compare_versions("2.0", "2.0.1"), Ordering::Less);
        assert_eq!(compare_versions("8.0.4", "8.0.4"), Ordering::Equal);
    }
}
