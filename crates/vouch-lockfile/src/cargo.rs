//! `Cargo.lock`, versions 1 to 4.
//!
//! Cargo has written four lockfile layouts:
//!
//! | version | marker | dependency entries | checksums |
//! |---|---|---|---|
//! | 1 | no `version` key, a `[metadata]` table | always `name version (source)` | `[metadata]` `"checksum name version (source)" = "…"` |
//! | 2 | no `version` key | `name`, or `name version[ (source)]` when ambiguous | inline `checksum` |
//! | 3 | `version = 3` | as v2 | inline |
//! | 4 | `version = 4` | as v2 | inline (and URL-encoded git refs in sources) |
//!
//! [`parse_lock`] reads any of them into [`CargoLock`], with dependency edges resolved to
//! package indices; [`parse`] gives the ecosystem-neutral [`Lockfile`]. Entries naming a
//! package that is not in the file are kept in [`CargoLock::unresolved`] rather than failing,
//! since hand-edited or merged lockfiles have them and the rest of the file is still useful.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// The crates.io index as git source ids spell it.
pub const CRATES_IO_GIT_INDEX: &str = "https://github.com/rust-lang/crates.io-index";
/// The crates.io sparse index.
pub const CRATES_IO_SPARSE_INDEX: &str = "https://index.crates.io/";

/// A parsed `Cargo.lock` with resolved edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoLock {
    /// Lockfile layout, 1 to 4 (1 and 2 are told apart by the `[metadata]` checksums and the
    /// `name version (source)` dependency spelling).
    pub version: u32,
    pub packages: Vec<CargoPackage>,
    /// `(package index, dependency entry)` for entries that name no package in the file.
    pub unresolved: Vec<(usize, String)>,
}

/// One `[[package]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoPackage {
    pub name: String,
    pub version: String,
    /// The raw source id (`registry+https://…`, `sparse+https://…`, `git+https://…#rev`);
    /// `None` for path and workspace crates.
    pub source: Option<String>,
    /// The registry's SHA-256 of the `.crate` file, lowercase hex.
    pub checksum: Option<String>,
    /// Indices into [`CargoLock::packages`], in file order, without duplicates.
    pub dependencies: Vec<usize>,
    /// 1-based line of the entry's `name` key.
    pub line: u32,
}

impl CargoPackage {
    /// Where the package comes from, parsed.
    pub fn source_kind(&self) -> Source {
        self.source
            .as_deref()
            .map_or(Source::Path { path: None }, parse_source)
    }

    /// Whether the package comes from crates.io (git or sparse index).
    pub fn is_crates_io(&self) -> bool {
        self.source.as_deref().is_some_and(is_crates_io)
    }
}

/// Whether a raw source id names crates.io.
pub fn is_crates_io(source: &str) -> bool {
    let url = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"));
    url.is_some_and(|u| {
        let u = u.trim_end_matches('/');
        u == CRATES_IO_GIT_INDEX || u == CRATES_IO_SPARSE_INDEX.trim_end_matches('/')
    })
}

/// Parses a raw Cargo source id.
///
/// `registry+URL` and `sparse+URL` become [`Source::Registry`] with the index URL (the
/// `sparse+` prefix is kept, since it is part of how Cargo names that registry);
/// `git+URL?query#rev` becomes [`Source::Git`] with the URL minus its query (`branch=`,
/// `tag=`, `rev=`: the locked revision supersedes them) and the revision; `path+URL` becomes
/// [`Source::Path`]. Anything else is kept as [`Source::Url`].
pub fn parse_source(raw: &str) -> Source {
    if let Some(url) = raw.strip_prefix("registry+") {
        return Source::Registry {
            url: url.to_owned(),
        };
    }
    if raw.starts_with("sparse+") {
        return Source::Registry {
            url: raw.to_owned(),
        };
    }
    if let Some(rest) = raw.strip_prefix("git+") {
        let (url, rev) = match rest.split_once('#') {
            Some((u, r)) => (u, Some(r.to_owned())),
            None => (rest, None),
        };
        let url = url.split_once('?').map_or(url, |(u, _)| u);
        return Source::Git {
            url: url.to_owned(),
            rev,
        };
    }
    if let Some(path) = raw.strip_prefix("path+") {
        return Source::Path {
            path: Some(path.to_owned()),
        };
    }
    Source::Url {
        url: raw.to_owned(),
    }
}

