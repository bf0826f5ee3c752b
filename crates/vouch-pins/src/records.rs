//! Lockfile records: every third-party entry carries an integrity hash of an acceptable
//! algorithm (or a commit id for VCS sources) from an allowed registry; the lockfile is tracked
//! by git and in sync with its manifest.
//!
//! Ecosystem quirks: Yarn Berry's `checksum` is a cache checksum (`10c0/<sha512 hex>`), accepted
//! as sha512; Composer's `dist.shasum` is usually empty and the entry is pinned by its
//! `source.reference` commit; npm entries that are links or bundled have no `integrity` and
//! are skipped as first-party/inside-another-package.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};
use vouch_lockfile::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

use crate::{is_commit_sha, Code, Finding, LockfileSummary};

/// Registries accepted by default, by URL prefix.
pub const DEFAULT_SOURCES: &[&str] = &[
    "https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
    "https://index.crates.io/",
    "https://registry.npmjs.org/",
    "https://registry.yarnpkg.com/",
    "https://pypi.org/",
    "https://pypi.python.org/",
    "https://files.pythonhosted.org/",
    "https://rubygems.org/",
    "https://repo.packagist.org/",
    "https://api.github.com/repos/",
    "https://codeload.github.com/",
    "https://proxy.golang.org/",
];

/// How an integrity value is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashStrength {
    Strong,
    Weak,
    Unknown,
}

/// Judges one integrity value as lockfiles write them.
pub fn hash_strength(v: &str) -> HashStrength {
    let v = v.trim();
    let lower = v.to_ascii_lowercase();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    if ["sha512-", "sha384-", "sha256-", "h1:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return HashStrength::Strong;
    }
    if lower.starts_with("sha1-") || lower.starts_with("md5-") {
        return HashStrength::Weak;
    }
    if let Some((alg, val)) = lower.split_once([':', '=']) {
        return match alg {
            "sha256" | "sha384" | "sha512" | "sha3-256" | "blake2b" | "blake2b-256" => {
                HashStrength::Strong
            }
            "sha1" | "md5" => HashStrength::Weak,
            _ if hex(val, 64) || hex(val, 128) => HashStrength::Strong,
            _ => HashStrength::Unknown,
        };
    }
    // Yarn Berry cache checksum `10c0/<128 hex>` (or bare 128 hex in older caches).
    if let Some((_, h)) = lower.split_once('/') {
        if hex(h, 128) {
            return HashStrength::Strong;
        }
    }
    if hex(&lower, 64) || hex(&lower, 128) || hex(&lower, 96) {
        return HashStrength::Strong;
    }
    if hex(&lower, 40) || hex(&lower, 32) {
        return HashStrength::Weak;
    }
    HashStrength::Unknown
}

/// Parses a lockfile with the parser for its kind, when this build has one.
pub fn parse(kind: LockfileKind, text: &str, file: &str) -> Option<Result<Lockfile, ParseError>> {
    use vouch_lockfile as l;
    Some(match kind {
        LockfileKind::CargoLock => l::cargo::parse(text, file),
        LockfileKind::PackageLockJson => l::npm::parse(text, file),
        LockfileKind::YarnLock => l::yarn::parse(text, file),
        LockfileKind::PnpmLock => l::pnpm::parse(text, file),
        LockfileKind::RequirementsTxt => l::python::parse_requirements(text, file),
        LockfileKind::PoetryLock => l::python::parse_poetry(text, file),
        LockfileKind::UvLock => l::python::parse_uv(text, file),
        LockfileKind::PipfileLock => l::python::parse_pipfile(text, file),
        LockfileKind::GoSum => l::gosum::parse(text, file),
        LockfileKind::GemfileLock => l::gemfile::parse(text, file),
        LockfileKind::ComposerLock => l::composer::parse(text, file),
        // go.mod records versions, go.sum records their hashes.
        LockfileKind::GoMod => return None,
    })
}

fn allowed(url: &str, extra: &[String]) -> bool {
    let u = url.trim();
    DEFAULT_SOURCES
        .iter()
        .map(|s| (*s).to_owned())
        .chain(extra.iter().cloned())
        .any(|p| {
            let p = p.trim_end_matches('/');
            u == p || u.starts_with(&format!("{p}/")) || u.starts_with(&format!("{p}?"))
        })
}

