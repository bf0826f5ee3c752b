//! Python lockfiles: `requirements.txt` (pinned `==` lines), `poetry.lock`, `uv.lock` and
//! `Pipfile.lock`.
//!
//! Names are kept as the file spells them (PEP 503 normalisation is the consumer's job);
//! integrity values are `sha256:<hex>` as the files record them. Requirements that are not
//! pinned to one version (`>=`, no specifier, URLs, `-e` editables) are not locked packages
//! and are skipped; `-r`/`-c` includes are reported by [`requirements_includes`] for the
//! caller to follow (parsers never touch the filesystem).

use serde::Deserialize;
use serde_json::Value;

use crate::jsonpos::KeyCursor;
use crate::{line_of, LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// The Python Package Index.
pub const PYPI: &str = "https://pypi.org/simple";

#[allow(clippy::unnecessary_wraps)]
fn pypi() -> Option<Source> {
    Some(Source::Registry {
        url: PYPI.to_owned(),
    })
}

/// Parses a `requirements.txt`.
pub fn parse_requirements(text: &str, _file: &str) -> Result<Lockfile, ParseError> {
    let mut packages = Vec::new();
    // Join `\` continuations, remembering each logical line's first physical line.
    let mut logical: Vec<(u32, String)> = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let (cont, body) = match raw.trim_end().strip_suffix('\\') {
            Some(b) => (true, b),
            None => (false, raw),
        };
        let entry = pending.get_or_insert_with(|| (n, String::new()));
        entry.1.push(' ');
        entry.1.push_str(body);
        if !cont {
            logical.extend(pending.take());
        }
    }
    logical.extend(pending.take());
    for (line, text) in logical {
        // A comment starts at `#` preceded by whitespace or at the line start.
        let mut content = text.as_str();
        if let Some(i) = content
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || content[..i].ends_with(char::is_whitespace)))
            .map(|(i, _)| i)
        {
            content = &content[..i];
        }
        let content = content.trim();
        if content.is_empty() || content.starts_with('-') {
            continue;
        }
        let mut tokens = content.split_whitespace();
        let mut spec = String::new();
        let mut hashes = Vec::new();
        for t in tokens.by_ref() {
            if t.starts_with("--") {
                if let Some(h) = t.strip_prefix("--hash=") {
                    hashes.push(h.to_owned());
                }
                continue;
            }
            if hashes.is_empty() {
                spec.push_str(t);
            }
        }
        let spec = spec.split(';').next().unwrap_or("");
        if spec.contains("://") || spec.contains('@') {
            continue;
        }
        let Some((name, version)) = spec.split_once("===").or_else(|| spec.split_once("==")) else {
            continue;
        };
        let name = name.split('[').next().unwrap_or(name).trim();
        let version = version.trim();
        if name.is_empty() || version.is_empty() || version.contains(',') || version.contains('*') {
            continue;
        }
        packages.push(LockedPackage {
            name: name.to_owned(),
            version: version.to_owned(),
            source: pypi(),
            integrity: hashes,
            dependencies: Vec::new(),
            dev: false,
            optional: false,
            peer: false,
            line: Some(line),
        });
    }
    Ok(Lockfile {
        kind: LockfileKind::RequirementsTxt,
        format_version: None,
        packages,
    })
}

/// The `-r`/`--requirement` and `-c`/`--constraint` lines of a requirements file, in order.
/// Paths are returned as written; the caller resolves them against the including file
/// (parsers never touch the filesystem). URLs are an error: vouch does not download.
pub fn requirements_includes(
    text: &str,
    file: &str,
) -> Result<Vec<crate::format::Include>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let l = raw.trim();
        let (constraint, rest) = if let Some(r) = l
            .strip_prefix("--requirement")
            .or_else(|| l.strip_prefix("-r"))
        {
            (false, r)
        } else if let Some(r) = l
            .strip_prefix("--constraint")
            .or_else(|| l.strip_prefix("-c"))
        {
            (true, r)
        } else {
            continue;
        };
        if !(rest.starts_with(char::is_whitespace) || rest.starts_with('=')) {
            continue;
        }
        let path = rest
            .trim_start_matches('=')
            .split(" #")
            .next()
            .unwrap_or("")
            .trim();
        if path.is_empty() {
            return Err(ParseError::Syntax {
                file: file.to_owned(),
                message: format!("line {line}: `{l}` names no file"),
            });
        }
        if path.contains("://") {
            return Err(ParseError::Syntax {
                file: file.to_owned(),
                message: format!("line {line}: include of a URL (`{path}`) is not followed"),
            });
        }
        out.push(crate::format::Include {
            line,
            path: path.to_owned(),
            constraint,
        });
    }
    Ok(out)
}

