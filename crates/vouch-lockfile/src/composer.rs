//! `composer.lock`: `packages` and `packages-dev`.
//!
//! Composer's `dist.shasum` is usually empty (GitHub zipballs are not stable byte for byte);
//! such entries are pinned by `source.reference`, the commit id, which becomes
//! [`Source::Git`]'s `rev`. A non-empty `shasum` (sha1) is kept as `sha1:<hex>`.

use serde::Deserialize;

use crate::{line_of, LockedPackage, Lockfile, LockfileKind, ParseError, Source};

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    packages: Vec<RawPackage>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<RawPackage>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    #[serde(default)]
    version: String,
    source: Option<RawSource>,
    dist: Option<RawSource>,
    #[serde(default)]
    require: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSource {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    shasum: Option<String>,
}

/// Parses a `composer.lock`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let raw: Raw = serde_json::from_str(text).map_err(|source| ParseError::Json {
        file: file.to_owned(),
        source,
    })?;
    let mut search_from = 0;
    let mut packages = Vec::new();
    for (dev, p) in raw
        .packages
        .into_iter()
        .map(|p| (false, p))
        .chain(raw.packages_dev.into_iter().map(|p| (true, p)))
    {
        let needle = format!("\"name\": \"{}\"", p.name);
        let line = text[search_from..].find(&needle).map(|pos| {
            search_from += pos + needle.len();
            line_of(text, search_from - needle.len())
        });
        let mut integrity = Vec::new();
        let source = match (&p.source, &p.dist) {
            (_, Some(d)) if d.kind == "path" => Source::Path {
                path: Some(d.url.clone()),
            },
            (Some(s), _) if s.kind == "path" => Source::Path {
                path: Some(s.url.clone()),
            },
            (Some(s), d) if matches!(s.kind.as_str(), "git" | "hg" | "svn") => {
                if let Some(sha) = d
                    .as_ref()
                    .and_then(|d| d.shasum.as_deref())
                    .filter(|s| !s.is_empty())
                {
                    integrity.push(format!("sha1:{sha}"));
                }
                Source::Git {
                    url: s.url.clone(),
                    rev: s.reference.clone(),
                }
            }
            // A dist-only package (phpstan's phar) pinned by its commit reference.
            (None, Some(d))
                if d.shasum.as_deref().unwrap_or_default().is_empty()
                    && d.reference.as_deref().is_some_and(|r| {
                        r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
                    }) =>
            {
                Source::Git {
                    url: d.url.clone(),
                    rev: d.reference.clone(),
                }
            }
            (_, Some(d)) => {
                if let Some(sha) = d.shasum.as_deref().filter(|s| !s.is_empty()) {
                    integrity.push(format!("sha1:{sha}"));
                }
                Source::Url { url: d.url.clone() }
            }
            (Some(s), None) => Source::Url { url: s.url.clone() },
            (None, None) => Source::Path { path: None },
        };
        packages.push(LockedPackage {
            name: p.name,
            version: p.version,
            source: Some(source),
            integrity,
            dependencies: p
                .require
                .keys()
                .filter(|k| k.contains('/'))
                .cloned()
                .collect(),
            dev,
            optional: false,
            peer: false,
            line,
        });
    }
    Ok(Lockfile {
        kind: LockfileKind::ComposerLock,
        format_version: None,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_pins_when_shasum_is_empty() {
        let t = r#"{"packages": [{"name": "a/b", "version": "1.0.0",
  "source": {"type": "git", "url": "https://github.com/a/b.git", "reference": "198166618906cb2de69b95d7d47e5fa8aa1b2b95"},
  "dist": {"type": "zip", "url": "https://api.github.com/repos/a/b/zipball/1981", "shasum": ""}}],
  "packages-dev": [{"name": "c/d", "version": "2.0.0", "dist": {"type": "zip", "url": "https://x/d.zip", "shasum": "0123456789012345678901234567890123456789"}}]}"#;
        let l = parse(t, "composer.lock").unwrap();
        assert!(matches!(
            &l.packages[0].source,
            Some(Source::Git { rev: Some(_), .. })
        ));
        assert!(l.packages[0].integrity.is_empty());
        assert_eq!(
            l.packages[1].integrity,
            ["sha1:0123456789012345678901234567890123456789"]
        );
        assert!(l.packages[1].dev);
        assert_eq!(l.packages[1].line, Some(4));
    }
}