/// Checks one parsed lockfile's entries. Returns (third-party entries, recorded entries).
pub fn check_entries(
    file: &str,
    lock: &Lockfile,
    allowed_sources: &[String],
    findings: &mut Vec<Finding>,
) -> (usize, usize) {
    let mut total = 0;
    let mut recorded = 0;
    for p in &lock.packages {
        let subject = format!("{}@{}", p.name, p.version);
        let at = |code: Code, msg: String| {
            Finding::new(code, file, p.line, msg).subject(subject.clone())
        };
        match &p.source {
            Some(Source::Path { .. }) => continue,
            Some(Source::Git { url, rev }) => {
                total += 1;
                let commit = rev
                    .as_deref()
                    .map(|r| r.split(['?', '#']).next_back().unwrap_or(r));
                if commit.is_some_and(is_commit_sha) || !p.integrity.is_empty() && is_strong(p) {
                    recorded += 1;
                } else {
                    findings.push(at(
                        Code::UnpinnedVcsSource,
                        format!("`{subject}` comes from `{url}` without a full commit id"),
                    ));
                }
                continue;
            }
            Some(Source::Registry { url } | Source::Url { url }) => {
                total += 1;
                if !allowed(url, allowed_sources) {
                    findings.push(at(
                        Code::DisallowedSource,
                        format!("`{subject}` comes from `{url}`, outside the registry allow-list"),
                    ));
                }
            }
            None => total += 1,
        }
        if p.integrity.is_empty() {
            let hint = match lock.kind {
                LockfileKind::PackageLockJson => {
                    " (npm leaves `integrity` out when it wrote the entry from a partial cache; \
                     regenerate with `npm install --package-lock-only` on an empty cache)"
                }
                LockfileKind::GemfileLock => " (record checksums with `bundle lock --add-checksums`)",
                LockfileKind::RequirementsTxt => {
                    " (generate hashes with `pip-compile --generate-hashes` or `uv pip compile --generate-hashes`)"
                }
                _ => "",
            };
            findings.push(at(
                Code::MissingIntegrity,
                format!("`{subject}` has no integrity hash{hint}"),
            ));
            continue;
        }
        let weak: Vec<&String> = p
            .integrity
            .iter()
            .filter(|i| hash_strength(i) == HashStrength::Weak)
            .collect();
        if is_strong(p) {
            recorded += 1;
        } else if let Some(w) = weak.first() {
            let alg = w.split(['-', ':', '=']).next().unwrap_or("sha1");
            let alg = if alg.len() > 8 { "sha1" } else { alg };
            findings.push(at(
                Code::WeakHash,
                format!("`{subject}` is recorded only with a {alg} hash"),
            ));
        } else {
            findings.push(at(
                Code::MissingIntegrity,
                format!(
                    "`{subject}` has an integrity value of an unknown algorithm (`{}`)",
                    p.integrity[0]
                ),
            ));
        }
    }
    (total, recorded)
}

fn is_strong(p: &LockedPackage) -> bool {
    p.integrity
        .iter()
        .any(|i| hash_strength(i) == HashStrength::Strong)
}

/// Checks a lockfile file: records, tracked by git, in sync with its manifest.
pub fn check_lockfile(
    rel: &str,
    kind: LockfileKind,
    bytes: &[u8],
    tracked: Option<&HashSet<String>>,
    root: &Path,
    tools: bool,
) -> (Option<LockfileSummary>, Vec<Finding>) {
    check_lockfile_with(rel, kind, bytes, tracked, root, tools, &[])
}

/// [`check_lockfile`] with extra allowed sources.
#[allow(clippy::too_many_arguments)]
pub fn check_lockfile_with(
    rel: &str,
    kind: LockfileKind,
    bytes: &[u8],
    tracked: Option<&HashSet<String>>,
    root: &Path,
    tools: bool,
    allowed_sources: &[String],
) -> (Option<LockfileSummary>, Vec<Finding>) {
    let mut findings = Vec::new();
    let text = String::from_utf8_lossy(bytes);
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(bytes)));
    let Some(parsed) = parse(kind, &text, rel) else {
        return (None, findings);
    };
    let lock = match parsed {
        Ok(l) => l,
        Err(e) => {
            findings.push(Finding::new(Code::ParseError, rel, None, e.to_string()));
            return (None, findings);
        }
    };
    let mut lock = lock;
    if kind == LockfileKind::PackageLockJson {
        // Bundled dependencies ship inside their parent's tarball, covered by its integrity.
        let bundled = npm_bundled_lines(&text);
        lock.packages
            .retain(|p| !p.line.is_some_and(|l| bundled.contains(&l)));
    }
    let (packages, recorded) = check_entries(rel, &lock, allowed_sources, &mut findings);
    let is_tracked = tracked.map(|t| t.contains(rel));
    if is_tracked == Some(false) {
        findings.push(Finding::new(
            Code::LockfileUntracked,
            rel,
            None,
            format!("`{rel}` is not tracked by git: its changes leave no record"),
        ));
    }
    let dir = root
        .join(rel)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let in_sync = sync::check(kind, &text, &dir, tools);
    if let Some((false, why)) = &in_sync {
        findings.push(Finding::new(
            Code::LockfileOutOfSync,
            rel,
            None,
            format!("`{rel}` is out of sync with its manifest: {why}"),
        ));
    }
    (
        Some(LockfileSummary {
            file: rel.to_owned(),
            kind,
            packages,
            recorded,
            digest,
            tracked: is_tracked,
            in_sync: in_sync.map(|(ok, _)| ok),
        }),
        findings,
    )
}

