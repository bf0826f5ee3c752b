//! Files → sub-trees → one SBOM.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use vouch_core::{Digest, DigestAlgorithm, Ecosystem, Location, Purl};
use vouch_lockfile::{FileFormat, LockedPackage, ParseError, Parsed, Source};
use vouch_sbom::{Component, ComponentKind, DependencyKind, Sbom, Scope, SourceKind, Tool};

use crate::model::{Catalog, CatalogError, CatalogOptions, CatalogedFile, Input};

/// Most includes a requirements file may chain through.
const MAX_INCLUDE_DEPTH: usize = 32;

pub(crate) fn catalog_inputs(
    base: &Path,
    inputs: Vec<Input>,
    opts: &CatalogOptions,
) -> Result<Catalog, CatalogError> {
    let mut trees = Vec::new();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for input in inputs {
        let (tree, file) = match input {
            Input::CargoManifest(manifest) => cargo_manifest(&manifest, opts)?,
            Input::File(path, FileFormat::CargoLock) => cargo_lock(&path, opts, &mut warnings)?,
            Input::File(path, format) => lockfile(base, &path, format, opts)?,
        };
        trees.push(tree);
        files.push(file);
    }
    let sbom = if trees.len() == 1 {
        trees.pop().expect("one")
    } else {
        merge(base, trees)
    };
    Ok(Catalog {
        sbom,
        files,
        warnings,
    })
}

fn read(path: &Path) -> Result<String, CatalogError> {
    let bytes = std::fs::read(path).map_err(|cause| CatalogError::Read {
        path: path.display().to_string(),
        cause,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let text =
            String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]).into_owned();
        CatalogError::Parse {
            file: path.display().to_string(),
            message: format!(
                "line {}: not UTF-8 text",
                vouch_lockfile::line_of(&text, text.len())
            ),
        }
    })
}

/// A parser error as one line with the line number (TOML's snippet and serde's `at line`
/// tail folded into it).
fn one_line(e: ParseError, text: &str) -> CatalogError {
    match e {
        ParseError::Syntax { file, message } => CatalogError::Parse { file, message },
        ParseError::Unsupported { file, what } => CatalogError::Parse {
            file,
            message: format!("unsupported {what}"),
        },
        ParseError::Json { file, source } => CatalogError::Parse {
            file,
            message: format!(
                "line {}: {}",
                source.line(),
                source
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
            ),
        },
        ParseError::Toml { file, source } => {
            let cause = source
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(": ");
            let cause = if cause.is_empty() {
                "invalid TOML (truncated?)".to_owned()
            } else {
                cause
            };
            let message = match source.span() {
                Some(span) => format!(
                    "line {}: {cause}",
                    vouch_lockfile::line_of(text, span.start)
                ),
                None => cause,
            };
            CatalogError::Parse { file, message }
        }
    }
}

fn lockfile(
    base: &Path,
    path: &Path,
    format: FileFormat,
    opts: &CatalogOptions,
) -> Result<(Sbom, CatalogedFile), CatalogError> {
    let display = path.display().to_string();
    let mut chain = Vec::new();
    let mut files = parse_files(path, format, &mut chain)?;
    if format == FileFormat::YarnLock {
        mark_dev_from_package_json(path, &mut files.parsed.packages);
    }
    let project = files
        .parsed
        .project
        .clone()
        .or_else(|| manifest_project(path, format))
        .unwrap_or_else(|| (dir_name(path), None));
    let rel = path
        .strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string();
    let sbom = tree(&rel, format, &files, project, opts);
    let packages = count_registry(&sbom);
    Ok((
        sbom,
        CatalogedFile {
            path: display,
            format,
            packages,
        },
    ))
}

/// Packages of a file with the file each came from (includes keep their own file).
struct Files {
    parsed: Parsed,
    /// File of each package, parallel to `parsed.packages`.
    origin: Vec<String>,
}

