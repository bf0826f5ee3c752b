//! `go.mod`: the `require` directives (single-line and blocks), with `replace` directives
//! applied as the Go toolchain applies them (govulncheck and osv-scanner do the same): a
//! replacement module and version is what gets built, so it is what is listed; a
//! replacement by a local directory is a local package ([`Source::Path`]), never looked up
//! as the module it replaces. The placeholder version `v0.0.0-00010101000000-000000000000`
//! (used with local replacements) is not a version; an `exclude`d version is not selected.
//! Unknown directives and unterminated
//! blocks are errors naming the line.

use std::collections::BTreeMap;

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// The Go module proxy.
pub const GO_PROXY: &str = "https://proxy.golang.org";

/// The version Go writes for a module that only exists through a local `replace`.
pub const PLACEHOLDER_VERSION: &str = "v0.0.0-00010101000000-000000000000";

const DIRECTIVES: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "require",
    "replace",
    "exclude",
    "retract",
    "godebug",
    "tool",
    "ignore",
];

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('`').and_then(|s| s.strip_suffix('`')))
        .unwrap_or(s)
}

/// The `module` path, if the file declares one.
pub fn module(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.split("//").next()?.trim();
        let rest = l.strip_prefix("module")?;
        rest.starts_with(char::is_whitespace)
            .then(|| unquote(rest.trim()).to_owned())
    })
}

/// A `replace` target.
#[derive(Debug, Clone)]
enum Replacement {
    Module { path: String, version: String },
    Dir(String),
}

