//! `yarn.lock`, both Yarn Classic (v1, its own format) and Yarn Berry (v2+, YAML).
//!
//! One line-based reader covers both: an entry starts at an unindented `"spec", spec:` line
//! and its fields are indented (`version "1.0.0"` in v1, `version: 1.0.0` in Berry).
//! Classic records `integrity` (SRI) and a `resolved` URL whose `#fragment` is a sha1; Berry
//! records `resolution` (`name@npm:1.0.0`, `@workspace:`, `#commit=`) and a cache `checksum`
//! (`10c0/<sha512 hex>` or bare hex), kept as written.

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

const YARN_REGISTRY: &str = "https://registry.yarnpkg.com/";

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// `name` of a spec like `@scope/name@^1.0.0` or `name@npm:1.0.0`.
fn spec_name(spec: &str) -> &str {
    let s = unquote(spec);
    // A leading `@` is a scope, not the version separator.
    let first = s.chars().next().map_or(0, char::len_utf8);
    match s[first..].find('@') {
        Some(i) => &s[..first + i],
        None => s,
    }
}

#[derive(Default)]
struct Entry {
    name: String,
    line: u32,
    version: Option<String>,
    resolved: Option<String>,
    resolution: Option<String>,
    integrity: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<String>,
}

fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The package name in a registry tarball URL: `<registry>/<name>/-/<file>.tgz`.
fn tarball_name(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    let (name, file) = path.split_once("/-/")?;
    if !std::path::Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"))
        || name.is_empty()
    {
        return None;
    }
    let name = name
        .replace("%2f", "/")
        .replace("%2F", "/")
        .replace("%40", "@");
    // Registries may sit below a path (`/api/npm/npm-remote/`): keep the last one or two
    // segments (`@scope/name` or `name`).
    let parts: Vec<&str> = name.split('/').collect();
    Some(match parts.as_slice() {
        [.., s, n] if s.starts_with('@') => format!("{s}/{n}"),
        [.., n] => (*n).to_owned(),
        [] => return None,
    })
}

impl Entry {
    fn finish(self, berry: bool) -> LockedPackage {
        let version = self.version.clone().unwrap_or_default();
        let mut integrity = Vec::new();
        let source = if berry {
            if let Some(c) = &self.checksum {
                integrity.push(c.clone());
            }
            let res = self.resolution.clone().unwrap_or_default();
            let proto = res.get(spec_name(&res).len() + 1..).unwrap_or_default();
            if let Some(i) = res.find("#commit=") {
                Source::Git {
                    url: proto.split('#').next().unwrap_or(proto).to_owned(),
                    rev: Some(res[i + 8..].to_owned()),
                }
            } else if ["workspace:", "link:", "portal:", "file:"]
                .iter()
                .any(|p| proto.starts_with(p))
            {
                Source::Path {
                    path: Some(proto.to_owned()),
                }
            } else if proto.starts_with("http") {
                Source::Url {
                    url: proto.to_owned(),
                }
            } else {
                Source::Registry {
                    url: YARN_REGISTRY.to_owned(),
                }
            }
        } else {
            if let Some(i) = &self.integrity {
                integrity.extend(i.split_whitespace().map(str::to_owned));
            }
            let resolved = self.resolved.clone().unwrap_or_default();
            let (url, frag) = resolved
                .split_once('#')
                .map_or((resolved.as_str(), None), |(u, f)| (u, Some(f)));
            if resolved.starts_with("file:") || resolved.is_empty() && self.version.is_none() {
                Source::Path {
                    path: Some(resolved.clone()),
                }
            } else if url.starts_with("git")
                || url.to_ascii_lowercase().ends_with(".git")
                || url.contains("codeload.github.com")
            {
                let rev = frag.map(str::to_owned).or_else(|| {
                    url.rsplit('/')
                        .next()
                        .filter(|s| is_commit(s))
                        .map(str::to_owned)
                });
                Source::Git {
                    url: url.to_owned(),
                    rev,
                }
            } else {
                if integrity.is_empty() {
                    if let Some(f) = frag.filter(|f| is_commit(f)) {
                        integrity.push(format!("sha1:{f}"));
                    }
                }
                Source::Url {
                    url: url.to_owned(),
                }
            }
        };
        // A registry tarball names the package actually installed (an alias such as
        // `x@npm:@scope/real@1` installs `@scope/real`): advisories are about that one.
        let name = match &source {
            Source::Url { url } => tarball_name(url).unwrap_or(self.name),
            _ => self.name,
        };
        LockedPackage {
            name,
            version,
            source: Some(source),
            integrity,
            dependencies: self.dependencies,
            dev: false,
            optional: false,
            peer: false,
            line: Some(self.line),
        }
    }
}

