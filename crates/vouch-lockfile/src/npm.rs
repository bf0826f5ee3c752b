//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3.
//!
//! | version | layout |
//! |---|---|
//! | 1 | nested `dependencies` tree keyed by name (`version`, `resolved`, `integrity`, `requires`) |
//! | 2 | flat `packages` keyed by install path (`node_modules/a/node_modules/b`), plus the v1 tree for old npm |
//! | 3 | `packages` only |
//!
//! For v2 and v3 the `packages` map is authoritative. The root entry (`""`) and workspace
//! `link: true` entries are first-party and not listed; workspace members themselves
//! (paths outside `node_modules/`) are listed with a [`Source::Path`]. Aliased installs
//! (`"name": "real"` or a v1 `npm:real@1.2.3` version) are listed under the real name.

use serde_json::{Map, Value};

use crate::jsonpos::KeyCursor;
use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// The public npm registry.
pub const NPM_REGISTRY: &str = "https://registry.npmjs.org/";

fn err(file: &str, message: impl Into<String>) -> ParseError {
    ParseError::Syntax {
        file: file.to_owned(),
        message: message.into(),
    }
}

/// The project's own `name` and `version` (top-level fields of the lockfile).
pub fn project(text: &str) -> Option<(String, Option<String>)> {
    #[derive(serde::Deserialize)]
    struct Top {
        name: Option<String>,
        version: Option<String>,
    }
    let top: Top = serde_json::from_str(text).ok()?;
    Some((top.name?, top.version))
}

/// Where a `resolved` value points.
pub fn source_of(resolved: Option<&str>, version: &str) -> Option<Source> {
    let r = resolved?;
    if let Some(rest) = r
        .strip_prefix("git+")
        .or_else(|| (r.starts_with("git://") || r.starts_with("github:")).then_some(r))
    {
        let (url, rev) = match rest.split_once('#') {
            Some((u, rev)) => (u, Some(rev.to_owned())),
            None => (rest, None),
        };
        return Some(Source::Git {
            url: url.to_owned(),
            rev,
        });
    }
    if let Some(p) = r.strip_prefix("file:") {
        return Some(Source::Path {
            path: Some(p.to_owned()),
        });
    }
    if r.starts_with("http://") || r.starts_with("https://") {
        // `<registry>/<name>/-/<name>-<version>.tgz` is a registry tarball.
        if let Some(i) = r.find("/-/") {
            if r.ends_with(&format!("-{version}.tgz")) {
                let base = &r[..i];
                let registry = base.rfind('/').map_or(base, |j| {
                    let b = &base[..j];
                    // scoped: `<registry>/@scope/name`
                    match b.rfind('/') {
                        Some(k) if b[k + 1..].starts_with('@') => &b[..=k],
                        _ => &base[..=j],
                    }
                });
                return Some(Source::Registry {
                    url: registry.to_owned(),
                });
            }
        }
        return Some(Source::Url { url: r.to_owned() });
    }
    Some(Source::Path {
        path: Some(r.to_owned()),
    })
}

fn integrity(v: &Value) -> Vec<String> {
    v.get("integrity")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn dep_names(v: &Value, keys: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        if let Some(m) = v.get(*k).and_then(Value::as_object) {
            for name in m.keys() {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
        }
    }
    out
}

/// Splits an `npm:real@1.2.3` alias version.
fn unalias(name: &str, version: &str) -> (String, String) {
    if let Some(rest) = version.strip_prefix("npm:") {
        if let Some(at) = rest.rfind('@').filter(|&i| i > 0) {
            return (rest[..at].to_owned(), rest[at + 1..].to_owned());
        }
    }
    (name.to_owned(), version.to_owned())
}

/// Parses a `package-lock.json` (v1–v3).
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|source| ParseError::Json {
        file: file.to_owned(),
        source,
    })?;
    let obj = doc
        .as_object()
        .ok_or_else(|| err(file, "the top level is not a JSON object"))?;
    let version = obj
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .ok_or_else(|| err(file, "missing `lockfileVersion`"))?;
    if !(1..=3).contains(&version) {
        return Err(ParseError::Unsupported {
            file: file.to_owned(),
            what: format!("lockfileVersion {version}"),
        });
    }
    let mut cursor = KeyCursor::new(text);
    let packages = match obj.get("packages").and_then(Value::as_object) {
        Some(pkgs) if version >= 2 => {
            cursor.next_key("packages");
            from_packages(pkgs, &mut cursor, file)?
        }
        _ => {
            let mut out = Vec::new();
            if let Some(deps) = obj.get("dependencies").and_then(Value::as_object) {
                cursor.next_key("dependencies");
                walk_v1(deps, &mut cursor, file, &mut out, false)?;
            }
            out
        }
    };
    Ok(Lockfile {
        kind: LockfileKind::PackageLockJson,
        format_version: Some(version.to_string()),
        packages,
    })
}

