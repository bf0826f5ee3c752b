//! Cataloging Cargo projects: from `cargo metadata`, or from a bare `Cargo.lock`.
//!
//! **With sources** ([`metadata`] then [`from_metadata`]): Cargo itself resolves features,
//! platforms and dependency kinds, always with `--locked` so the lockfile is never rewritten.
//! The root is the selected package (`-p`), the only workspace member, or else a synthetic
//! component for the workspace that depends on every member. Each component's scope comes
//! from the strongest way the roots reach it: through normal dependencies only (required),
//! through a `[build-dependencies]` edge (excluded, kind `build`), or only through the roots'
//! `[dev-dependencies]` (excluded, kind `dev`). Dev-dependencies of non-root packages are
//! not followed, as Cargo does not build them. Checksums come from the workspace's
//! `Cargo.lock`, since `cargo metadata` does not report them.
//!
//! **Lockfile only** ([`from_lockfile`]): every `[[package]]` becomes a component with its
//! checksum and edges. A lockfile does not say which edges are dev or build edges, so every
//! component is `required` there; path crates nothing depends on become the roots.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind as CargoKind, Metadata, MetadataCommand, PackageId};
use vouch_core::{Digest, DigestAlgorithm, Purl};
use vouch_lockfile::cargo::{is_crates_io, parse_source, CargoLock};
use vouch_lockfile::Source;

use crate::{Component, ComponentKind, DependencyKind, Sbom, Scope, SourceKind, Tool};

/// Which platforms' `cfg(...)` dependencies to include.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// Every platform (Cargo's default for `cargo metadata`).
    #[default]
    All,
    /// One target triple (`--filter-platform`).
    Triple(String),
}

/// Feature selection, as Cargo's flags.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Features {
    pub all_features: bool,
    pub no_default_features: bool,
    pub features: Vec<String>,
}

/// How to run `cargo metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetadataOptions {
    /// Path of the `Cargo.toml`.
    pub manifest_path: PathBuf,
    pub target: Target,
    pub features: Features,
    /// Pass `--offline` (no index updates or downloads).
    pub offline: bool,
}

/// Which part of the workspace to describe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogOptions {
    /// `-p` specs (`name` or `name@version`); empty = the package whose manifest `cargo
    /// metadata` was pointed at when that is a member below the workspace root, else every
    /// workspace member.
    pub packages: Vec<String>,
}

/// Why a Cargo project could not be cataloged.
#[derive(Debug, thiserror::Error)]
pub enum CargoError {
    #[error("`cargo metadata` failed for `{manifest}`: {message}")]
    Metadata { manifest: String, message: String },
    #[error("failed to run `cargo metadata` for `{manifest}`: {source}")]
    Spawn {
        manifest: String,
        #[source]
        source: cargo_metadata::Error,
    },
    #[error("`cargo metadata` for `{manifest}` returned no dependency graph")]
    NoResolve { manifest: String },
    #[error("package `{spec}` is not a member of the workspace at `{root}`")]
    UnknownPackage { spec: String, root: String },
    #[error("package spec `{spec}` matches more than one workspace member")]
    AmbiguousPackage { spec: String },
    #[error("failed to read `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse `{file}`: {message}")]
    Lockfile { file: String, message: String },
}

/// Reads and parses a `Cargo.lock`, with a one-line error naming the file, the cause and
/// the line and column.
// The wildcard arm is for variants other lockfile formats add to the shared error type.
#[allow(clippy::match_wildcard_for_single_variants)]
pub fn read_lockfile(path: &Path) -> Result<CargoLock, CargoError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| CargoError::Read {
        path: file.clone(),
        source,
    })?;
    vouch_lockfile::cargo::parse_lock(&text, &file).map_err(|e| {
        let message = match e {
            vouch_lockfile::ParseError::Toml { source, .. } => {
                let cause = source
                    .message()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ");
                match source.span() {
                    Some(span) => {
                        let line = vouch_lockfile::line_of(&text, span.start);
                        let line_start = text[..span.start.min(text.len())]
                            .rfind('\n')
                            .map_or(0, |i| i + 1);
                        let column =
                            text[line_start..span.start.min(text.len())].chars().count() + 1;
                        format!("{cause} (at line {line}, column {column})")
                    }
                    None => cause,
                }
            }
            vouch_lockfile::ParseError::Syntax { message, .. } => message,
            vouch_lockfile::ParseError::Unsupported { what, .. } => format!("unsupported {what}"),
            other => other.to_string(),
        };
        CargoError::Lockfile { file, message }
    })
}

