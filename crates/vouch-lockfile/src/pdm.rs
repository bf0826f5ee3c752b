//! `pdm.lock` and PEP 751 `pylock.toml`.
//!
//! pdm: `[[package]]` with `name`, `version`, `groups` (a package only in non-`default`
//! groups is a dev dependency), `dependencies` (requirement strings) and `files` hashes.
//! pylock.toml: `[[packages]]` with `name`, `version`, `index`, `vcs`/`directory`/`archive`
//! sources, `dependencies` (tables naming packages) and `wheels`/`sdist` hashes.

use serde::Deserialize;

use crate::format::{package, FileFormat, Parsed};
use crate::python::PYPI;
use crate::{line_of, ParseError, Source};

fn toml_err(file: &str, source: toml::de::Error) -> ParseError {
    ParseError::Toml {
        file: file.to_owned(),
        source,
    }
}

/// Lines of each `header` line (`[[package]]`), in order.
fn header_lines(text: &str, header: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == header {
            out.push(line_of(text, pos));
        }
        pos += line.len();
    }
    out
}

/// The distribution name at the start of a PEP 508 requirement string.
pub(crate) fn requirement_name(req: &str) -> &str {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    &req[..end]
}

#[derive(Deserialize)]
struct PdmLock {
    #[serde(default)]
    metadata: Option<toml::Table>,
    #[serde(default)]
    package: Vec<PdmPackage>,
}