fn from_packages(
    pkgs: &Map<String, Value>,
    cursor: &mut KeyCursor<'_>,
    file: &str,
) -> Result<Vec<LockedPackage>, ParseError> {
    let mut out = Vec::new();
    for (path, v) in pkgs {
        let line = cursor.next_key(path);
        if path.is_empty() {
            continue;
        }
        if !v.is_object() {
            return Err(err(file, format!("`packages.{path}` is not an object")));
        }
        if v.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let in_node_modules = path.starts_with("node_modules/") || path.contains("/node_modules/");
        let dir_name = match path.rfind("node_modules/") {
            Some(i) => &path[i + "node_modules/".len()..],
            None => path.as_str(),
        };
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .filter(|_| in_node_modules)
            .unwrap_or(dir_name);
        let Some(version) = v.get("version").and_then(Value::as_str) else {
            // Entries without a version (optional deps not installed on this platform).
            continue;
        };
        let resolved = v.get("resolved").and_then(Value::as_str);
        let source = if in_node_modules {
            source_of(resolved, version).or_else(|| {
                Some(Source::Registry {
                    url: NPM_REGISTRY.to_owned(),
                })
            })
        } else {
            Some(Source::Path {
                path: Some(path.clone()),
            })
        };
        let (name, version) = unalias(name, version);
        out.push(LockedPackage {
            name,
            version,
            source,
            integrity: integrity(v),
            dependencies: dep_names(v, &["dependencies", "optionalDependencies"]),
            dev: v.get("dev").and_then(Value::as_bool).unwrap_or(false),
            optional: v.get("optional").and_then(Value::as_bool).unwrap_or(false),
            peer: v.get("peer").and_then(Value::as_bool).unwrap_or(false),
            line,
        });
    }
    Ok(out)
}