/// Parses a `go.mod`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let err = |line: u32, message: String| ParseError::Syntax {
        file: file.to_owned(),
        message: format!("line {line}: {message}"),
    };
    let mut required: Vec<(String, String, u32)> = Vec::new();
    // `old` or `old@version` → replacement.
    let mut replaces: BTreeMap<(String, Option<String>), Replacement> = BTreeMap::new();
    let mut excluded: Vec<(String, String)> = Vec::new();
    let mut block: Option<(&str, u32)> = None;
    let mut go_version = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let code = match raw.find("//") {
            Some(j) => &raw[..j],
            None => raw,
        }
        .trim();
        if code.is_empty() {
            continue;
        }
        let (directive, spec) = if let Some((d, _)) = block {
            if code == ")" {
                block = None;
                continue;
            }
            (d, code)
        } else {
            let word = code.split_whitespace().next().unwrap_or("");
            let Some(&d) = DIRECTIVES.iter().find(|&&d| d == word) else {
                return Err(err(
                    line,
                    format!("unknown directive `{word}`: not a go.mod"),
                ));
            };
            let rest = code[word.len()..].trim();
            if rest == "(" {
                block = Some((d, line));
                continue;
            }
            if rest.is_empty() {
                return Err(err(line, format!("malformed {d} directive")));
            }
            (d, rest)
        };
        match directive {
            "go" => go_version = Some(spec.to_owned()),
            "require" => {
                let mut parts = spec.split_whitespace();
                let (Some(path), Some(version), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(err(
                        line,
                        format!("expected `module/path vX.Y.Z`, got `{spec}`"),
                    ));
                };
                required.push((unquote(path).to_owned(), unquote(version).to_owned(), line));
            }
            "exclude" => {
                let mut parts = spec.split_whitespace().map(unquote);
                if let (Some(p), Some(v)) = (parts.next(), parts.next()) {
                    excluded.push((p.to_owned(), v.to_owned()));
                }
            }
            "replace" => {
                let Some((old, new)) = spec.split_once("=>") else {
                    return Err(err(
                        line,
                        format!("expected `old => new` in replace, got `{spec}`"),
                    ));
                };
                let old: Vec<&str> = old.split_whitespace().map(unquote).collect();
                let new: Vec<&str> = new.split_whitespace().map(unquote).collect();
                let key = match old[..] {
                    [p] => (p.to_owned(), None),
                    [p, v] => (p.to_owned(), Some(v.to_owned())),
                    _ => return Err(err(line, format!("malformed replace `{spec}`"))),
                };
                let target = match new[..] {
                    [p] if p.starts_with("./") || p.starts_with("../") || p.starts_with('/') => {
                        Replacement::Dir(p.to_owned())
                    }
                    [p, v] => Replacement::Module {
                        path: p.to_owned(),
                        version: v.to_owned(),
                    },
                    _ => return Err(err(line, format!("malformed replace target in `{spec}`"))),
                };
                replaces.insert(key, target);
            }
            _ => {}
        }
    }
    if let Some((d, line)) = block {
        return Err(err(line, format!("unterminated `{d} (` block")));
    }
    let mut packages = Vec::new();
    for (path, version, line) in required {
        // An excluded version is never selected.
        if excluded.iter().any(|(p, v)| *p == path && *v == version) {
            continue;
        }
        let target = replaces
            .get(&(path.clone(), Some(version.clone())))
            .or_else(|| replaces.get(&(path.clone(), None)));
        let p = match target {
            // The required version means nothing for a local directory.
            Some(Replacement::Dir(dir)) => LockedPackage {
                name: path,
                version: String::new(),
                source: Some(Source::Path {
                    path: Some(dir.clone()),
                }),
                integrity: Vec::new(),
                dependencies: Vec::new(),
                dev: false,
                optional: false,
                peer: false,
                line: Some(line),
            },
            Some(Replacement::Module { path, version }) => LockedPackage {
                name: path.clone(),
                version: version.clone(),
                source: Some(Source::Registry {
                    url: GO_PROXY.to_owned(),
                }),
                integrity: Vec::new(),
                dependencies: Vec::new(),
                dev: false,
                optional: false,
                peer: false,
                line: Some(line),
            },
            None if version == PLACEHOLDER_VERSION => {
                return Err(err(
                    line,
                    format!("`{path}` requires the placeholder version {PLACEHOLDER_VERSION} without a `replace`"),
                ));
            }
            None => LockedPackage {
                name: path,
                version,
                source: Some(Source::Registry {
                    url: GO_PROXY.to_owned(),
                }),
                integrity: Vec::new(),
                dependencies: Vec::new(),
                dev: false,
                optional: false,
                peer: false,
                line: Some(line),
            },
        };
        packages.push(p);
    }
    Ok(Lockfile {
        kind: LockfileKind::GoMod,
        format_version: go_version,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_lines_and_blocks() {
        let text = "module github.com/cli/cli\n\ngo 1.13\n\nrequire github.com/a/b v1.0.0\n\nrequire (\n\tgithub.com/c/d/v2 v2.1.0 // indirect\n\tgolang.org/x/crypto v0.0.0-20200622213623-75b288015ac9\n)\n\nreplace github.com/a/b => github.com/a/b v1.1.0\n";
        let lf = parse(text, "go.mod").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("github.com/a/b", "v1.1.0", Some(5)),
                ("github.com/c/d/v2", "v2.1.0", Some(8)),
                (
                    "golang.org/x/crypto",
                    "v0.0.0-20200622213623-75b288015ac9",
                    Some(9)
                ),
            ]
        );
        assert_eq!(lf.format_version.as_deref(), Some("1.13"));
        assert!(parse("require (\n a v1\n", "go.mod").is_err());
        assert!(parse("require onlyname\n", "go.mod").is_err());
    }

    #[test]
    fn replace_directives_are_applied() {
        let text = "module example.com/m\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v0.0.0-00010101000000-000000000000\n\tgithub.com/e/f v1.2.0\n)\n\nreplace (\n\tgithub.com/a/b v1.0.0 => github.com/fork/b v1.0.1\n\tgithub.com/c/d => ../d\n\tgithub.com/e/f v9.9.9 => github.com/x/f v1.0.0\n)\n";
        let lf = parse(text, "go.mod").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    matches!(p.source, Some(Source::Path { .. })),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("github.com/fork/b", "v1.0.1", false),
                ("github.com/c/d", "", true),
                // A versioned replace of another version does not apply.
                ("github.com/e/f", "v1.2.0", false),
            ]
        );
        assert_eq!(module(text).as_deref(), Some("example.com/m"));
    }

    #[test]
    fn unknown_directives_and_open_blocks_are_errors() {
        let e = parse("module m\nfrobnicate x\n", "go.mod")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("frobnicate"), "{e}");
        let e = parse("module m\nreplace (\n a => b v1\n", "go.mod")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("unterminated"), "{e}");
    }
}