#[derive(Deserialize)]
struct PdmPackage {
    name: String,
    version: String,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<toml::Table>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    git: Option<String>,
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Parses a `pdm.lock`.
pub fn parse_pdm(text: &str, file: &str) -> Result<Parsed, ParseError> {
    let raw: PdmLock = toml::from_str(text).map_err(|e| toml_err(file, e))?;
    let Some(meta) = raw.metadata else {
        return Err(ParseError::Syntax {
            file: file.to_owned(),
            message: "no `[metadata]` table: not a pdm.lock".to_owned(),
        });
    };
    let lines = header_lines(text, "[[package]]");
    let mut packages = Vec::new();
    for (i, p) in raw.package.into_iter().enumerate() {
        let mut out = package(p.name, p.version, lines.get(i).copied());
        out.source = if let Some(path) = p.path {
            Some(Source::Path { path: Some(path) })
        } else if let Some(url) = p.git {
            Some(Source::Git {
                url,
                rev: p.revision,
            })
        } else if let Some(url) = p.url {
            Some(Source::Url { url })
        } else {
            Some(Source::Registry {
                url: PYPI.to_owned(),
            })
        };
        out.integrity = p
            .files
            .iter()
            .filter_map(|f| f.get("hash")?.as_str().map(str::to_owned))
            .collect();
        out.dependencies = p
            .dependencies
            .iter()
            .map(|d| requirement_name(d.trim()).to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        // Non-default groups are extras or development groups, and the lock does not say
        // which: only groups conventionally named for development count as dev.
        out.dev = !p.groups.is_empty()
            && p.groups.iter().all(|g| {
                matches!(
                    g.as_str(),
                    "dev" | "test" | "tests" | "lint" | "doc" | "docs" | "typing"
                )
            });
        packages.push(out);
    }
    Ok(Parsed {
        format: FileFormat::PdmLock,
        format_version: meta
            .get("lock_version")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        packages,
        includes: Vec::new(),
        project: None,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Pylock {
    lock_version: Option<String>,
    #[serde(default)]
    packages: Vec<PylockPackage>,
}

#[derive(Deserialize)]
struct PylockPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    index: Option<String>,
    #[serde(default)]
    vcs: Option<toml::Table>,
    #[serde(default)]
    directory: Option<toml::Table>,
    #[serde(default)]
    archive: Option<toml::Table>,
    #[serde(default)]
    sdist: Option<toml::Table>,
    #[serde(default)]
    wheels: Vec<toml::Table>,
    #[serde(default)]
    dependencies: Vec<toml::Table>,
}

fn hashes(t: &toml::Table) -> Vec<String> {
    t.get("hashes")
        .and_then(|h| h.as_table())
        .map(|h| {
            h.iter()
                .filter_map(|(alg, v)| Some(format!("{alg}:{}", v.as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Parses a PEP 751 `pylock.toml`.
pub fn parse_pylock(text: &str, file: &str) -> Result<Parsed, ParseError> {
    let raw: Pylock = toml::from_str(text).map_err(|e| toml_err(file, e))?;
    let Some(lock_version) = raw.lock_version else {
        return Err(ParseError::Syntax {
            file: file.to_owned(),
            message: "no `lock-version`: not a pylock.toml".to_owned(),
        });
    };
    let lines = header_lines(text, "[[packages]]");
    let mut packages = Vec::new();
    for (i, p) in raw.packages.into_iter().enumerate() {
        let str_of =
            |t: &toml::Table, k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let (version, source) = if let Some(v) = &p.vcs {
            (
                p.version
                    .clone()
                    .or_else(|| str_of(v, "commit-id"))
                    .unwrap_or_default(),
                Source::Git {
                    url: str_of(v, "url")
                        .or_else(|| str_of(v, "path"))
                        .unwrap_or_default(),
                    rev: str_of(v, "commit-id"),
                },
            )
        } else if let Some(d) = &p.directory {
            (
                p.version.clone().unwrap_or_default(),
                Source::Path {
                    path: str_of(d, "path"),
                },
            )
        } else if let Some(a) = &p.archive {
            (
                p.version.clone().unwrap_or_default(),
                match str_of(a, "url") {
                    Some(url) => Source::Url { url },
                    None => Source::Path {
                        path: str_of(a, "path"),
                    },
                },
            )
        } else {
            let Some(v) = p.version.clone() else {
                return Err(ParseError::Syntax {
                    file: file.to_owned(),
                    message: format!(
                        "line {}: package `{}` from an index has no `version`",
                        lines.get(i).copied().unwrap_or(1),
                        p.name
                    ),
                });
            };
            (
                v,
                Source::Registry {
                    url: p.index.clone().unwrap_or_else(|| PYPI.to_owned()),
                },
            )
        };
        let mut out = package(p.name, version, lines.get(i).copied());
        out.source = Some(source);
        for t in p.sdist.iter().chain(&p.wheels).chain(&p.archive) {
            out.integrity.extend(hashes(t));
        }
        out.dependencies = p
            .dependencies
            .iter()
            .filter_map(|d| d.get("name")?.as_str().map(str::to_owned))
            .collect();
        packages.push(out);
    }
    Ok(Parsed {
        format: FileFormat::PylockToml,
        format_version: Some(lock_version),
        packages,
        includes: Vec::new(),
        project: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdm_groups_and_dependencies() {
        let text = "[metadata]\ngroups = [\"default\", \"dev\"]\nlock_version = \"4.5.0\"\n\n[[package]]\nname = \"a\"\nversion = \"1.0\"\ngroups = [\"default\"]\ndependencies = [\"b>=2; python_version > '3'\"]\nfiles = [{file = \"a.whl\", hash = \"sha256:00\"}]\n\n[[package]]\nname = \"b\"\nversion = \"2.0\"\ngroups = [\"dev\"]\n";
        let p = parse_pdm(text, "pdm.lock").unwrap();
        assert_eq!(p.packages[0].dependencies, ["b"]);
        assert_eq!(p.packages[0].integrity, ["sha256:00"]);
        assert_eq!(p.packages[1].line, Some(12));
        assert!(p.packages[1].dev && !p.packages[0].dev);
        assert!(parse_pdm("[[package]]\nname=\"a\"\nversion=\"1\"\n", "pdm.lock").is_err());
    }

    #[test]
    fn pylock_sources_and_hashes() {
        let text = "lock-version = \"1.0\"\ncreated-by = \"x\"\n\n[[packages]]\nname = \"attrs\"\nversion = \"25.1.0\"\nindex = \"https://pypi.org/simple\"\nwheels = [{url = \"https://x/attrs.whl\", hashes = {sha256 = \"ab\"}}]\n\n[[packages]]\nname = \"local\"\ndirectory = {path = \".\"}\n";
        let p = parse_pylock(text, "pylock.toml").unwrap();
        assert_eq!(p.packages[0].integrity, ["sha256:ab"]);
        assert_eq!(
            p.packages[1].source,
            Some(Source::Path {
                path: Some(".".into())
            })
        );
        assert_eq!(p.packages[1].line, Some(10));
        assert!(parse_pylock("[[packages]]\nname = \"a\"\n", "pylock.toml").is_err());
    }
}
