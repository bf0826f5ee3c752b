//! `Gemfile.lock` (and `gems.locked`): the `GEM`, `GIT` and `PATH` sources with their `specs`,
//! and the `CHECKSUMS` section Bundler 2.6+ records (`name (version) sha256=<hex>`).

use std::collections::HashMap;

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// `name (version)` → (name, version).
fn spec(s: &str) -> Option<(&str, &str)> {
    let (name, rest) = s.trim().split_once(" (")?;
    Some((name, rest.strip_suffix(')')?))
}

/// Parses a `Gemfile.lock`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let mut packages: Vec<LockedPackage> = Vec::new();
    let mut checksums: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut section = String::new();
    let mut remote = String::new();
    let mut revision: Option<String> = None;
    let mut in_specs = false;
    for (i, line) in text.lines().enumerate() {
        let line_no = (i + 1) as u32;
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if indent == 0 {
            t.clone_into(&mut section);
            remote.clear();
            revision = None;
            in_specs = false;
            continue;
        }
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    in_specs = t == "specs:";
                    if let Some(r) = t.strip_prefix("remote: ") {
                        r.clone_into(&mut remote);
                    } else if let Some(r) = t.strip_prefix("revision: ") {
                        revision = Some(r.to_owned());
                    }
                } else if in_specs && indent == 4 {
                    let Some((name, version)) = spec(t) else {
                        return Err(ParseError::Syntax {
                            file: file.to_owned(),
                            message: format!("line {line_no}: expected `name (version)`"),
                        });
                    };
                    let source = match section.as_str() {
                        "GIT" => Source::Git {
                            url: remote.clone(),
                            rev: revision.clone(),
                        },
                        "PATH" => Source::Path {
                            path: Some(remote.clone()),
                        },
                        _ => Source::Registry {
                            url: remote.clone(),
                        },
                    };
                    packages.push(LockedPackage {
                        name: name.to_owned(),
                        version: version.to_owned(),
                        source: Some(source),
                        integrity: Vec::new(),
                        dependencies: Vec::new(),
                        dev: false,
                        optional: false,
                        peer: false,
                        line: Some(line_no),
                    });
                } else if in_specs && indent == 6 {
                    if let Some(p) = packages.last_mut() {
                        let dep = t.split(" (").next().unwrap_or(t);
                        p.dependencies.push(dep.to_owned());
                    }
                }
            }
            "CHECKSUMS" => {
                let (head, sums) = t.split_once(") ").map_or((t, ""), |(h, s)| (h, s));
                if let Some((name, version)) = spec(&format!("{head})")) {
                    checksums.insert(
                        (name.to_owned(), version.to_owned()),
                        sums.split(',')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    );
                }
            }
            _ => {}
        }
    }
    for p in &mut packages {
        if let Some(sums) = checksums.remove(&(p.name.clone(), p.version.clone())) {
            p.integrity = sums;
        }
    }
    Ok(Lockfile {
        kind: LockfileKind::GemfileLock,
        format_version: None,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_checksums() {
        let t = "GIT\n  remote: https://github.com/a/b.git\n  revision: 80216ce9d89920bf073709405e3fce6d0a3ccd9a\n  specs:\n    b (3.0.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.1.0)\n      base64 (>= 0)\n    nokogiri (1.16.0-x86_64-linux)\n\nCHECKSUMS\n  rack (3.1.0) sha256=abcd\n";
        let l = parse(t, "Gemfile.lock").unwrap();
        assert_eq!(l.packages.len(), 3);
        assert!(
            matches!(&l.packages[0].source, Some(Source::Git { rev: Some(r), .. }) if r.len() == 40)
        );
        assert_eq!(l.packages[1].integrity, ["sha256=abcd"]);
        assert_eq!(l.packages[1].dependencies, ["base64"]);
        assert_eq!(l.packages[2].version, "1.16.0-x86_64-linux");
        assert_eq!(l.packages[2].line, Some(12));
    }
}