/// 1-based lines of each `[[package]]` header, in order.
fn package_header_lines(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "[[package]]" {
            out.push(line_of(text, pos));
        }
        pos += line.len();
    }
    out
}

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
    #[serde(default)]
    metadata: Option<toml::Value>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    files: Vec<PoetryFile>,
    #[serde(default)]
    source: Option<PoetrySource>,
    #[serde(default)]
    dependencies: Option<toml::Table>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    category: Option<String>,
}

#[derive(Deserialize)]
struct PoetryFile {
    hash: String,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(rename = "type")]
    kind: String,
    url: String,
    #[serde(default)]
    resolved_reference: Option<String>,
    #[serde(default)]
    reference: Option<String>,
}

/// Parses a `poetry.lock` (1.x and 2.x).
pub fn parse_poetry(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let lock: PoetryLock = toml::from_str(text).map_err(|source| ParseError::Toml {
        file: file.to_owned(),
        source,
    })?;
    let lines = package_header_lines(text);
    let packages = lock
        .package
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let source = match p.source {
                None => pypi(),
                Some(s) => Some(match s.kind.as_str() {
                    "git" => Source::Git {
                        url: s.url,
                        rev: s.resolved_reference.or(s.reference),
                    },
                    "directory" | "file" => Source::Path { path: Some(s.url) },
                    "url" => Source::Url { url: s.url },
                    _ => Source::Registry { url: s.url },
                }),
            };
            let dev = p.category.as_deref() == Some("dev")
                || (!p.groups.is_empty() && !p.groups.iter().any(|g| g == "main"));
            LockedPackage {
                name: p.name,
                version: p.version,
                source,
                integrity: p.files.into_iter().map(|f| f.hash).collect(),
                dependencies: p
                    .dependencies
                    .map(|d| d.keys().cloned().collect())
                    .unwrap_or_default(),
                dev,
                optional: false,
                peer: false,
                line: lines.get(i).copied(),
            }
        })
        .collect();
    let version = lock
        .metadata
        .as_ref()
        .and_then(|m| m.get("lock-version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    Ok(Lockfile {
        kind: LockfileKind::PoetryLock,
        format_version: version,
        packages,
    })
}

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: Option<toml::Table>,
    #[serde(default)]
    sdist: Option<UvArtifact>,
    #[serde(default)]
    wheels: Vec<UvArtifact>,
    #[serde(default)]
    dependencies: Vec<toml::Table>,
}

#[derive(Deserialize)]
struct UvArtifact {
    #[serde(default)]
    hash: Option<String>,
}

/// Parses a `uv.lock`.
pub fn parse_uv(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let lock: UvLock = toml::from_str(text).map_err(|source| ParseError::Toml {
        file: file.to_owned(),
        source,
    })?;
    let lines = package_header_lines(text);
    let mut packages = Vec::new();
    for (i, p) in lock.package.into_iter().enumerate() {
        let Some(version) = p.version else { continue };
        let src = p.source.unwrap_or_default();
        let s = |k: &str| src.get(k).and_then(toml::Value::as_str).map(str::to_owned);
        let source = if let Some(url) = s("registry") {
            Source::Registry { url }
        } else if let Some(url) = s("git") {
            let (url, rev) = match url.split_once('#') {
                Some((u, r)) => (u.to_owned(), Some(r.to_owned())),
                None => (url, None),
            };
            Source::Git { url, rev }
        } else if let Some(url) = s("url") {
            Source::Url { url }
        } else {
            Source::Path {
                path: s("editable")
                    .or_else(|| s("virtual"))
                    .or_else(|| s("path"))
                    .or_else(|| s("directory")),
            }
        };
        let integrity = p
            .sdist
            .iter()
            .chain(&p.wheels)
            .filter_map(|a| a.hash.clone())
            .collect();
        packages.push(LockedPackage {
            name: p.name,
            version,
            source: Some(source),
            integrity,
            dependencies: p
                .dependencies
                .iter()
                .filter_map(|d| {
                    d.get("name")
                        .and_then(toml::Value::as_str)
                        .map(str::to_owned)
                })
                .collect(),
            dev: false,
            optional: false,
            peer: false,
            line: lines.get(i).copied(),
        });
    }
    Ok(Lockfile {
        kind: LockfileKind::UvLock,
        format_version: lock.version.map(|v| v.to_string()),
        packages,
    })
}