/// Reads a file and (for requirements) everything it includes, loop-checked.
fn parse_files(
    path: &Path,
    format: FileFormat,
    chain: &mut Vec<PathBuf>,
) -> Result<Files, CatalogError> {
    let display = path.display().to_string();
    let text = read(path)?;
    let mut parsed = format
        .parse(&text, &display)
        .map_err(|e| one_line(e, &text))?;
    let mut origin = vec![display.clone(); parsed.packages.len()];
    let includes = std::mem::take(&mut parsed.includes);
    if !includes.is_empty() {
        chain.push(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()));
        for inc in includes {
            let target = path.parent().unwrap_or(Path::new(".")).join(&inc.path);
            let canonical = std::fs::canonicalize(&target).map_err(|e| CatalogError::Include {
                file: display.clone(),
                line: inc.line,
                target: target.display().to_string(),
                message: e.to_string(),
            })?;
            if chain.contains(&canonical) || chain.len() > MAX_INCLUDE_DEPTH {
                return Err(CatalogError::IncludeLoop {
                    file: display,
                    line: inc.line,
                    target: inc.path,
                });
            }
            let sub = parse_files(&target, FileFormat::RequirementsTxt, chain)?;
            if inc.constraint {
                // Constraints pin versions of packages something else requires; they add none.
                continue;
            }
            parsed.packages.extend(sub.parsed.packages);
            origin.extend(sub.origin);
        }
        chain.pop();
    }
    Ok(Files { parsed, origin })
}

/// yarn.lock does not say which packages are development-only; `package.json` beside it
/// does: a package reachable from `devDependencies` and not from the other dependency
/// lists is dev-only.
fn mark_dev_from_package_json(lock: &Path, packages: &mut [LockedPackage]) {
    let Some(text) = lock
        .parent()
        .and_then(|d| std::fs::read_to_string(d.join("package.json")).ok())
    else {
        return;
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let names = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .filter_map(|k| manifest.get(k)?.as_object())
            .flat_map(|m| m.keys().cloned())
            .collect()
    };
    let reach = |starts: Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut stack = starts;
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            for p in packages.iter().filter(|p| p.name == n) {
                stack.extend(p.dependencies.iter().cloned());
            }
        }
        seen
    };
    let prod = reach(names(&[
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
    ]));
    let dev = reach(names(&["devDependencies"]));
    for p in packages.iter_mut() {
        if dev.contains(&p.name) && !prod.contains(&p.name) {
            p.dev = true;
        }
    }
}

fn dir_name(path: &Path) -> String {
    std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent()?.file_name()?.to_str().map(str::to_owned))
        .unwrap_or_else(|| "project".to_owned())
}

/// The project's name and version from the manifest beside a lockfile, where one is there
/// and easy to read.
fn manifest_project(path: &Path, format: FileFormat) -> Option<(String, Option<String>)> {
    let dir = path.parent()?;
    let json = |name: &str| -> Option<(String, Option<String>)> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        let name = field(&text, "\"name\"")?;
        Some((name, field(&text, "\"version\"")))
    };
    match format.ecosystem() {
        Ecosystem::Npm => json("package.json"),
        Ecosystem::Packagist => json("composer.json"),
        Ecosystem::PyPI => {
            let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
            let section = text.split("[project]").nth(1)?;
            let section = section.split("\n[").next()?;
            let name = section.lines().find_map(|l| {
                let v = l
                    .trim()
                    .strip_prefix("name")?
                    .trim_start()
                    .strip_prefix('=')?;
                Some(v.trim().trim_matches('"').trim_matches('\'').to_owned())
            })?;
            let version = section.lines().find_map(|l| {
                let v = l
                    .trim()
                    .strip_prefix("version")?
                    .trim_start()
                    .strip_prefix('=')?;
                Some(v.trim().trim_matches('"').trim_matches('\'').to_owned())
            });
            Some((name, version))
        }
        _ => None,
    }
}

/// A top-level string field of a small JSON manifest.
fn field(text: &str, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get(key.trim_matches('"'))?.as_str().map(str::to_owned)
}

/// Components that name a registry package (what a scanner looks up).
pub(crate) fn count_registry(sbom: &Sbom) -> usize {
    sbom.all_components()
        .filter(|c| c.source != Some(SourceKind::Git) && c.package().is_some())
        .count()
}

/// The purl of a package, per the purl spec for its type.
pub(crate) fn purl_of(eco: Ecosystem, name: &str, version: Option<&str>) -> Option<Purl> {
    let (ns, n) = match eco {
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, name),
        },
        Ecosystem::Npm | Ecosystem::Go | Ecosystem::Packagist => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, name),
        },
        _ => (None, name),
    };
    let (ns, n) = match eco {
        // The composer type is case-insensitive: lowercase, as the spec says.
        Ecosystem::Packagist => (ns.map(str::to_ascii_lowercase), n.to_ascii_lowercase()),
        _ => (ns.map(str::to_owned), n.to_owned()),
    };
    Purl::new(
        eco.purl_type(),
        ns.as_deref(),
        &n,
        version.filter(|v| !v.is_empty()),
    )
    .ok()
}

