//! NuGet `packages.lock.json`: `dependencies.<target framework>.<package>` with `type`
//! (`Direct`, `Transitive`, `Project`, `CentralTransitive`), `resolved`, `contentHash`
//! (base64 SHA-512 of the `.nupkg`) and `dependencies`. A package locked for several target
//! frameworks is listed once per version.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::format::{package, FileFormat, Parsed};
use crate::jsonpos::KeyCursor;
use crate::{ParseError, Source};

/// nuget.org's v3 service index.
pub const NUGET_ORG: &str = "https://api.nuget.org/v3/index.json";

/// Parses a `packages.lock.json`.
pub fn parse(text: &str, file: &str) -> Result<Parsed, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|source| ParseError::Json {
        file: file.to_owned(),
        source,
    })?;
    let err = |m: String| ParseError::Syntax {
        file: file.to_owned(),
        message: m,
    };
    let Some(frameworks) = doc.get("dependencies").and_then(Value::as_object) else {
        return Err(err(
            "no `dependencies` object: not a NuGet packages.lock.json".into(),
        ));
    };
    let mut cursor = KeyCursor::new(text);
    cursor.next_key("dependencies");
    let mut seen = BTreeSet::new();
    let mut packages = Vec::new();
    for (tfm, deps) in frameworks {
        cursor.next_key(tfm);
        let Some(deps) = deps.as_object() else {
            return Err(err(format!("`dependencies.{tfm}` is not an object")));
        };
        for (name, v) in deps {
            let line = cursor.next_key(name);
            if let Some(inner) = v.get("dependencies").and_then(Value::as_object) {
                // Step over the nested keys so the next package's line is found after them.
                for k in inner.keys() {
                    cursor.next_key(k);
                }
            }
            let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
            let Some(version) = v.get("resolved").and_then(Value::as_str) else {
                if ty == "Project" {
                    continue;
                }
                return Err(err(format!(
                    "`dependencies.{tfm}.{name}` has no `resolved` version"
                )));
            };
            if !seen.insert((name.to_ascii_lowercase(), version.to_owned())) {
                continue;
            }
            let mut p = package(name.clone(), version, line);
            p.source = Some(if ty == "Project" {
                Source::Path { path: None }
            } else {
                Source::Registry {
                    url: NUGET_ORG.to_owned(),
                }
            });
            if let Some(h) = v.get("contentHash").and_then(Value::as_str) {
                p.integrity.push(format!("sha512-{h}"));
            }
            if let Some(d) = v.get("dependencies").and_then(Value::as_object) {
                p.dependencies = d.keys().cloned().collect();
            }
            packages.push(p);
        }
    }
    Ok(Parsed {
        format: FileFormat::NugetLock,
        format_version: doc.get("version").map(ToString::to_string),
        packages,
        includes: Vec::new(),
        project: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frameworks_dedupe_and_hashes() {
        let text = r#"{"version": 1, "dependencies": {
  "net8.0": {"A": {"type": "Direct", "resolved": "1.0.0", "contentHash": "AA==", "dependencies": {"B": "2.0.0"}},
             "B": {"type": "Transitive", "resolved": "2.0.0"}},
  "net6.0": {"A": {"type": "Direct", "resolved": "1.0.0"}}}}"#;
        let p = parse(text, "packages.lock.json").unwrap();
        assert_eq!(p.packages.len(), 2);
        assert_eq!(p.packages[0].integrity, ["sha512-AA=="]);
        assert_eq!(p.packages[0].dependencies, ["B"]);
        assert_eq!(p.packages[1].line, Some(3));
        assert!(parse(r#"{"version": 1}"#, "x").is_err());
    }
}