/// Parses a `Pipfile.lock` (`default` and `develop` sections).
pub fn parse_pipfile(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|source| ParseError::Json {
        file: file.to_owned(),
        source,
    })?;
    let obj = doc.as_object().ok_or_else(|| ParseError::Syntax {
        file: file.to_owned(),
        message: "the top level is not a JSON object".to_owned(),
    })?;
    let spec = obj
        .get("_meta")
        .and_then(|m| m.get("pipfile-spec"))
        .and_then(Value::as_u64);
    let mut cursor = KeyCursor::new(text);
    let mut packages = Vec::new();
    // Sections in document order so the cursor finds lines in order.
    for (section, v) in obj {
        let dev = match section.as_str() {
            "default" => false,
            "develop" => true,
            _ => continue,
        };
        cursor.next_key(section);
        let Some(entries) = v.as_object() else {
            return Err(ParseError::Syntax {
                file: file.to_owned(),
                message: format!("`{section}` is not an object"),
            });
        };
        for (name, e) in entries {
            let line = cursor.next_key(name);
            let s = |k: &str| e.get(k).and_then(Value::as_str);
            let source = if let Some(url) = s("git") {
                Some(Source::Git {
                    url: url.to_owned(),
                    rev: s("ref").map(str::to_owned),
                })
            } else if let Some(p) = s("path").or_else(|| s("file")) {
                Some(Source::Path {
                    path: Some(p.to_owned()),
                })
            } else {
                pypi()
            };
            let Some(version) = s("version").and_then(|v| v.strip_prefix("==")) else {
                // Editable/path/VCS entries carry no version.
                continue;
            };
            packages.push(LockedPackage {
                name: name.clone(),
                version: version.trim_start_matches('=').to_owned(),
                source,
                integrity: e
                    .get("hashes")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                dependencies: Vec::new(),
                dev,
                optional: false,
                peer: false,
                line,
            });
        }
    }
    Ok(Lockfile {
        kind: LockfileKind::PipfileLock,
        format_version: spec.map(|s| s.to_string()),
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_pins_hashes_markers_continuations() {
        let text = "# comment\n\
Django==4.2 ; python_version >= \"3.8\"\n\
annotated-types==0.8.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via pydantic\n\
requests>=2.0\n\
-r other.txt\n\
pkg[extra]==1.0  # pinned\n\
-e git+https://x/y.git#egg=y\n\
url @ https://example.com/x.whl\n";
        let lf = parse_requirements(text, "requirements.txt").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.line,
                    p.integrity.len(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("Django", "4.2", Some(2), 0),
                ("annotated-types", "0.8.0", Some(3), 2),
                ("pkg", "1.0", Some(9), 0),
            ]
        );
        assert_eq!(lf.packages[1].integrity[0], "sha256:aa");
    }

    #[test]
    fn uv_lock_sources_and_lines() {
        let text = r#"version = 1
[[package]]
name = "a"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/a.tar.gz", hash = "sha256:11" }
wheels = [{ url = "https://x/a.whl", hash = "sha256:22" }]

[[package]]
name = "me"
version = "0.1.0"
source = { editable = "." }
"#;
        let lf = parse_uv(text, "uv.lock").unwrap();
        assert_eq!(lf.packages.len(), 2);
        assert_eq!(lf.packages[0].line, Some(2));
        assert_eq!(lf.packages[0].integrity, vec!["sha256:11", "sha256:22"]);
        assert_eq!(lf.packages[1].line, Some(9));
        assert!(matches!(lf.packages[1].source, Some(Source::Path { .. })));
    }

    #[test]
    fn pipfile_lock_sections() {
        let text = r#"{
  "_meta": {"pipfile-spec": 6},
  "default": {"requests": {"version": "==2.18.4", "hashes": ["sha256:aa"]}},
  "develop": {"pytest": {"version": "==3.4.2"}, "me": {"editable": true, "path": "."}}
}"#;
        let lf = parse_pipfile(text, "Pipfile.lock").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.dev, p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("requests", "2.18.4", false, Some(3)),
                ("pytest", "3.4.2", true, Some(4))
            ]
        );
    }

    #[test]
    fn poetry_lock_files_and_sources() {
        let text = r#"[[package]]
name = "anyio"
version = "4.13.0"
groups = ["main"]
files = [
    {file = "anyio-4.13.0-py3-none-any.whl", hash = "sha256:08"},
]

[[package]]
name = "dev-only"
version = "1.0"
groups = ["dev"]
files = []

[package.source]
type = "git"
url = "https://github.com/x/y.git"
reference = "main"
resolved_reference = "abc"

[metadata]
lock-version = "2.1"
"#;
        let lf = parse_poetry(text, "poetry.lock").unwrap();
        assert_eq!(lf.format_version.as_deref(), Some("2.1"));
        assert_eq!(lf.packages[0].integrity, vec!["sha256:08"]);
        assert_eq!(lf.packages[0].line, Some(1));
        assert!(lf.packages[1].dev);
        assert_eq!(lf.packages[1].line, Some(9));
        assert_eq!(
            lf.packages[1].source,
            Some(Source::Git {
                url: "https://github.com/x/y.git".into(),
                rev: Some("abc".into())
            })
        );
    }
}