#[derive(Deserialize)]
struct TomlLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<TomlPackage>,
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct TomlPackage {
    name: toml::Spanned<String>,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// The file's content before interpretation, from either reader.
#[derive(Debug, PartialEq, Eq)]
struct Raw {
    /// The top-level `version`: an integer, or the TOML text of anything else.
    version: Option<Result<i64, String>>,
    packages: Vec<RawPackage>,
    /// `[metadata]` entries; `Err` holds the key of a non-string value.
    metadata: Vec<Result<(String, String), String>>,
}

#[derive(Debug, PartialEq, Eq)]
struct RawPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<String>,
    line: u32,
}

fn syntax(file: &str, message: impl Into<String>) -> ParseError {
    ParseError::Syntax {
        file: file.to_owned(),
        message: message.into(),
    }
}

fn valid_checksum(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Reads the file with the `toml` crate: any valid TOML, precise syntax errors.
fn read_toml(text: &str, file: &str) -> Result<Raw, ParseError> {
    let lock: TomlLock = toml::from_str(text).map_err(|source| ParseError::Toml {
        file: file.to_owned(),
        source,
    })?;
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line = |pos: usize| (newlines.partition_point(|&n| n < pos) + 1) as u32;
    Ok(Raw {
        version: lock.version.map(|v| match v {
            toml::Value::Integer(i) => Ok(i),
            other => Err(other.to_string()),
        }),
        packages: lock
            .package
            .into_iter()
            .map(|p| RawPackage {
                line: line(p.name.span().start),
                name: p.name.into_inner(),
                version: p.version,
                source: p.source,
                checksum: p.checksum,
                dependencies: p.dependencies,
            })
            .collect(),
        metadata: lock
            .metadata
            .into_iter()
            .map(|(k, v)| match v {
                toml::Value::String(s) => Ok((k, s)),
                _ => Err(k),
            })
            .collect(),
    })
}

/// Reads the layout Cargo writes (one key per line, string values, arrays of strings one per
/// line) in a single pass, about ten times faster than a general TOML parser. Returns `None`
/// on anything else (escapes, inline tables, unusual spacing), and the caller falls back to
/// [`read_toml`].
fn read_fast(text: &str) -> Option<Raw> {
    #[derive(PartialEq)]
    enum Section {
        Top,
        Package,
        Metadata,
    }
    fn string(v: &str) -> Option<(&str, &str)> {
        let rest = v.strip_prefix('"')?;
        let end = rest.find('"')?;
        let s = &rest[..end];
        if s.contains('\\') {
            return None;
        }
        Some((s, rest[end + 1..].trim_start()))
    }
    fn end_of_value(rest: &str) -> bool {
        rest.is_empty() || rest.starts_with('#')
    }
    fn set(slot: &mut Option<String>, value: &str) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(value.to_owned());
        Some(())
    }

    let mut raw = Raw {
        version: None,
        packages: Vec::new(),
        metadata: Vec::new(),
    };
    let mut section = Section::Top;
    let mut current: Option<(Option<String>, Option<String>, RawPackage, bool)> = None;
    let mut in_array = false;
    let finish = |current: &mut Option<(Option<String>, Option<String>, RawPackage, bool)>,
                  raw: &mut Raw|
     -> Option<()> {
        if let Some((name, version, mut p, _)) = current.take() {
            p.name = name?;
            p.version = version?;
            raw.packages.push(p);
        }
        Some(())
    };
    for (i, line) in text.lines().enumerate() {
        let line_no = (i + 1) as u32;
        let t = line.trim();
        if in_array {
            let (_, _, p, _) = current.as_mut()?;
            if let Some(rest) = t.strip_prefix(']') {
                if !end_of_value(rest.trim_start()) {
                    return None;
                }
                in_array = false;
            } else if t.is_empty() || t.starts_with('#') {
            } else {
                let (s, rest) = string(t)?;
                let rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
                if !end_of_value(rest) {
                    return None;
                }
                p.dependencies.push(s.to_owned());
            }
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            finish(&mut current, &mut raw)?;
            section = match t {
                "[[package]]" => {
                    current = Some((
                        None,
                        None,
                        RawPackage {
                            name: String::new(),
                            version: String::new(),
                            source: None,
                            checksum: None,
                            dependencies: Vec::new(),
                            line: line_no,
                        },
                        false,
                    ));
                    Section::Package
                }
                "[metadata]" => Section::Metadata,
                // Anything else (`[[patch.unused]]`, or a header cut short by truncation
                // such as `[[pack`) is left to the TOML parser, which validates it.
                _ => return None,
            };
            continue;
        }
        match section {
            Section::Top => {
                let (key, value) = t.split_once('=')?;
                if key.trim() != "version" || raw.version.is_some() {
                    return None;
                }
                raw.version = Some(Ok(value.trim().parse().ok()?));
            }
            Section::Metadata => {
                let (key, rest) = string(t)?;
                let rest = rest.strip_prefix('=')?.trim_start();
                let (value, rest) = string(rest)?;
                if !end_of_value(rest) {
                    return None;
                }
                raw.metadata.push(Ok((key.to_owned(), value.to_owned())));
            }
            Section::Package => {
                let (name, version, p, seen_deps) = current.as_mut()?;
                let (key, value) = t.split_once('=')?;
                let (key, value) = (key.trim(), value.trim_start());
                if key == "dependencies" {
                    if std::mem::replace(seen_deps, true) {
                        return None;
                    }
                    let rest = value.strip_prefix('[')?.trim_start();
                    if rest.is_empty() {
                        in_array = true;
                    } else {
                        // A one-line array: `["a", "b"]`.
                        let mut rest = rest;
                        loop {
                            if let Some(after) = rest.strip_prefix(']') {
                                if !end_of_value(after.trim_start()) {
                                    return None;
                                }
                                break;
                            }
                            let (s, after) = string(rest)?;
                            p.dependencies.push(s.to_owned());
                            rest = after.strip_prefix(',').unwrap_or(after).trim_start();
                        }
                    }
                    continue;
                }
                let (value, rest) = string(value)?;
                if !end_of_value(rest) {
                    return None;
                }
                match key {
                    "name" => {
                        set(name, value)?;
                        p.line = line_no;
                    }
                    "version" => set(version, value)?,
                    "source" => set(&mut p.source, value)?,
                    "checksum" => set(&mut p.checksum, value)?,
                    _ => {}
                }
            }
        }
    }
    if in_array {
        return None;
    }
    finish(&mut current, &mut raw)?;
    Some(raw)
}

