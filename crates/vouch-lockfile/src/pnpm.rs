//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x (and multi-document files whose first
//! document is pnpm's environment lockfile).
//!
//! Read line by line (the format is machine-written and regular), which keeps exact lines.
//! Keys: `/name/1.0.0_peer` (v5), `/name@1.0.0(peer)` (v6), `name@1.0.0` (v9). The
//! `resolution` flow mapping gives the integrity (registry packages), a `tarball` URL, a git
//! `repo` + `commit`, or a `directory` (local).

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

const NPM_REGISTRY: &str = "https://registry.npmjs.org/";

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
        .unwrap_or(s)
}

/// Splits a package key into name and version.
fn split_key(key: &str) -> (String, String) {
    let k = key.strip_prefix('/').unwrap_or(key);
    let no_peers = k.split('(').next().unwrap_or(k);
    // v5: `name/1.0.0_peer` or `@scope/name/1.0.0_peer`.
    let segs: Vec<&str> = no_peers
        .splitn(if k.starts_with('@') { 3 } else { 2 }, '/')
        .collect();
    let v5 = match segs.as_slice() {
        [scope, name, version] => {
            scope.starts_with('@')
                && !name.contains('@')
                && version.starts_with(|c: char| c.is_ascii_digit())
        }
        [name, version] => !name.contains('@') && version.starts_with(|c: char| c.is_ascii_digit()),
        _ => false,
    };
    if v5 {
        let (name, _) = no_peers.rsplit_once('/').unwrap_or((no_peers, ""));
        let name = if k.starts_with('@') {
            let (n, _) = k.split_at(segs[0].len() + 1 + segs[1].len());
            n
        } else {
            name
        };
        let version = &k[name.len() + 1..];
        return (
            name.to_owned(),
            version.split('_').next().unwrap_or(version).to_owned(),
        );
    }
    let first = no_peers.chars().next().map_or(0, char::len_utf8);
    match no_peers[first..].find('@').map(|i| i + first) {
        Some(at) => (no_peers[..at].to_owned(), no_peers[at + 1..].to_owned()),
        None => (no_peers.to_owned(), String::new()),
    }
}

/// `{a: b, c: d}` → pairs.
fn flow_map(s: &str) -> Vec<(String, String)> {
    let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(", ")
        .filter_map(|kv| kv.split_once(": "))
        .map(|(k, v)| (unquote(k).to_owned(), unquote(v).to_owned()))
        .collect()
}

#[derive(Default)]
struct Entry {
    key: String,
    line: u32,
    name: Option<String>,
    version: Option<String>,
    resolution: Vec<(String, String)>,
    dev: bool,
    optional: bool,
    dependencies: Vec<String>,
}

impl Entry {
    fn finish(self) -> LockedPackage {
        let (kname, kversion) = split_key(&self.key);
        let get = |k: &str| {
            self.resolution
                .iter()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.clone())
        };
        let mut integrity = Vec::new();
        if let Some(i) = get("integrity") {
            integrity.push(i);
        }
        let source = if let Some(commit) = get("commit") {
            Source::Git {
                url: get("repo").unwrap_or_default(),
                rev: Some(commit),
            }
        } else if let Some(dir) = get("directory") {
            Source::Path { path: Some(dir) }
        } else if let Some(t) = get("tarball") {
            if t.starts_with("file:") {
                Source::Path { path: Some(t) }
            } else {
                Source::Url { url: t }
            }
        } else {
            Source::Registry {
                url: NPM_REGISTRY.to_owned(),
            }
        };
        LockedPackage {
            name: self.name.unwrap_or(kname),
            version: self.version.unwrap_or(kversion),
            source: Some(source),
            integrity,
            dependencies: self.dependencies,
            dev: self.dev,
            optional: self.optional,
            peer: false,
            line: Some(self.line),
        }
    }
}