/// Cargo's error output reduced to one line: the `error:` line and its `Caused by:` chain,
/// without source snippets, hints and warnings.
fn one_line(stderr: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut location = None;
    let mut in_error = false;
    for line in stderr.lines() {
        let t = line.trim();
        if let Some(loc) = t.strip_prefix("-->") {
            if in_error && location.is_none() {
                location = Some(loc.trim().to_owned());
            }
            continue;
        }
        if let Some(msg) = t.strip_prefix("error:") {
            in_error = true;
            parts.push(msg.trim().to_owned());
            continue;
        }
        if !in_error || t.is_empty() || t == "Caused by:" {
            continue;
        }
        // TOML snippets (`1 | x = `, `  |   ^`) and advice lines are not the cause.
        if t.starts_with('|')
            || t.starts_with("-->")
            || t.split_once('|')
                .is_some_and(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()))
            || t.starts_with("If you want")
            || t.starts_with("help:")
            || t.starts_with("note:")
            || t.starts_with("warning:")
        {
            continue;
        }
        if line.starts_with("  ") || line.starts_with('\t') {
            parts.push(t.to_owned());
        }
    }
    parts.dedup();
    let mut msg = if parts.is_empty() {
        stderr.trim().lines().last().unwrap_or_default().to_owned()
    } else {
        parts.join(": ")
    };
    if let Some(loc) = location {
        msg = format!("{msg} (at {loc})");
    }
    msg
}

/// Runs `cargo metadata --locked` (plus `--offline`, `--filter-platform`, feature flags).
pub fn metadata(opts: &MetadataOptions) -> Result<Metadata, CargoError> {
    let manifest = opts.manifest_path.display().to_string();
    let mut cmd = MetadataCommand::new();
    cmd.manifest_path(&opts.manifest_path);
    let mut other = vec!["--locked".to_owned()];
    if opts.offline {
        other.push("--offline".into());
    }
    if let Target::Triple(t) = &opts.target {
        other.push("--filter-platform".into());
        other.push(t.clone());
    }
    if opts.features.all_features {
        other.push("--all-features".into());
    }
    if opts.features.no_default_features {
        other.push("--no-default-features".into());
    }
    if !opts.features.features.is_empty() {
        other.push("--features".into());
        other.push(opts.features.features.join(","));
    }
    cmd.other_options(other);
    cmd.exec().map_err(|e| match e {
        cargo_metadata::Error::CargoMetadata { stderr } => CargoError::Metadata {
            manifest,
            message: one_line(&stderr),
        },
        source => CargoError::Spawn { manifest, source },
    })
}

/// The purl of a Cargo package from its name, version and raw source id.
///
/// crates.io packages get `pkg:cargo/name@version`; other registries add
/// `repository_url=<index>`; git packages add `vcs_url=git+<url>@<rev>` (the purl spec's
/// VCS URL form); path crates get the bare purl (they are first-party; the `vouch:source`
/// property says so).
pub fn purl_for(name: &str, version: &str, source: Option<&str>) -> Purl {
    let base = Purl::new("cargo", None, name, Some(version)).expect("type and name are set");
    let Some(raw) = source else {
        return base;
    };
    if is_crates_io(raw) {
        return base;
    }
    match parse_source(raw) {
        Source::Registry { url } => base.with_qualifier("repository_url", &url),
        Source::Git { url, rev } => {
            let vcs = match rev {
                Some(r) => format!("git+{url}@{r}"),
                None => format!("git+{url}"),
            };
            base.with_qualifier("vcs_url", &vcs)
        }
        Source::Path { .. } => base,
        Source::Url { url } => base.with_qualifier("download_url", &url),
    }
}