/// Parses a `Cargo.lock` of any version. `file` names it in errors.
pub fn parse_lock(text: &str, file: &str) -> Result<CargoLock, ParseError> {
    let raw = match read_fast(text) {
        Some(raw) => raw,
        None => read_toml(text, file)?,
    };

    let explicit = match &raw.version {
        None => None,
        Some(Ok(v @ 3..=4)) => Some(*v as u32),
        Some(Ok(v)) => {
            return Err(ParseError::Unsupported {
                file: file.to_owned(),
                what: format!("lockfile version {v}"),
            })
        }
        Some(Err(v)) => {
            return Err(ParseError::Unsupported {
                file: file.to_owned(),
                what: format!("lockfile version {v}"),
            })
        }
    };

    // v1 keeps checksums in `[metadata]` under `checksum NAME VERSION (SOURCE)`.
    let mut v1_checksums: HashMap<(&str, &str, &str), &str> = HashMap::new();
    for entry in &raw.metadata {
        let (key, value) = match entry {
            Ok((k, v)) => (k, v.as_str()),
            Err(key) if key.starts_with("checksum ") => {
                return Err(syntax(
                    file,
                    format!("`[metadata]` entry `{key}` is not a string"),
                ))
            }
            Err(_) => continue,
        };
        let Some(rest) = key.strip_prefix("checksum ") else {
            continue;
        };
        if value == "<none>" {
            continue;
        }
        let (name, version, source) = split_dependency(rest)
            .filter(|(_, v, s)| v.is_some() && s.is_some())
            .ok_or_else(|| syntax(file, format!("malformed `[metadata]` key `{key}`")))?;
        v1_checksums.insert((name, version.unwrap_or(""), source.unwrap_or("")), value);
    }

    let long_deps = raw
        .packages
        .iter()
        .flat_map(|p| &p.dependencies)
        .any(|d| d.contains(" ("));
    let version = explicit.unwrap_or(if !v1_checksums.is_empty() || long_deps {
        1
    } else {
        2
    });

    let mut packages = Vec::with_capacity(raw.packages.len());
    for p in &raw.packages {
        let line = p.line;
        let name = &p.name;
        if name.is_empty() || p.version.is_empty() {
            return Err(syntax(
                file,
                format!("package on line {line} has an empty name or version"),
            ));
        }
        let checksum = match (&p.checksum, &p.source) {
            (Some(c), _) => Some(c.as_str()),
            (None, Some(s)) => v1_checksums
                .get(&(name.as_str(), p.version.as_str(), s.as_str()))
                .copied(),
            (None, None) => None,
        };
        if let Some(c) = checksum {
            if !valid_checksum(c) {
                return Err(syntax(
                    file,
                    format!(
                        "package `{name} {}` on line {line} has checksum `{c}`, not 64 lowercase hex characters",
                        p.version
                    ),
                ));
            }
        }
        packages.push(CargoPackage {
            name: name.clone(),
            version: p.version.clone(),
            source: p.source.clone(),
            checksum: checksum.map(str::to_owned),
            dependencies: Vec::new(),
            line,
        });
    }

    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }

    let mut edges = Vec::with_capacity(packages.len());
    let mut unresolved = Vec::new();
    for (i, p) in raw.packages.iter().enumerate() {
        let mut deps: Vec<usize> = Vec::with_capacity(p.dependencies.len());
        for entry in &p.dependencies {
            let (name, version, source) = split_dependency(entry).ok_or_else(|| {
                syntax(
                    file,
                    format!(
                        "malformed dependency `{entry}` of `{} {}` on line {}",
                        packages[i].name, packages[i].version, packages[i].line
                    ),
                )
            })?;
            let candidates: Vec<usize> = by_name
                .get(name)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&j| version.is_none_or(|v| packages[j].version == v))
                .filter(|&j| source.is_none_or(|s| same_source(packages[j].source.as_deref(), s)))
                .collect();
            match candidates.as_slice() {
                [] => unresolved.push((i, entry.clone())),
                [j] => {
                    if !deps.contains(j) {
                        deps.push(*j);
                    }
                }
                _ => {
                    return Err(syntax(
                        file,
                        format!(
                            "dependency `{entry}` of `{} {}` on line {} matches {} packages",
                            packages[i].name,
                            packages[i].version,
                            packages[i].line,
                            candidates.len()
                        ),
                    ))
                }
            }
        }
        edges.push(deps);
    }
    for (p, deps) in packages.iter_mut().zip(edges) {
        p.dependencies = deps;
    }

    Ok(CargoLock {
        version,
        packages,
        unresolved,
    })
}