/// `parent_dev`: the tree is nested below a dev-only package, so it is dev-only too.
fn walk_v1(
    deps: &Map<String, Value>,
    cursor: &mut KeyCursor<'_>,
    file: &str,
    out: &mut Vec<LockedPackage>,
    parent_dev: bool,
) -> Result<(), ParseError> {
    for (name, v) in deps {
        let line = cursor.next_key(name);
        if !v.is_object() {
            return Err(err(file, format!("dependency `{name}` is not an object")));
        }
        if let Some(version) = v.get("version").and_then(Value::as_str) {
            let resolved = v.get("resolved").and_then(Value::as_str);
            let (real, ver) = unalias(name, version);
            let source = if let Some(p) = ver.strip_prefix("file:") {
                Some(Source::Path {
                    path: Some(p.to_owned()),
                })
            } else if ver.contains("://") || ver.starts_with("git") || ver.starts_with("github:") {
                source_of(Some(&ver), &ver)
            } else {
                source_of(resolved, &ver).or_else(|| {
                    Some(Source::Registry {
                        url: NPM_REGISTRY.to_owned(),
                    })
                })
            };
            let version = match &source {
                Some(Source::Git { rev, .. }) if ver.contains("://") || ver.starts_with("git") => {
                    rev.clone().unwrap_or(ver)
                }
                _ => ver,
            };
            out.push(LockedPackage {
                name: real,
                version,
                source,
                integrity: integrity(v),
                dependencies: dep_names(v, &["requires"]),
                dev: parent_dev || v.get("dev").and_then(Value::as_bool).unwrap_or(false),
                optional: v.get("optional").and_then(Value::as_bool).unwrap_or(false),
                peer: false,
                line,
            });
        }
        if let Some(nested) = v.get("dependencies").and_then(Value::as_object) {
            // Step over `requires` (same names) to the nested tree.
            cursor.next_key("dependencies");
            let dev = parent_dev || v.get("dev").and_then(Value::as_bool).unwrap_or(false);
            walk_v1(nested, cursor, file, out, dev)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_with_workspaces_links_and_scopes() {
        let text = r#"{
  "name": "root",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "root", "workspaces": ["packages/*"]},
    "node_modules/@sigstore/core": {"resolved": "packages/core", "link": true},
    "node_modules/@babel/code-frame": {
      "version": "7.24.7",
      "resolved": "https://registry.npmjs.org/@babel/code-frame/-/code-frame-7.24.7.tgz",
      "integrity": "sha512-abc=",
      "dev": true,
      "dependencies": {"js-tokens": "^4.0.0"}
    },
    "node_modules/a/node_modules/b": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz", "integrity": "sha1-x= sha512-y="},
    "node_modules/alias": {"name": "real", "version": "2.0.0"},
    "packages/core": {"name": "@sigstore/core", "version": "1.1.0"}
  }
}"#;
        let lf = parse(text, "package-lock.json").unwrap();
        let names: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("@babel/code-frame", "7.24.7", Some(7)),
                ("b", "1.0.0", Some(14)),
                ("real", "2.0.0", Some(15)),
                ("packages/core", "1.1.0", Some(16)),
            ]
        );
        let babel = &lf.packages[0];
        assert!(babel.dev);
        assert_eq!(babel.integrity, vec!["sha512-abc="]);
        assert_eq!(
            babel.source,
            Some(Source::Registry {
                url: NPM_REGISTRY.to_owned()
            })
        );
        assert_eq!(lf.packages[1].integrity.len(), 2);
        assert!(matches!(lf.packages[3].source, Some(Source::Path { .. })));
    }

    #[test]
    fn v1_nested_tree_in_document_order() {
        let text = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "a": {"version": "1.0.0", "integrity": "sha1-a=", "requires": {"b": "^2"},
      "dependencies": {"b": {"version": "2.0.0"}}},
    "b": {"version": "3.0.0", "resolved": "https://registry.npmjs.org/b/-/b-3.0.0.tgz"},
    "c": {"version": "git+https://github.com/x/c.git#abc123"}
  }
}"#;
        let lf = parse(text, "package-lock.json").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", "1.0.0", Some(4)),
                ("b", "2.0.0", Some(5)),
                ("b", "3.0.0", Some(6)),
                ("c", "abc123", Some(7)),
            ]
        );
        assert!(matches!(lf.packages[3].source, Some(Source::Git { .. })));
        assert_eq!(lf.packages[0].dependencies, vec!["b"]);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(parse("{", "package-lock.json").is_err());
        assert!(parse(r#"{"lockfileVersion": 9}"#, "package-lock.json").is_err());
        assert!(parse("[]", "package-lock.json").is_err());
    }

    #[test]
    fn optional_and_peer_flags_are_kept() {
        let text = r#"{"lockfileVersion": 3, "packages": {"": {"name": "app"},
  "node_modules/fsevents": {"version": "2.3.3", "optional": true},
  "node_modules/react": {"version": "18.0.0", "peer": true},
  "node_modules/a": {"version": "1.0.0"}}}"#;
        let lf = parse(text, "package-lock.json").unwrap();
        let flags: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.optional, p.peer))
            .collect();
        assert_eq!(
            flags,
            [
                ("fsevents", true, false),
                ("react", false, true),
                ("a", false, false)
            ]
        );
    }
}