/// Parses a `yarn.lock` (Classic or Berry).
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let berry = text.lines().any(|l| l.starts_with("__metadata:"));
    let mut format_version = if berry { None } else { Some("1".to_owned()) };
    let mut packages = Vec::new();
    let mut cur: Option<Entry> = None;
    let mut in_deps = false;
    let mut in_metadata = false;
    for (i, line) in text.lines().enumerate() {
        let line_no = (i + 1) as u32;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            if let Some(e) = cur.take() {
                packages.push(e.finish(berry));
            }
            let Some(key) = line.trim_end().strip_suffix(':') else {
                return Err(ParseError::Syntax {
                    file: file.to_owned(),
                    message: format!("line {line_no}: expected an entry header ending in `:`"),
                });
            };
            in_metadata = key == "__metadata";
            if in_metadata {
                continue;
            }
            let first = key.split(", ").next().unwrap_or(key);
            cur = Some(Entry {
                name: spec_name(first).to_owned(),
                line: line_no,
                ..Entry::default()
            });
            in_deps = false;
            continue;
        }
        let t = line.trim();
        let (k, v) = match t.split_once(": ") {
            Some((k, v)) if berry => (k, v),
            _ => match t.split_once(' ') {
                Some((k, v)) if !berry => (k, v),
                _ => (t.trim_end_matches(':'), ""),
            },
        };
        let k = unquote(k.trim_end_matches(':'));
        let v = unquote(v);
        if in_metadata {
            if k == "version" {
                format_version = Some(v.to_owned());
            }
            continue;
        }
        let Some(e) = cur.as_mut() else { continue };
        if indent == 2 {
            in_deps = matches!(k, "dependencies" | "optionalDependencies") && v.is_empty();
            match k {
                "version" => e.version = Some(v.to_owned()),
                "resolved" => e.resolved = Some(v.to_owned()),
                "resolution" => e.resolution = Some(v.to_owned()),
                "integrity" => e.integrity = Some(v.to_owned()),
                "checksum" => e.checksum = Some(v.to_owned()),
                _ => {}
            }
        } else if in_deps && indent >= 4 {
            e.dependencies.push(k.to_owned());
        }
    }
    if let Some(e) = cur.take() {
        packages.push(e.finish(berry));
    }
    Ok(Lockfile {
        kind: LockfileKind::YarnLock,
        format_version,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_and_berry() {
        let v1 = "# yarn lockfile v1\n\n\"@a/b@^1\", \"@a/b@^1.1\":\n  version \"1.2.0\"\n  resolved \"https://registry.yarnpkg.com/@a/b/-/b-1.2.0.tgz#0123456789012345678901234567890123456789\"\n  dependencies:\n    c \"^2\"\n\nc@^2:\n  version \"2.0.0\"\n  resolved \"https://registry.yarnpkg.com/c/-/c-2.0.0.tgz#0123456789012345678901234567890123456789\"\n  integrity sha512-AAAA\n";
        let l = parse(v1, "yarn.lock").unwrap();
        assert_eq!(l.packages.len(), 2);
        assert_eq!(l.packages[0].name, "@a/b");
        assert_eq!(
            l.packages[0].integrity,
            ["sha1:0123456789012345678901234567890123456789"]
        );
        assert_eq!(l.packages[0].dependencies, ["c"]);
        assert_eq!(l.packages[1].integrity, ["sha512-AAAA"]);
        assert_eq!(l.packages[1].line, Some(9));
        let berry = "__metadata:\n  version: 6\n\n\"x@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"x@workspace:.\"\n\n\"y@npm:1.0.0\":\n  version: 1.0.0\n  resolution: \"y@npm:1.0.0\"\n  checksum: 10c0/abcd\n";
        let l = parse(berry, "yarn.lock").unwrap();
        assert_eq!(l.format_version.as_deref(), Some("6"));
        assert!(matches!(l.packages[0].source, Some(Source::Path { .. })));
        assert_eq!(l.packages[1].integrity, ["10c0/abcd"]);
    }
}