/// Whether a dependency entry's source names a package's source. Entries leave out the
/// locked git revision (`git+URL?branch=x` for a package at `git+URL?branch=x#rev`).
fn same_source(package: Option<&str>, entry: &str) -> bool {
    package.is_some_and(|p| p == entry || p.split_once('#').is_some_and(|(base, _)| base == entry))
}

/// Splits `name`, `name version` or `name version (source)`.
fn split_dependency(entry: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let entry = entry.trim();
    let (head, source) = match entry.split_once(" (") {
        Some((h, s)) => (h, Some(s.strip_suffix(')')?)),
        None => (entry, None),
    };
    let mut parts = head.split_whitespace();
    let name = parts.next()?;
    let version = parts.next();
    if parts.next().is_some() || (source.is_some() && version.is_none()) {
        return None;
    }
    Some((name, version, source))
}

/// Parses a `Cargo.lock` into the ecosystem-neutral [`Lockfile`].
///
/// Dependencies are named the way Cargo v2+ names them: `name` when the name is unique in
/// the file, `name version` when that is unique, else `name version (source)`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let lock = parse_lock(text, file)?;
    Ok(lock.to_lockfile())
}

impl CargoLock {
    /// The ecosystem-neutral view of this lockfile.
    pub fn to_lockfile(&self) -> Lockfile {
        let mut name_count: HashMap<&str, usize> = HashMap::new();
        let mut name_version_count: HashMap<(&str, &str), usize> = HashMap::new();
        for p in &self.packages {
            *name_count.entry(&p.name).or_default() += 1;
            *name_version_count.entry((&p.name, &p.version)).or_default() += 1;
        }
        let key = |p: &CargoPackage| -> String {
            if name_count[p.name.as_str()] == 1 {
                p.name.clone()
            } else if name_version_count[&(p.name.as_str(), p.version.as_str())] == 1 {
                format!("{} {}", p.name, p.version)
            } else {
                format!(
                    "{} {} ({})",
                    p.name,
                    p.version,
                    p.source.as_deref().unwrap_or_default()
                )
            }
        };
        let packages = self
            .packages
            .iter()
            .map(|p| LockedPackage {
                name: p.name.clone(),
                version: p.version.clone(),
                source: Some(p.source_kind()),
                integrity: p.checksum.iter().cloned().collect(),
                dependencies: p
                    .dependencies
                    .iter()
                    .map(|&j| key(&self.packages[j]))
                    .collect(),
                dev: false,
                optional: false,
                peer: false,
                line: Some(p.line),
            })
            .collect();
        Lockfile {
            kind: LockfileKind::CargoLock,
            format_version: Some(self.version.to_string()),
            packages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"
[[package]]
name = "a"
version = "0.1.0"
dependencies = [
 "b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "b 2.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "c 0.1.0",
]

[[package]]
name = "b"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "b"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "c"
version = "0.1.0"

[metadata]
"checksum b 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "1111111111111111111111111111111111111111111111111111111111111111"
"checksum b 2.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "<none>"
"#;

    #[test]
    fn v1_metadata_checksums_and_long_dependency_entries() {
        let lock = parse_lock(V1, "Cargo.lock").unwrap();
        assert_eq!(lock.version, 1);
        assert_eq!(lock.packages[0].dependencies, vec![1, 2, 3]);
        assert_eq!(
            lock.packages[1].checksum.as_deref(),
            Some(&"1".repeat(64)[..])
        );
        assert_eq!(lock.packages[2].checksum, None);
        assert_eq!(lock.packages[0].line, 3);
        let common = lock.to_lockfile();
        assert_eq!(
            common.packages[0].dependencies,
            vec!["b 1.0.0", "b 2.0.0", "c"]
        );
    }

    #[test]
    fn v4_and_git_sources() {
        let text = r#"version = 4

[[package]]
name = "r"
version = "0.49.0"
source = "git+https://github.com/nushell/reedline?branch=main#e4fe8edfb28440614e58a8c9dba78d128783f70f"

[[package]]
name = "r"
version = "0.49.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "x"
version = "1.0.0"
dependencies = ["r 0.49.0 (git+https://github.com/nushell/reedline?branch=main)", "missing"]
"#;
        let lock = parse_lock(text, "Cargo.lock").unwrap();
        assert_eq!(lock.version, 4);
        assert_eq!(
            lock.packages[0].source_kind(),
            Source::Git {
                url: "https://github.com/nushell/reedline".into(),
                rev: Some("e4fe8edfb28440614e58a8c9dba78d128783f70f".into())
            }
        );
        assert_eq!(lock.packages[2].dependencies, vec![0]);
        assert_eq!(lock.unresolved, vec![(2, "missing".to_owned())]);
    }

    #[test]
    fn errors_name_the_file() {
        let e = parse_lock("version = 9\n", "x/Cargo.lock").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`x/Cargo.lock`: unsupported lockfile version 9"
        );
        let e = parse_lock("[[package]]\nname = 1\n", "x/Cargo.lock").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("failed to parse `x/Cargo.lock`: "),
            "{e}"
        );
        let e = parse_lock(
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\nchecksum = \"zz\"\n",
            "Cargo.lock",
        )
        .unwrap_err();
        assert!(e.to_string().contains("checksum `zz`"), "{e}");
    }

