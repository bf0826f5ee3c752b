//! Language packages as installed inside an image: Python `*.dist-info/METADATA` and
//! `*.egg-info/PKG-INFO`, npm `node_modules/**/package.json`.

/// A language package found from one metadata file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangPackage {
    pub name: String,
    pub version: String,
    pub license: Option<String>,
}

/// Reads the `Name`, `Version` and `License` headers of Python core metadata (RFC 822
/// headers up to the first blank line).
pub fn python_metadata(text: &str) -> Option<LangPackage> {
    let mut name = None;
    let mut version = None;
    let mut license = None;
    let mut license_expr = None;
    for raw in text.lines() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k {
            "Name" if name.is_none() => name = Some(v.to_owned()),
            "Version" if version.is_none() => version = Some(v.to_owned()),
            "License" if license.is_none() && !v.is_empty() && v != "UNKNOWN" => {
                license = Some(v.to_owned());
            }
            "License-Expression" => license_expr = Some(v.to_owned()),
            _ => {}
        }
    }
    Some(LangPackage {
        name: name.filter(|n| !n.is_empty())?,
        version: version.filter(|v| !v.is_empty())?,
        license: license_expr.or(license),
    })
}

/// Reads `name`, `version` and `license` of an installed npm package's `package.json`.
pub fn npm_package(bytes: &[u8]) -> Option<LangPackage> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let name = v.get("name")?.as_str()?.to_owned();
    let version = v.get("version")?.as_str()?.to_owned();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let license = match v.get("license") {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Object(o)) => {
            o.get("type").and_then(|t| t.as_str()).map(str::to_owned)
        }
        _ => None,
    };
    Some(LangPackage {
        name,
        version,
        license,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dist_info() {
        let dir = vouch_testkit::shared().join(
            "os-vulns/lang/python-site-packages/usr/local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA",
        );
        let p = python_metadata(&std::fs::read_to_string(dir).unwrap()).unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("Jinja2", "2.10"));
        assert_eq!(p.license.as_deref(), Some("BSD"));
    }
}
