//! `go.sum`: `module version h1:hash` lines.
//!
//! A module whose only line is `version/go.mod` contributed just its `go.mod` to version
//! selection; its code is not built, so it is not listed as a package.

use std::collections::BTreeMap;

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// Parses a `go.sum`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let mut modules: BTreeMap<(String, String), LockedPackage> = BTreeMap::new();
    let mut order = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let parts: Vec<&str> = t.split_whitespace().collect();
        let [module, version, hash] = parts[..] else {
            return Err(ParseError::Syntax {
                file: file.to_owned(),
                message: format!("line {}: expected `module version hash`", i + 1),
            });
        };
        if version.ends_with("/go.mod") {
            continue;
        }
        let key = (module.to_owned(), version.to_owned());
        let entry = modules.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            LockedPackage {
                name: module.to_owned(),
                version: version.to_owned(),
                source: Some(Source::Registry {
                    url: "https://proxy.golang.org/".to_owned(),
                }),
                integrity: Vec::new(),
                dependencies: Vec::new(),
                dev: false,
                optional: false,
                peer: false,
                line: Some((i + 1) as u32),
            }
        });
        entry.integrity.push(hash.to_owned());
    }
    let packages = order
        .into_iter()
        .filter_map(|k| modules.remove(&k))
        .collect();
    Ok(Lockfile {
        kind: LockfileKind::GoSum,
        format_version: None,
        packages,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_mod_only_lines_are_not_packages() {
        let t =
            "a.io/x v1.0.0 h1:AAA=\na.io/x v1.0.0/go.mod h1:BBB=\nb.io/y v0.1.0/go.mod h1:CCC=\n";
        let l = super::parse(t, "go.sum").unwrap();
        assert_eq!(l.packages.len(), 1);
        assert_eq!(l.packages[0].integrity, ["h1:AAA="]);
        assert!(super::parse("bad line\n", "go.sum").is_err());
    }
}
