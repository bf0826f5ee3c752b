//! Container image references such as `ghcr.io/org/app:1.2@sha256:<hex>`.
//!
//! The grammar is the one docker and the distribution spec share: an optional registry host
//! (a first path component with a `.` or `:`, or `localhost`), a lowercase repository path, an
//! optional tag and an optional digest. References are normalised the way docker normalises
//! them: no registry means `docker.io`, a one-component `docker.io` repository gets the
//! `library/` prefix, and a reference with neither tag nor digest means the tag `latest`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::digest::{Digest, DigestError};

/// The registry assumed when a reference names none.
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// Why an image reference was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageRefError {
    #[error("image reference is empty")]
    Empty,
    #[error("image reference `{0}` is longer than 4096 characters")]
    TooLong(String),
    #[error("image reference `{reference}` has an invalid registry host `{host}`")]
    BadRegistry { reference: String, host: String },
    #[error("image reference `{reference}` has an invalid repository path `{path}` (lowercase letters, digits and `.`, `_`, `__`, `-` separators between `/`-separated components)")]
    BadRepository { reference: String, path: String },
    #[error("image reference `{reference}` has an invalid tag `{tag}` (1-128 of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`)")]
    BadTag { reference: String, tag: String },
    #[error("image reference `{reference}` has an invalid digest")]
    BadDigest {
        reference: String,
        #[source]
        source: DigestError,
    },
}

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl ImageRef {
    /// Builds a reference from parts, validating each.
    pub fn new(
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<Digest>,
    ) -> Result<Self, ImageRefError> {
        let shown = format!("{registry}/{repository}");
        if !valid_registry(registry) {
            return Err(ImageRefError::BadRegistry {
                reference: shown,
                host: registry.to_owned(),
            });
        }
        if !valid_repository(repository) {
            return Err(ImageRefError::BadRepository {
                reference: shown,
                path: repository.to_owned(),
            });
        }
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(ImageRefError::BadTag {
                    reference: shown,
                    tag: t.to_owned(),
                });
            }
        }
        Ok(Self {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag: tag.map(str::to_owned),
            digest,
        })
    }

    /// The registry host (with port when given), e.g. `ghcr.io` or `127.0.0.1:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host the registry API answers on: `docker.io` is served by `registry-1.docker.io`.
    pub fn api_host(&self) -> &str {
        if self.registry == DEFAULT_REGISTRY || self.registry == "index.docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// The repository path, e.g. `library/busybox`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The same repository pinned to `digest` (the tag is kept for display).
    pub fn with_digest(&self, digest: Digest) -> Self {
        Self {
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// The same repository at `tag`, with no digest.
    ///
    /// # Panics
    /// When `tag` is not a valid tag: callers pass tags they built themselves.
    pub fn with_tag(&self, tag: &str) -> Self {
        assert!(valid_tag(tag), "invalid tag `{tag}`");
        Self {
            tag: Some(tag.to_owned()),
            digest: None,
            ..self.clone()
        }
    }

    /// `registry/repository` without tag or digest (cosign's `docker-reference`).
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Whether the registry host is a loopback address (`localhost`, `127.0.0.0/8`, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        let host = host_without_port(&self.registry);
        host == "localhost"
            || host == "[::1]"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

fn host_without_port(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        // [v6]:port
        return match rest.find(']') {
            Some(end) => &registry[..end + 2],
            None => registry,
        };
    }
    registry.split(':').next().unwrap_or(registry)
}

fn valid_registry(host: &str) -> bool {
    if host.is_empty() || host.len() > 255 {
        return false;
    }
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let inner = &rest[..end];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        let after = &rest[end + 1..];
        match after.strip_prefix(':') {
            Some(p) => ("v6", Some(p)),
            None if after.is_empty() => ("v6", None),
            None => return false,
        }
    } else {
        match host.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

fn valid_repository(path: &str) -> bool {
    !path.is_empty() && path.len() <= 255 && path.split('/').all(valid_path_component)
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() {
        return false;
    }
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // a separator run
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&x| x.is_ascii_alphanumeric() || x == b'_' || x == b'.' || x == b'-')
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(ImageRefError::Empty);
        }
        if s.len() > 4096 {
            return Err(ImageRefError::TooLong(format!("{}…", &s[..64])));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                let digest = d.parse::<Digest>().map_err(|e| ImageRefError::BadDigest {
                    reference: s.to_owned(),
                    source: e,
                })?;
                (r, Some(digest))
            }
            None => (s, None),
        };
        // A tag follows the last `:` after the last `/` (a `:` before it is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_owned(), path.to_owned())
            }
            _ => (DEFAULT_REGISTRY.to_owned(), name.to_owned()),
        };
        let registry = if registry == "index.docker.io" {
            DEFAULT_REGISTRY.to_owned()
        } else {
            registry
        };
        let repository = if registry == DEFAULT_REGISTRY && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if !valid_registry(&registry) {
            return Err(ImageRefError::BadRegistry {
                reference: s.to_owned(),
                host: registry,
            });
        }
        if !valid_repository(&repository) {
            return Err(ImageRefError::BadRepository {
                reference: s.to_owned(),
                path: repository,
            });
        }
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(ImageRefError::BadTag {
                    reference: s.to_owned(),
                    tag: t.to_owned(),
                });
            }
        }
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_owned()),
            (None, None) => Some("latest".to_owned()),
            (None, Some(_)) => None,
        };
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
        })
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl Serialize for ImageRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ImageRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b";

    #[test]
    fn normalises_docker_hub_names() {
        let r: ImageRef = "busybox".parse().unwrap();
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "library/busybox");
        assert_eq!(r.tag(), Some("latest"));
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.to_string(), "docker.io/library/busybox:latest");
        let r: ImageRef = "index.docker.io/org/app:1".parse().unwrap();
        assert_eq!(r.to_string(), "docker.io/org/app:1");
    }

    #[test]
    fn parses_registry_port_tag_and_digest() {
        let s = format!("127.0.0.1:5000/a/b-c/d__e:v1.2_3@sha256:{HEX}");
        let r: ImageRef = s.parse().unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.repository(), "a/b-c/d__e");
        assert_eq!(r.tag(), Some("v1.2_3"));
        assert_eq!(r.digest().unwrap().hex(), HEX);
        assert!(r.is_loopback());
        assert_eq!(r.to_string(), s);
        let r: ImageRef = format!("localhost/app@sha256:{HEX}").parse().unwrap();
        assert_eq!(r.registry(), "localhost");
        assert_eq!(r.tag(), None);
        assert!(r.is_loopback());
        let r: ImageRef = "[::1]:5000/app:x".parse().unwrap();
        assert!(r.is_loopback());
        assert_eq!(r.name(), "[::1]:5000/app");
        assert!(!"ghcr.io/o/a:1".parse::<ImageRef>().unwrap().is_loopback());
        assert!(!"127.evil.com/a".parse::<ImageRef>().unwrap().is_loopback());
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "UPPER/case",
            "ghcr.io/a//b",
            "ghcr.io/a/b:",
            "ghcr.io/a/b:.x",
            "ghcr.io/a/b@sha256:12",
            "ghcr.io/-a/b",
            "bad_host.io:x/a",
            "ghcr.io/a/b:tag with space",
            "a/b-",
            "a/b.-c",
        ] {
            assert!(
                bad.parse::<ImageRef>().is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!(matches!(
            "ghcr.io/a@sha256:zz".parse::<ImageRef>(),
            Err(ImageRefError::BadDigest { .. })
        ));
    }

    #[test]
    fn with_digest_and_tag() {
        let r: ImageRef = "ghcr.io/o/a:1".parse().unwrap();
        let d: Digest = format!("sha256:{HEX}").parse().unwrap();
        let pinned = r.with_digest(d.clone());
        assert_eq!(pinned.to_string(), format!("ghcr.io/o/a:1@sha256:{HEX}"));
        let sig = pinned.with_tag(&format!("sha256-{HEX}.sig"));
        assert_eq!(sig.digest(), None);
        assert_eq!(sig.tag(), Some(format!("sha256-{HEX}.sig").as_str()));
    }
}