/// Integrity values as digests: SRI (`sha512-<base64>`), `alg:<hex>`, bare hex. Go's `h1:`
/// hashes are of a file tree, not an archive, and are left out.
pub(crate) fn digests(integrity: &[String]) -> Vec<Digest> {
    let alg = |s: &str| match s.to_ascii_lowercase().as_str() {
        "sha1" => Some(DigestAlgorithm::Sha1),
        "sha256" => Some(DigestAlgorithm::Sha256),
        "sha384" => Some(DigestAlgorithm::Sha384),
        "sha512" => Some(DigestAlgorithm::Sha512),
        _ => None,
    };
    let mut out = Vec::new();
    for value in integrity.iter().flat_map(|v| v.split_whitespace()) {
        let d = if let Some((a, hex)) = value.split_once(':') {
            alg(a).and_then(|a| Digest::from_hex(a, &hex.to_ascii_lowercase()).ok())
        } else if let Some((a, b64)) = value.split_once('-') {
            alg(a).and_then(|a| {
                let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
                (bytes.len() == a.byte_len()).then(|| Digest::from_bytes(a, &bytes))
            })
        } else {
            let a = match value.len() {
                40 => Some(DigestAlgorithm::Sha1),
                64 => Some(DigestAlgorithm::Sha256),
                128 => Some(DigestAlgorithm::Sha512),
                _ => None,
            };
            a.and_then(|a| Digest::from_hex(a, &value.to_ascii_lowercase()).ok())
        };
        if let Some(d) = d {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// The name edges and lookups use: PyPI names are compared normalised.
fn name_key(eco: Ecosystem, name: &str) -> String {
    match eco {
        Ecosystem::PyPI => name.to_ascii_lowercase().replace(['_', '.'], "-"),
        Ecosystem::NuGet => name.to_ascii_lowercase(),
        _ => name.to_owned(),
    }
}

fn component(eco: Ecosystem, p: &LockedPackage, file: &str) -> Component {
    let (version, platform) = match (eco, p.version.split_once('-')) {
        // Bundler writes platform gems as `version-platform`.
        (Ecosystem::RubyGems, Some((v, platform))) => (v.to_owned(), Some(platform)),
        _ => (p.version.clone(), None),
    };
    let version = (!version.is_empty()).then_some(version);
    let mut purl = purl_of(eco, &p.name, version.as_deref());
    let source = match &p.source {
        Some(Source::Path { .. }) => SourceKind::Path,
        // Packagist packages are pinned by their git commit; they are still registry packages.
        Some(Source::Git { .. }) if eco == Ecosystem::Packagist => SourceKind::Registry,
        Some(Source::Git { url, rev }) => {
            let vcs = match rev {
                Some(r) => format!("git+{}@{r}", url.trim_start_matches("git+")),
                None => format!("git+{}", url.trim_start_matches("git+")),
            };
            purl = purl.map(|p| p.with_qualifier("vcs_url", &vcs));
            SourceKind::Git
        }
        _ => SourceKind::Registry,
    };
    if let Some(pl) = platform {
        purl = purl.map(|p| p.with_qualifier("platform", pl));
    }
    let bom_ref = purl
        .as_ref()
        .map_or_else(|| format!("{}@{}", p.name, p.version), ToString::to_string);
    let name = match eco {
        Ecosystem::Maven => p
            .name
            .split_once(':')
            .map_or(p.name.as_str(), |(_, a)| a)
            .to_owned(),
        _ => p.name.clone(),
    };
    let mut c = Component::new(bom_ref, name);
    c.version = (!p.version.is_empty()).then(|| p.version.clone());
    c.purl = purl;
    c.hashes = digests(&p.integrity);
    c.source = Some(source);
    if p.dev {
        c.scope = Scope::Excluded;
        c.dependency_kind = Some(DependencyKind::Dev);
    } else if p.optional {
        c.scope = Scope::Optional;
        c.dependency_kind = Some(DependencyKind::Optional);
    } else if p.peer {
        c.scope = Scope::Optional;
        c.dependency_kind = Some(DependencyKind::Peer);
    }
    c.location = Some(Location {
        file: file.to_owned(),
        line: p.line,
        column: None,
    });
    c
}

/// One lockfile's sub-tree: a root for the project, a component per package, the edges the
/// file records, and root edges to every package nothing else depends on.
fn tree(
    rel: &str,
    format: FileFormat,
    files: &Files,
    project: (String, Option<String>),
    opts: &CatalogOptions,
) -> Sbom {
    let eco = format.ecosystem();
    let top_file = files
        .origin
        .first()
        .cloned()
        .unwrap_or_else(|| rel.to_owned());
    let mut root = Component::new(format!("vouch:project:{rel}"), project.0.clone());
    root.kind = ComponentKind::Application;
    root.version.clone_from(&project.1);
    root.purl = purl_of(eco, &project.0, project.1.as_deref());
    if eco == Ecosystem::Maven {
        project
            .0
            .split_once(':')
            .map_or(project.0.as_str(), |(_, a)| a)
            .clone_into(&mut root.name);
    }
    root.source = Some(SourceKind::Path);
    root.location = Some(Location {
        file: top_file,
        line: None,
        column: None,
    });

    let mut comps: Vec<Component> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut of_pkg: Vec<Option<usize>> = Vec::new();
    for (i, p) in files.parsed.packages.iter().enumerate() {
        if opts.no_dev && p.dev {
            of_pkg.push(None);
            continue;
        }
        let c = component(eco, p, &files.origin[i]);
        if let Some(&j) = index.get(&c.bom_ref) {
            // The same package twice (nested installs, several requirements files): one
            // component, needed at run time if any occurrence is.
            if c.scope == Scope::Required {
                comps[j].scope = Scope::Required;
                comps[j].dependency_kind = None;
            }
            of_pkg.push(Some(j));
            continue;
        }
        let j = comps.len();
        index.insert(c.bom_ref.clone(), j);
        by_name.entry(name_key(eco, &p.name)).or_default().push(j);
        comps.push(c);
        of_pkg.push(Some(j));
    }
    let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, p) in files.parsed.packages.iter().enumerate() {
        let Some(from) = of_pkg[i] else { continue };
        for d in &p.dependencies {
            let (dn, dv) = match d.split_once(' ') {
                Some((n, v)) => (n, Some(v.trim())),
                None => (d.as_str(), None),
            };
            let Some(cands) = by_name.get(&name_key(eco, dn)) else {
                continue;
            };
            let to = match dv {
                Some(v) => cands
                    .iter()
                    .copied()
                    .find(|&c| comps[c].version.as_deref() == Some(v)),
                None => cands.iter().copied().find(|&c| c != from),
            };
            if let Some(to) = to.filter(|&t| t != from) {
                edges.entry(from).or_default().insert(to);
            }
        }
    }
    let depended: BTreeSet<usize> = edges.values().flatten().copied().collect();
    let mut tops: BTreeSet<usize> = (0..comps.len()).filter(|i| !depended.contains(i)).collect();
    if tops.is_empty() {
        tops = (0..comps.len()).collect();
    }
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    dependencies.insert(
        root.bom_ref.clone(),
        tops.iter().map(|&i| comps[i].bom_ref.clone()).collect(),
    );
    for (from, tos) in edges {
        dependencies
            .entry(comps[from].bom_ref.clone())
            .or_default()
            .extend(tos.into_iter().map(|t| comps[t].bom_ref.clone()));
    }
    let mut sbom = Sbom {
        root,
        components: comps,
        dependencies,
        tool: Some(Tool::vouch()),
        timestamp: None,
    };
    sbom.normalise();
    sbom
}

fn cargo_lock(
    path: &Path,
    opts: &CatalogOptions,
    warnings: &mut Vec<String>,
) -> Result<(Sbom, CatalogedFile), CatalogError> {
    let display = path.display().to_string();
    if !path.exists() {
        return Err(CatalogError::NotFound(display));
    }
    let parsed = vouch_sbom::cargo::read_lockfile(path)?;
    if parsed.packages.is_empty() {
        // Cargo always locks at least the root package.
        return Err(CatalogError::Parse {
            file: display,
            message: "no `[[package]]` entries (truncated, or not a Cargo.lock?)".to_owned(),
        });
    }
    for (i, entry) in &parsed.unresolved {
        let p = &parsed.packages[*i];
        warnings.push(format!(
            "`{display}`: dependency `{entry}` of `{} {}` (line {}) is not in the lockfile; skipped",
            p.name, p.version, p.line
        ));
    }
    let mut sbom = vouch_sbom::cargo::from_lockfile(&parsed, &dir_name(path));
    let lines: BTreeMap<(&str, &str), u32> = parsed
        .packages
        .iter()
        .map(|p| ((p.name.as_str(), p.version.as_str()), p.line))
        .collect();
    locate(&mut sbom, &display, &lines);
    let _ = opts;
    let packages = count_registry(&sbom);
    Ok((
        sbom,
        CatalogedFile {
            path: display,
            format: FileFormat::CargoLock,
            packages,
        },
    ))
}

fn locate(sbom: &mut Sbom, file: &str, lines: &BTreeMap<(&str, &str), u32>) {
    let root = std::iter::once(&mut sbom.root);
    for c in root.chain(sbom.components.iter_mut()) {
        let key = (c.name.as_str(), c.version.as_deref().unwrap_or(""));
        if let Some(&line) = lines.get(&key) {
            c.location = Some(Location {
                file: file.to_owned(),
                line: Some(line),
                column: None,
            });
        }
    }
}

fn cargo_manifest(
    manifest: &Path,
    opts: &CatalogOptions,
) -> Result<(Sbom, CatalogedFile), CatalogError> {
    let c = opts.cargo.clone().unwrap_or_default();
    let md = vouch_sbom::cargo::metadata(&vouch_sbom::cargo::MetadataOptions {
        manifest_path: manifest.to_owned(),
        target: c.target,
        features: c.features,
        offline: c.offline,
    })?;
    let mut sbom = vouch_sbom::cargo::from_metadata(
        &md,
        &vouch_sbom::cargo::CatalogOptions {
            packages: c.packages,
        },
    )?;
    if opts.no_dev {
        sbom = sbom.runtime_only();
    }
    let lock = md.workspace_root.as_std_path().join("Cargo.lock");
    if let Ok(text) = std::fs::read_to_string(&lock) {
        if let Ok(parsed) = vouch_lockfile::cargo::parse_lock(&text, "Cargo.lock") {
            let lines: BTreeMap<(&str, &str), u32> = parsed
                .packages
                .iter()
                .map(|p| ((p.name.as_str(), p.version.as_str()), p.line))
                .collect();
            locate(&mut sbom, &as_named(manifest, &lock), &lines);
        }
    }
    let packages = count_registry(&sbom);
    Ok((
        sbom,
        CatalogedFile {
            path: manifest.display().to_string(),
            format: FileFormat::CargoLock,
            packages,
        },
    ))
}

/// The lockfile `cargo metadata` found (an absolute path), named the way the caller named the
/// manifest when it lies under the manifest's directory, so an SBOM does not depend on where
/// the project was checked out.
fn as_named(manifest: &Path, lock: &Path) -> String {
    let dir = match manifest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_absolute() {
        if let Ok(rest) = std::fs::canonicalize(dir).and_then(|c| {
            lock.strip_prefix(&c)
                .map(Path::to_path_buf)
                .map_err(std::io::Error::other)
        }) {
            return dir.join(rest).display().to_string();
        }
    }
    lock.display().to_string()
}

/// Several sub-trees under one root for the directory.
fn merge(base: &Path, trees: Vec<Sbom>) -> Sbom {
    let name = std::fs::canonicalize(base)
        .ok()
        .and_then(|p| p.file_name()?.to_str().map(str::to_owned))
        .unwrap_or_else(|| "project".to_owned());
    let mut root = Component::new("vouch:root", name);
    root.kind = ComponentKind::Application;
    root.source = Some(SourceKind::Path);
    root.location = Some(Location {
        file: base.display().to_string(),
        line: None,
        column: None,
    });
    let mut refs: BTreeSet<String> = BTreeSet::from([root.bom_ref.clone()]);
    let mut components = Vec::new();
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut tops = BTreeSet::new();
    for (i, mut t) in trees.into_iter().enumerate() {
        if refs.contains(&t.root.bom_ref) {
            let old = t.root.bom_ref.clone();
            let new = format!("{old}#{i}");
            rename(&mut t, &old, &new);
        }
        tops.insert(t.root.bom_ref.clone());
        for c in std::iter::once(t.root).chain(t.components) {
            if refs.insert(c.bom_ref.clone()) {
                components.push(c);
            }
        }
        for (k, v) in t.dependencies {
            dependencies.entry(k).or_default().extend(v);
        }
    }
    dependencies.insert(root.bom_ref.clone(), tops);
    let mut sbom = Sbom {
        root,
        components,
        dependencies,
        tool: Some(Tool::vouch()),
        timestamp: None,
    };
    sbom.normalise();
    sbom
}

fn rename(sbom: &mut Sbom, old: &str, new: &str) {
    for c in std::iter::once(&mut sbom.root).chain(sbom.components.iter_mut()) {
        if c.bom_ref == old {
            new.clone_into(&mut c.bom_ref);
        }
    }
    let deps = std::mem::take(&mut sbom.dependencies);
    sbom.dependencies = deps
        .into_iter()
        .map(|(k, v)| {
            let k = if k == old { new.to_owned() } else { k };
            let v = v
                .into_iter()
                .map(|d| if d == old { new.to_owned() } else { d })
                .collect();
            (k, v)
        })
        .collect();
}