fn source_kind(source: Option<&str>) -> SourceKind {
    match source.map(parse_source) {
        Some(Source::Registry { .. }) => SourceKind::Registry,
        Some(Source::Git { .. }) => SourceKind::Git,
        Some(Source::Path { .. } | Source::Url { .. }) | None => SourceKind::Path,
    }
}

/// Assigns bom-refs: the purl, with `#2`, `#3`… for repeats (same name and version from two
/// paths).
#[derive(Default)]
struct RefAllocator {
    used: BTreeSet<String>,
}

impl RefAllocator {
    fn allocate(&mut self, base: &str) -> String {
        let mut r = base.to_owned();
        let mut n = 2;
        while !self.used.insert(r.clone()) {
            r = format!("{base}#{n}");
            n += 1;
        }
        r
    }
}

fn checksum_digest(hex: Option<&str>) -> Vec<Digest> {
    hex.and_then(|h| Digest::from_hex(DigestAlgorithm::Sha256, h).ok())
        .into_iter()
        .collect()
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads the checksums of the `Cargo.lock` beside a workspace, keyed by
/// `(name, version, source)`. A missing lockfile gives an empty map.
fn lockfile_checksums(
    workspace_root: &Path,
) -> Result<HashMap<(String, String, String), String>, CargoError> {
    let path = workspace_root.join("Cargo.lock");
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let lock = read_lockfile(&path)?;
    Ok(lock
        .packages
        .into_iter()
        .filter_map(|p| Some(((p.name, p.version, p.source?), p.checksum?)))
        .collect())
}

/// Builds the SBOM from `cargo metadata` output. Reads the workspace's `Cargo.lock` for
/// checksums.
pub fn from_metadata(md: &Metadata, opts: &CatalogOptions) -> Result<Sbom, CargoError> {
    let checksums = lockfile_checksums(md.workspace_root.as_std_path())?;
    from_metadata_with_checksums(md, opts, &checksums)
}

fn select_roots<'a>(
    md: &'a Metadata,
    opts: &CatalogOptions,
) -> Result<Vec<&'a cargo_metadata::Package>, CargoError> {
    let members = md.workspace_packages();
    if opts.packages.is_empty() {
        // `--manifest-path` at a member (not the workspace root) describes that member,
        // as `cargo build` there would build it.
        let root_manifest = md.workspace_root.join("Cargo.toml");
        if let Some(root) = md
            .resolve
            .as_ref()
            .and_then(|r| r.root.as_ref())
            .and_then(|id| members.iter().find(|p| &p.id == id))
        {
            if root.manifest_path != root_manifest {
                return Ok(vec![*root]);
            }
        }
        return Ok(members);
    }
    let mut roots = Vec::new();
    for spec in &opts.packages {
        let (name, version) = match spec.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (spec.as_str(), None),
        };
        let found: Vec<_> = members
            .iter()
            .filter(|p| p.name.as_str() == name)
            .filter(|p| version.is_none_or(|v| p.version.to_string() == v))
            .collect();
        match found.as_slice() {
            [] => {
                return Err(CargoError::UnknownPackage {
                    spec: spec.clone(),
                    root: md.workspace_root.to_string(),
                })
            }
            [p] => {
                if !roots
                    .iter()
                    .any(|r: &&cargo_metadata::Package| r.id == p.id)
                {
                    roots.push(**p);
                }
            }
            _ => return Err(CargoError::AmbiguousPackage { spec: spec.clone() }),
        }
    }
    Ok(roots)
}