/// Parses a `pnpm-lock.yaml`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let mut format_version = None;
    let mut packages = Vec::new();
    let mut section = String::new();
    let mut cur: Option<Entry> = None;
    let mut sub = String::new();
    // pnpm 9 keeps edges in `snapshots` (keyed like packages, plus peer suffixes).
    let mut snapshot: Option<(String, String)> = None;
    let mut snapshot_deps: Vec<((String, String), String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = (i + 1) as u32;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if indent == 0 {
            if let Some(e) = cur.take() {
                packages.push(e.finish());
            }
            if t == "---" {
                section.clear();
                continue;
            }
            let Some((k, v)) = t.split_once(':') else {
                return Err(ParseError::Syntax {
                    file: file.to_owned(),
                    message: format!("line {line_no}: expected a `key:` at the top level"),
                });
            };
            if k == "lockfileVersion" {
                format_version = Some(unquote(v).to_owned());
            }
            k.clone_into(&mut section);
            continue;
        }
        if section == "snapshots" {
            let key = t
                .strip_suffix(": {}")
                .or_else(|| t.strip_suffix(':'))
                .unwrap_or(t);
            if indent == 2 {
                snapshot = Some(split_key(unquote(key)));
            } else if indent == 4 {
                key.clone_into(&mut sub);
            } else if indent >= 6 && matches!(sub.as_str(), "dependencies" | "optionalDependencies")
            {
                if let (Some(s), Some((k, _))) = (&snapshot, t.split_once(':')) {
                    snapshot_deps.push((s.clone(), unquote(k).to_owned()));
                }
            }
            continue;
        }
        if section != "packages" {
            continue;
        }
        if indent == 2 {
            if let Some(e) = cur.take() {
                packages.push(e.finish());
            }
            let key = t
                .strip_suffix(": {}")
                .or_else(|| t.strip_suffix(':'))
                .unwrap_or(t);
            cur = Some(Entry {
                key: unquote(key).to_owned(),
                line: line_no,
                ..Entry::default()
            });
            continue;
        }
        let Some(e) = cur.as_mut() else { continue };
        let (k, v) = t.split_once(':').map_or((t, ""), |(k, v)| (k, v.trim()));
        if indent == 4 {
            k.clone_into(&mut sub);
            match k {
                "resolution" if v.starts_with('{') => e.resolution = flow_map(v),
                "name" => e.name = Some(unquote(v).to_owned()),
                "version" => e.version = Some(unquote(v).to_owned()),
                "dev" => e.dev = v == "true",
                "optional" => e.optional = v == "true",
                _ => {}
            }
        } else if indent >= 6 {
            match sub.as_str() {
                "resolution" => e.resolution.push((k.to_owned(), unquote(v).to_owned())),
                "dependencies" | "optionalDependencies" => {
                    e.dependencies.push(unquote(k).to_owned());
                }
                _ => {}
            }
        }
    }
    if let Some(e) = cur.take() {
        packages.push(e.finish());
    }
    for ((name, version), dep) in snapshot_deps {
        if let Some(p) = packages
            .iter_mut()
            .find(|p| p.name == name && p.version == version)
        {
            if !p.dependencies.contains(&dep) {
                p.dependencies.push(dep);
            }
        }
    }
    Ok(Lockfile {
        kind: LockfileKind::PnpmLock,
        format_version,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_version() {
        assert_eq!(
            split_key("/@a/b/1.0.0_x@2"),
            ("@a/b".into(), "1.0.0".into())
        );
        assert_eq!(
            split_key("/@a/b@1.0.0(x@2)"),
            ("@a/b".into(), "1.0.0".into())
        );
        assert_eq!(split_key("/c/2.0.0"), ("c".into(), "2.0.0".into()));
        assert_eq!(split_key("/c@1.0.0(@x/y@2)"), ("c".into(), "1.0.0".into()));
        assert_eq!(split_key("c@2.0.0"), ("c".into(), "2.0.0".into()));
        let t = "lockfileVersion: '9.0'\n\npackages:\n\n  c@2.0.0:\n    resolution: {integrity: sha512-AA==}\n\n  d@https://codeload.github.com/x/d/tar.gz/0123456789012345678901234567890123456789:\n    resolution: {tarball: https://codeload.github.com/x/d/tar.gz/0123456789012345678901234567890123456789}\n    name: d\n    version: 1.0.0\n\nsnapshots:\n\n  c@2.0.0: {}\n";
        let l = parse(t, "pnpm-lock.yaml").unwrap();
        assert_eq!(l.format_version.as_deref(), Some("9.0"));
        assert_eq!(l.packages.len(), 2);
        assert_eq!(l.packages[0].integrity, ["sha512-AA=="]);
        assert_eq!(l.packages[0].line, Some(5));
        assert_eq!(l.packages[1].version, "1.0.0");
    }
}
