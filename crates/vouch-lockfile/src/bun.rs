//! `bun.lock` (bun 1.2+, text): JSON with trailing commas (JSONC).
//!
//! `packages` maps an install key to `[ "name@version", registry, {dependencies…}, integrity ]`
//! for registry packages; other resolutions (`workspace:`, `link:`, `git`, `github:`, `file:`)
//! are kept with their source. `workspaces[""]` names the project and its direct
//! dependencies; names in `devDependencies` reached only from there are dev dependencies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::format::{package, FileFormat, Parsed};
use crate::jsonpos::KeyCursor;
use crate::{ParseError, Source};

/// Removes JSONC's trailing commas and `//` comments outside strings, keeping every newline
/// (so line numbers stay right).
pub(crate) fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' && i + 1 < b.len() {
                out.push_str(&text[i..i + 2]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        } else if c == b',' {
            let next = b[i + 1..]
                .iter()
                .position(|c| !c.is_ascii_whitespace())
                .map(|p| b[i + 1 + p]);
            if matches!(next, Some(b'}' | b']')) {
                out.push(' ');
                i += 1;
                continue;
            }
        }
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn dep_names(meta: Option<&Value>, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        if let Some(m) = meta.and_then(|m| m.get(k)).and_then(Value::as_object) {
            out.extend(m.keys().cloned());
        }
    }
    out
}

/// Parses a `bun.lock`.
pub fn parse(text: &str, file: &str) -> Result<Parsed, ParseError> {
    let clean = strip_jsonc(text);
    let doc: Value = serde_json::from_str(&clean).map_err(|source| ParseError::Json {
        file: file.to_owned(),
        source,
    })?;
    let err = |m: &str| ParseError::Syntax {
        file: file.to_owned(),
        message: m.to_owned(),
    };
    let Some(pkgs) = doc.get("packages").and_then(Value::as_object) else {
        return Err(err("no `packages` object: not a bun.lock"));
    };
    let root = doc.get("workspaces").and_then(|w| w.get(""));
    let project = root
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .map(|n| (n.to_owned(), None));
    let mut cursor = KeyCursor::new(text);
    cursor.next_key("packages");
    let mut packages = Vec::new();
    for (key, v) in pkgs {
        let line = cursor.next_key(key);
        let Some(arr) = v.as_array() else {
            return Err(err(&format!("`packages.{key}` is not an array")));
        };
        let Some(ident) = arr.first().and_then(Value::as_str) else {
            return Err(err(&format!("`packages.{key}` has no `name@version`")));
        };
        // `@scope/name@1.0.0`: the version follows the last `@` past the first character.
        let Some(at) = ident[1..].rfind('@').map(|i| i + 1) else {
            return Err(err(&format!("`packages.{key}`: `{ident}` has no version")));
        };
        let (name, spec) = (&ident[..at], &ident[at + 1..]);
        let mut p = package(name, spec, line);
        let meta = arr.iter().skip(1).find(|x| x.is_object());
        if let Some(rest) = spec
            .strip_prefix("workspace:")
            .or_else(|| spec.strip_prefix("link:"))
        {
            p.source = Some(Source::Path {
                path: Some(rest.to_owned()),
            });
        } else if let Some(rest) = spec.strip_prefix("file:") {
            p.source = Some(Source::Path {
                path: Some(rest.to_owned()),
            });
        } else if spec.starts_with("github:") || spec.starts_with("git+") || spec.contains(".git#")
        {
            let (url, rev) = match spec.split_once('#') {
                Some((u, r)) => (u.to_owned(), Some(r.to_owned())),
                None => (spec.to_owned(), None),
            };
            p.source = Some(Source::Git { url, rev });
        } else {
            let registry = arr.get(1).and_then(Value::as_str).unwrap_or("");
            p.source = Some(Source::Registry {
                url: if registry.is_empty() {
                    crate::npm::NPM_REGISTRY.to_owned()
                } else {
                    registry.to_owned()
                },
            });
            if let Some(i) = arr
                .iter()
                .skip(2)
                .filter_map(Value::as_str)
                .find(|s| s.contains('-'))
            {
                p.integrity.push(i.to_owned());
            }
        }
        p.dependencies = dep_names(
            meta,
            &["dependencies", "optionalDependencies", "peerDependencies"],
        );
        packages.push((key.clone(), p));
    }
    // Dev: reachable from the root's devDependencies and not from its other dependencies.
    let reach = |starts: Vec<String>| {
        let by_key: BTreeMap<&str, &crate::LockedPackage> =
            packages.iter().map(|(k, p)| (k.as_str(), p)).collect();
        let mut seen = BTreeSet::new();
        let mut stack = starts;
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(p) = by_key.get(n.as_str()) {
                stack.extend(p.dependencies.iter().cloned());
            }
        }
        seen
    };
    let prod = reach(dep_names(
        root,
        &["dependencies", "optionalDependencies", "peerDependencies"],
    ));
    let dev = reach(dep_names(root, &["devDependencies"]));
    let mut out = Vec::new();
    for (key, mut p) in packages {
        p.dev = dev.contains(&key) && !prod.contains(&key);
        out.push(p);
    }
    Ok(Parsed {
        format: FileFormat::BunLock,
        format_version: doc.get("lockfileVersion").map(ToString::to_string),
        packages: out,
        includes: Vec::new(),
        project,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_trailing_commas_and_scoped_names() {
        let text = "{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\"\": {\"name\": \"p\", \"dependencies\": {\"@a/b\": \"1\"}, \"devDependencies\": {\"t\": \"1\"},},},\n  \"packages\": {\n    \"@a/b\": [\"@a/b@1.0.0\", \"\", {}, \"sha512-AA==\"],\n    \"t\": [\"t@2.0.0\", \"\", {}, \"sha512-BB==\",],\n  },\n}\n";
        let p = parse(text, "bun.lock").unwrap();
        assert_eq!(p.packages.len(), 2);
        assert_eq!(p.packages[0].name, "@a/b");
        assert_eq!(p.packages[0].version, "1.0.0");
        assert_eq!(p.packages[0].line, Some(5));
        assert_eq!(p.packages[0].integrity, ["sha512-AA=="]);
        assert!(!p.packages[0].dev);
        assert!(p.packages[1].dev);
        assert_eq!(p.project, Some(("p".to_owned(), None)));
    }
}