/// Like [`from_metadata`], with checksums given by the caller (keyed by name, version and
/// raw source id).
pub fn from_metadata_with_checksums(
    md: &Metadata,
    opts: &CatalogOptions,
    checksums: &HashMap<(String, String, String), String>,
) -> Result<Sbom, CargoError> {
    let resolve = md.resolve.as_ref().ok_or_else(|| CargoError::NoResolve {
        manifest: md.workspace_root.join("Cargo.toml").to_string(),
    })?;
    let packages: HashMap<&PackageId, &cargo_metadata::Package> =
        md.packages.iter().map(|p| (&p.id, p)).collect();
    let nodes: HashMap<&PackageId, &cargo_metadata::Node> =
        resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let roots = select_roots(md, opts)?;
    let root_ids: BTreeSet<&PackageId> = roots.iter().map(|p| &p.id).collect();

    // Strongest reach per package: 0 runtime, 1 build, 2 dev (lower wins).
    let edge_rank = |from: &PackageId, dep: &cargo_metadata::NodeDep| -> Option<u8> {
        dep.dep_kinds
            .iter()
            .filter_map(|k| match k.kind {
                CargoKind::Normal => Some(0),
                CargoKind::Build => Some(1),
                CargoKind::Development if root_ids.contains(from) => Some(2),
                _ => None,
            })
            .min()
    };
    let mut rank: HashMap<&PackageId, u8> = HashMap::new();
    let mut queue: VecDeque<&PackageId> = VecDeque::new();
    for r in &roots {
        rank.insert(&r.id, 0);
        queue.push_back(&r.id);
    }
    while let Some(id) = queue.pop_front() {
        let here = rank[id];
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let Some(e) = edge_rank(id, dep) else {
                continue;
            };
            let r = here.max(e);
            if rank.get(&dep.pkg).is_none_or(|&old| r < old) {
                rank.insert(&dep.pkg, r);
                queue.push_back(&dep.pkg);
            }
        }
    }

    // Components, in a stable order so `#n` suffixes are deterministic.
    let mut reached: Vec<&PackageId> = rank.keys().copied().collect();
    reached.sort_by(|a, b| {
        let (pa, pb) = (packages[a], packages[b]);
        (&pa.name, &pa.version, &pa.id.repr).cmp(&(&pb.name, &pb.version, &pb.id.repr))
    });
    let mut refs = RefAllocator::default();
    let synthetic_root = roots.len() != 1;
    let root_ref = if synthetic_root {
        refs.allocate("vouch:workspace")
    } else {
        String::new()
    };
    let mut ref_of: HashMap<&PackageId, String> = HashMap::new();
    let mut components = Vec::new();
    let mut root_component = None;
    for id in &reached {
        let p = packages[id];
        let source = p.source.as_ref().map(|s| s.repr.as_str());
        let purl = purl_for(&p.name, &p.version.to_string(), source);
        let bom_ref = refs.allocate(&purl.to_string());
        let mut c = Component::new(bom_ref.clone(), p.name.clone());
        c.version = Some(p.version.to_string());
        c.kind = if p.targets.iter().any(cargo_metadata::Target::is_bin) && root_ids.contains(id) {
            ComponentKind::Application
        } else {
            ComponentKind::Library
        };
        c.hashes = checksum_digest(source.and_then(|s| {
            checksums
                .get(&(p.name.clone(), p.version.to_string(), s.to_owned()))
                .map(String::as_str)
        }));
        c.license = p.license.as_deref().and_then(crate::license::normalise);
        c.description = non_empty(p.description.as_deref());
        c.homepage = non_empty(p.homepage.as_deref());
        c.repository = non_empty(p.repository.as_deref());
        c.source = Some(source_kind(source));
        c.purl = Some(purl);
        match rank[id] {
            0 => {}
            1 => {
                c.scope = Scope::Excluded;
                c.dependency_kind = Some(DependencyKind::Build);
            }
            _ => {
                c.scope = Scope::Excluded;
                c.dependency_kind = Some(DependencyKind::Dev);
            }
        }
        ref_of.insert(id, bom_ref);
        if !synthetic_root && root_ids.contains(id) {
            root_component = Some(c);
        } else {
            components.push(c);
        }
    }

    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for id in &reached {
        let from = ref_of[id].clone();
        let entry = dependencies.entry(from).or_default();
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            if edge_rank(id, dep).is_some() {
                if let Some(to) = ref_of.get(&dep.pkg) {
                    entry.insert(to.clone());
                }
            }
        }
    }

    let root = if let Some(r) = root_component {
        r
    } else {
        let name = md
            .workspace_root
            .file_name()
            .unwrap_or("workspace")
            .to_owned();
        let mut r = Component::new(root_ref.clone(), name);
        r.kind = ComponentKind::Application;
        r.source = Some(SourceKind::Path);
        dependencies.insert(
            root_ref,
            roots.iter().map(|p| ref_of[&p.id].clone()).collect(),
        );
        r
    };

    let mut sbom = Sbom {
        root,
        components,
        dependencies,
        tool: Some(Tool::vouch()),
        timestamp: None,
    };
    sbom.normalise();
    Ok(sbom)
}