/// Lines of package-lock entries marked `"inBundle": true` (v2/v3) or `"bundled": true` (v1):
/// the line of the entry's key, found by walking back from the marker.
pub fn npm_bundled_lines(text: &str) -> HashSet<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.starts_with("\"inBundle\": true") || t.starts_with("\"bundled\": true") {
            let indent = l.len() - l.trim_start().len();
            if let Some(j) = (0..i).rev().find(|&j| {
                let h = lines[j];
                let hi = h.len() - h.trim_start().len();
                hi + 2 == indent && h.trim_end().ends_with('{') && h.trim_start().starts_with('"')
            }) {
                out.insert((j + 1) as u32);
            }
        }
    }
    out
}

/// Manifests that need a lockfile beside them (or in an ancestor, for workspaces).
pub fn missing_lockfiles(
    root: &Path,
    paths: &[PathBuf],
    rel: impl Fn(&Path) -> String,
) -> Vec<Finding> {
    let names: HashSet<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut out = Vec::new();
    for p in paths {
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let wanted: &[&str] = match name {
            "Cargo.toml" => &["Cargo.lock"],
            "package.json" => &[
                "package-lock.json",
                "npm-shrinkwrap.json",
                "yarn.lock",
                "pnpm-lock.yaml",
            ],
            "Gemfile" => &["Gemfile.lock"],
            "composer.json" => &["composer.lock"],
            "go.mod" => &["go.sum"],
            _ => continue,
        };
        if name == "go.mod"
            && !std::fs::read_to_string(p)
                .is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("require")))
        {
            continue;
        }
        if name == "package.json"
            && !std::fs::read_to_string(p).is_ok_and(|t| t.contains("ependencies\""))
        {
            continue;
        }
        let dir = p.parent().unwrap_or(root);
        let found = dir
            .ancestors()
            .take_while(|a| a.starts_with(root))
            .any(|a| {
                wanted
                    .iter()
                    .any(|w| names.contains(a.join(w).as_path()) || a.join(w).is_file())
            });
        if !found {
            let r = rel(p);
            out.push(Finding::new(
                Code::LockfileMissing,
                &r,
                None,
                format!("`{r}` has no {} beside it", wanted.join(" / ")),
            ));
        }
    }
    out
}

/// In-sync checks per ecosystem.
pub mod sync {
    use super::{Command, LockfileKind, Path};

    /// `Some((in_sync, why))` when the ecosystem has a check and it could run.
    pub fn check(
        kind: LockfileKind,
        text: &str,
        dir: &Path,
        tools: bool,
    ) -> Option<(bool, String)> {
        match kind {
            LockfileKind::PackageLockJson => {
                let manifest = std::fs::read_to_string(dir.join("package.json")).ok()?;
                npm(text, &manifest)
            }
            LockfileKind::CargoLock if tools => cargo(dir),
            _ => None,
        }
    }

    /// npm: the root entry `packages[""]` records the manifest's dependency maps.
    pub fn npm(lock: &str, manifest: &str) -> Option<(bool, String)> {
        let lock: serde_json::Value = serde_json::from_str(lock).ok()?;
        let manifest: serde_json::Value = serde_json::from_str(manifest).ok()?;
        let root = lock.get("packages")?.get("")?;
        for key in [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ] {
            let empty = serde_json::Value::Object(serde_json::Map::new());
            let want = manifest.get(key).unwrap_or(&empty);
            let have = root.get(key).unwrap_or(&empty);
            if want != have {
                let w = want.as_object().cloned().unwrap_or_default();
                let h = have.as_object().cloned().unwrap_or_default();
                let differing: Vec<String> = w
                    .iter()
                    .filter(|(k, v)| h.get(*k) != Some(v))
                    .map(|(k, v)| format!("{k} {v}"))
                    .chain(
                        h.keys()
                            .filter(|k| !w.contains_key(*k))
                            .map(|k| format!("{k} (only in the lockfile)")),
                    )
                    .collect();
                return Some((false, format!("`{key}` differs: {}", differing.join(", "))));
            }
        }
        Some((true, String::new()))
    }

    /// Cargo: `cargo metadata --locked --offline` fails when the lockfile would change.
    pub fn cargo(dir: &Path) -> Option<(bool, String)> {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            return None;
        }
        let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--locked",
                "--offline",
                "--manifest-path",
            ])
            .arg(&manifest)
            .stdout(std::process::Stdio::null())
            .output()
            .ok()?;
        if out.status.success() {
            return Some((true, String::new()));
        }
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("--locked")
            && (err.contains("needs to be updated") || err.contains("cannot update the lock file"))
        {
            return Some((
                false,
                "`cargo metadata --locked --offline` would update it".to_owned(),
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strengths() {
        assert_eq!(hash_strength("sha512-AAAA=="), HashStrength::Strong);
        assert_eq!(hash_strength("sha1-AAAA"), HashStrength::Weak);
        assert_eq!(hash_strength("md5:0123"), HashStrength::Weak);
        assert_eq!(hash_strength("h1:abc="), HashStrength::Strong);
        assert_eq!(
            hash_strength("0123456789012345678901234567890123456789012345678901234567890123"),
            HashStrength::Strong
        );
        assert_eq!(
            hash_strength("0123456789012345678901234567890123456789"),
            HashStrength::Weak
        );
        let berry = format!("10c0/{}", "a".repeat(128));
        assert_eq!(hash_strength(&berry), HashStrength::Strong);
    }
}