    #[test]
    fn crates_io_is_recognised_in_both_index_forms() {
        assert!(is_crates_io(
            "registry+https://github.com/rust-lang/crates.io-index"
        ));
        assert!(is_crates_io("sparse+https://index.crates.io/"));
        assert!(!is_crates_io("sparse+https://example.com/index/"));
        assert!(!is_crates_io(
            "git+https://github.com/rust-lang/crates.io-index"
        ));
    }

    fn shared_lockfiles() -> Vec<std::path::PathBuf> {
        let shared = std::env::var_os("VOUCH_SHARED").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
            std::path::PathBuf::from,
        );
        let mut out = Vec::new();
        let mut stack = vec![
            shared.join("lockfiles/crates.io"),
            shared.join("sbom-fixtures/rust"),
        ];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("../shared is beside the repository") {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().is_some_and(|n| n == "Cargo.lock") {
                    out.push(p);
                }
            }
        }
        assert!(out.len() >= 11, "{out:?}");
        out
    }

    /// The fast reader is an optimisation only: on every real lockfile it is taken and
    /// reads exactly what the `toml` crate reads, line numbers included.
    #[test]
    fn fast_reader_agrees_with_toml_on_real_lockfiles() {
        for path in shared_lockfiles() {
            let text = std::fs::read_to_string(&path).unwrap();
            let fast = read_fast(&text).unwrap_or_else(|| panic!("{}", path.display()));
            let slow = read_toml(&text, "Cargo.lock").unwrap();
            let sorted = |mut m: Vec<Result<(String, String), String>>| {
                m.sort();
                m
            };
            assert_eq!(fast.version, slow.version, "{}", path.display());
            assert_eq!(fast.packages, slow.packages, "{}", path.display());
            assert_eq!(
                sorted(fast.metadata),
                sorted(slow.metadata),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn unusual_toml_falls_back_to_the_toml_crate() {
        for text in [
            "version = 3\n[[package]]\nname = \"a\\u0062\"\nversion = \"1\"\n",
            "version = 3\n[[package]]\nname = 'ab'\nversion = \"1\"\n",
            "version = 3\n[[package]]\n name=\"ab\"\n version = \"1\" \n",
            "version = 3\n\n[[package]]\nversion = \"1\"\n\nname = \"ab\"\n",
        ] {
            let lock = parse_lock(text, "Cargo.lock").unwrap();
            assert_eq!(lock.packages[0].name, "ab", "{text}");
            assert_eq!(lock.packages[0].version, "1");
        }
        assert!(read_fast("version = 3\n[[package]]\nname = \"a\\u0062\"\n").is_none());
        let inline =
            "[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"b\", \"c\"] # x\n";
        assert_eq!(
            read_fast(inline).unwrap().packages[0].dependencies,
            vec!["b", "c"]
        );
        assert!(parse_lock("[[package]]\nname = \"a\"\n", "Cargo.lock").is_err());
    }

    /// A `Cargo.lock` cut off in the middle of a table header (`[[pack`) was accepted by
    /// the fast reader as an unknown section, so a truncated file gave a plausible SBOM.
    #[test]
    fn truncated_table_header_is_an_error() {
        let whole = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n";
        assert_eq!(parse_lock(whole, "Cargo.lock").unwrap().packages.len(), 2);
        for cut in ["[[pack", "[[package", "[[package]", "[meta"] {
            let text =
                format!("version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n{cut}");
            let e = parse_lock(&text, "x/Cargo.lock").unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("failed to parse `x/Cargo.lock`: "),
                "{cut}: {e}"
            );
        }
        // Other well-formed tables are still read (by the TOML parser).
        let patch = format!("{whole}\n[[patch.unused]]\nname = \"c\"\nversion = \"3.0.0\"\n");
        assert_eq!(parse_lock(&patch, "Cargo.lock").unwrap().packages.len(), 2);
    }
}