/// Builds the SBOM from a parsed `Cargo.lock`. `name` names the synthetic root when the
/// lockfile has several top-level path crates (typically the directory name).
pub fn from_lockfile(lock: &CargoLock, name: &str) -> Sbom {
    let n = lock.packages.len();
    let mut depended = vec![false; n];
    for p in &lock.packages {
        for &d in &p.dependencies {
            depended[d] = true;
        }
    }
    let mut tops: Vec<usize> = (0..n)
        .filter(|&i| lock.packages[i].source.is_none() && !depended[i])
        .collect();
    if tops.is_empty() {
        tops = (0..n).filter(|&i| !depended[i]).collect();
    }

    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&lock.packages[a], &lock.packages[b]);
        (&pa.name, &pa.version, &pa.source).cmp(&(&pb.name, &pb.version, &pb.source))
    });
    let mut refs = RefAllocator::default();
    let synthetic = tops.len() != 1;
    let root_ref = if synthetic {
        refs.allocate("vouch:workspace")
    } else {
        String::new()
    };
    let mut ref_of = vec![String::new(); n];
    let mut comps: Vec<Option<Component>> = vec![None; n];
    for &i in &order {
        let p = &lock.packages[i];
        let purl = purl_for(&p.name, &p.version, p.source.as_deref());
        let bom_ref = refs.allocate(&purl.to_string());
        let mut c = Component::new(bom_ref.clone(), p.name.clone());
        c.version = Some(p.version.clone());
        c.hashes = checksum_digest(p.checksum.as_deref());
        c.source = Some(source_kind(p.source.as_deref()));
        c.purl = Some(purl);
        ref_of[i] = bom_ref;
        comps[i] = Some(c);
    }

    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, p) in lock.packages.iter().enumerate() {
        dependencies
            .entry(ref_of[i].clone())
            .or_default()
            .extend(p.dependencies.iter().map(|&d| ref_of[d].clone()));
    }

    // Anything the roots do not reach (a cycle with no entry point) hangs off the root, so
    // the graph stays complete.
    fn mark(reach: &mut [bool], lock: &CargoLock, start: usize) {
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reach[i], true) {
                stack.extend(lock.packages[i].dependencies.iter().copied());
            }
        }
    }
    let mut reach = vec![false; n];
    for &t in &tops {
        mark(&mut reach, lock, t);
    }
    let mut root_deps: Vec<usize> = if synthetic { tops.clone() } else { Vec::new() };
    for i in 0..n {
        if !reach[i] {
            root_deps.push(i);
            mark(&mut reach, lock, i);
        }
    }

    let root = if synthetic {
        let mut r = Component::new(root_ref.clone(), name);
        r.kind = ComponentKind::Application;
        r.source = Some(SourceKind::Path);
        r
    } else {
        let mut r = comps[tops[0]].take().expect("each package once");
        r.kind = ComponentKind::Application;
        r
    };
    dependencies
        .entry(root.bom_ref.clone())
        .or_default()
        .extend(root_deps.iter().map(|&d| ref_of[d].clone()));

    let mut sbom = Sbom {
        root,
        components: comps.into_iter().flatten().collect(),
        dependencies,
        tool: Some(Tool::vouch()),
        timestamp: None,
    };
    sbom.normalise();
    sbom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_by_source() {
        assert_eq!(
            purl_for(
                "serde",
                "1.0.0",
                Some("registry+https://github.com/rust-lang/crates.io-index")
            )
            .to_string(),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(
            purl_for("serde", "1.0.0", Some("sparse+https://index.crates.io/")).to_string(),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(
            purl_for(
                "regex",
                "1.11.1",
                Some("git+https://github.com/rust-lang/regex.git#1a069b9232c607b34c4937122361aa075ef573fa")
            )
            .to_string(),
            "pkg:cargo/regex@1.11.1?vcs_url=git%2Bhttps://github.com/rust-lang/regex.git%401a069b9232c607b34c4937122361aa075ef573fa"
        );
        assert_eq!(
            purl_for("x", "0.1.0", Some("sparse+https://my.registry/index/")).to_string(),
            "pkg:cargo/x@0.1.0?repository_url=sparse%2Bhttps://my.registry/index/"
        );
        assert_eq!(
            purl_for("app", "1.0.0", None).to_string(),
            "pkg:cargo/app@1.0.0"
        );
    }

    #[test]
    fn cargo_errors_become_one_line() {
        let stderr = "error: failed to parse manifest at `/tmp/x/Cargo.toml`\n\nCaused by:\n  TOML parse error at line 1, column 6\n    |\n  1 | [package\n    |      ^\n  invalid table header\n  expected `.`, `]`\n";
        assert_eq!(
            one_line(stderr),
            "failed to parse manifest at `/tmp/x/Cargo.toml`: TOML parse error at line 1, column 6: invalid table header: expected `.`, `]`"
        );
        let stderr = "error: unclosed table, expected `]`\n --> bad/Cargo.toml:1:9\n  |\n1 | [package\n  |         ^\n";
        assert_eq!(
            one_line(stderr),
            "unclosed table, expected `]` (at bad/Cargo.toml:1:9)"
        );
        let stderr = "    Updating crates.io index\nerror: the lock file /x/Cargo.lock needs to be updated but --locked was passed to prevent this\nIf you want to try to generate the lock file without accessing the network, remove the --locked flag and use --offline instead.\n";
        assert_eq!(
            one_line(stderr),
            "the lock file /x/Cargo.lock needs to be updated but --locked was passed to prevent this"
        );
    }

    #[test]
    fn lockfile_roots_and_unreached_cycles() {
        let text = r#"version = 4

[[package]]
name = "cli"
version = "0.1.0"
dependencies = ["core"]

[[package]]
name = "core"
version = "0.1.0"

[[package]]
name = "web"
version = "0.1.0"
dependencies = ["core"]

[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["b"]

[[package]]
name = "b"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["a"]
"#;
        let lock = vouch_lockfile::cargo::parse_lock(text, "Cargo.lock").unwrap();
        let sbom = from_lockfile(&lock, "proj");
        sbom.check().unwrap();
        assert_eq!(sbom.root.bom_ref, "vouch:workspace");
        assert_eq!(sbom.root.name, "proj");
        let root_deps: Vec<&str> = sbom.dependencies["vouch:workspace"]
            .iter()
            .map(String::as_str)
            .collect();
        // Both top-level path crates, and one entry into the otherwise unreachable cycle.
        assert_eq!(
            root_deps,
            vec![
                "pkg:cargo/a@1.0.0",
                "pkg:cargo/cli@0.1.0",
                "pkg:cargo/web@0.1.0"
            ]
        );
        assert_eq!(sbom.components.len(), 5);
    }
}
