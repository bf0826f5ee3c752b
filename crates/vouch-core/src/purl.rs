//! Package URLs (<https://github.com/package-url/purl-spec>).
//!
//! Parsing normalises what the spec says is case-insensitive or encoding-independent, so the
//! canonical [`Display`](std::fmt::Display) form is a stable key: qualifiers sorted by key,
//! components percent-encoded, type lowercase.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a purl string was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PurlError {
    #[error("purl `{0}` does not start with `pkg:`")]
    Scheme(String),
    #[error("purl `{0}` has no type")]
    MissingType(String),
    #[error("purl `{0}` has no name")]
    MissingName(String),
    #[error("purl `{0}` has an invalid percent-encoding")]
    Encoding(String),
    #[error("purl `{0}` has an invalid qualifier")]
    Qualifier(String),
}

/// A parsed package URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

impl Purl {
    /// A purl with just a type, optional namespace, name and version.
    pub fn new(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
    ) -> Result<Self, PurlError> {
        if ty.is_empty() {
            return Err(PurlError::MissingType(name.to_owned()));
        }
        if name.is_empty() {
            return Err(PurlError::MissingName(ty.to_owned()));
        }
        let ty = ty.to_ascii_lowercase();
        let mut p = Self {
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_owned),
            name: name.to_owned(),
            version: version.filter(|v| !v.is_empty()).map(str::to_owned),
            qualifiers: BTreeMap::new(),
            subpath: None,
            ty,
        };
        p.normalise();
        Ok(p)
    }

    /// Adds (or replaces) a qualifier; an empty value removes it, as the spec says.
    #[must_use]
    pub fn with_qualifier(mut self, key: &str, value: &str) -> Self {
        let key = key.to_ascii_lowercase();
        if value.is_empty() {
            self.qualifiers.remove(&key);
        } else {
            self.qualifiers.insert(key, value.to_owned());
        }
        self
    }

    pub fn ty(&self) -> &str {
        &self.ty
    }
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// `namespace/name` (or just `name`), the way most ecosystems spell a package.
    pub fn full_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Type-specific normalisation required by the purl spec.
    fn normalise(&mut self) {
        match self.ty.as_str() {
            "pypi" => {
                self.name = self.name.to_ascii_lowercase().replace('_', "-");
            }
            "github" | "bitbucket" | "gitlab" => {
                self.name = self.name.to_ascii_lowercase();
                if let Some(ns) = &mut self.namespace {
                    *ns = ns.to_ascii_lowercase();
                }
            }
            _ => {}
        }
    }
}

fn encode(out: &mut String, s: &str, keep_slash: bool) {
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric()
            || matches!(c, '.' | '-' | '_' | '~')
            || (keep_slash && c == '/')
        {
            out.push(c);
        } else if c == ':' {
            out.push(':');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn decode(s: &str, whole: &str) -> Result<String, PurlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or_else(|| PurlError::Encoding(whole.to_owned()))?;
            let v =
                u8::from_str_radix(hex, 16).map_err(|_| PurlError::Encoding(whole.to_owned()))?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::Encoding(whole.to_owned()))
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = s
            .strip_prefix("pkg:")
            .ok_or_else(|| PurlError::Scheme(s.to_owned()))?
            .trim_start_matches('/');
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, sp)) => {
                let sp = sp
                    .split('/')
                    .filter(|seg| !seg.is_empty() && *seg != "." && *seg != "..")
                    .map(|seg| decode(seg, s))
                    .collect::<Result<Vec<_>, _>>()?
                    .join("/");
                (r, (!sp.is_empty()).then_some(sp))
            }
            None => (rest, None),
        };
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => {
                let mut map = BTreeMap::new();
                for pair in q.split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair
                        .split_once('=')
                        .ok_or_else(|| PurlError::Qualifier(s.to_owned()))?;
                    if k.is_empty() {
                        return Err(PurlError::Qualifier(s.to_owned()));
                    }
                    let v = decode(v, s)?;
                    if !v.is_empty() {
                        map.insert(k.to_ascii_lowercase(), v);
                    }
                }
                (r, map)
            }
            None => (rest, BTreeMap::new()),
        };
        let (rest, version) = match rest.rsplit_once('@') {
            Some((r, v)) if !r.is_empty() && r.contains('/') => (r, Some(decode(v, s)?)),
            _ => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        let (ty, path) = rest
            .split_once('/')
            .ok_or_else(|| PurlError::MissingName(s.to_owned()))?;
        if ty.is_empty() {
            return Err(PurlError::MissingType(s.to_owned()));
        }
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => {
                let ns = ns
                    .split('/')
                    .filter(|seg| !seg.is_empty())
                    .map(|seg| decode(seg, s))
                    .collect::<Result<Vec<_>, _>>()?
                    .join("/");
                ((!ns.is_empty()).then_some(ns), decode(n, s)?)
            }
            None => (None, decode(path, s)?),
        };
        if name.is_empty() {
            return Err(PurlError::MissingName(s.to_owned()));
        }
        let mut p = Purl::new(ty, namespace.as_deref(), &name, version.as_deref())?;
        p.qualifiers = qualifiers;
        p.subpath = subpath;
        Ok(p)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("pkg:");
        out.push_str(&self.ty);
        out.push('/');
        if let Some(ns) = &self.namespace {
            for (i, seg) in ns.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                encode(&mut out, seg, false);
            }
            out.push('/');
        }
        encode(&mut out, &self.name, false);
        if let Some(v) = &self.version {
            out.push('@');
            encode(&mut out, v, false);
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            encode(&mut out, v, true);
        }
        if let Some(sp) = &self.subpath {
            out.push('#');
            encode(&mut out, sp, true);
        }
        f.write_str(&out)
    }
}

impl Serialize for Purl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Purl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_common_purls() {
        for s in [
            "pkg:cargo/serde@1.0.200",
            "pkg:npm/%40babel/core@7.24.0",
            "pkg:maven/org.apache.commons/commons-lang3@3.14.0",
            "pkg:golang/github.com/gorilla/mux@v1.8.0",
            "pkg:cargo/foo@0.1.0?vcs_url=git%2Bhttps://github.com/a/b%3Frev%3D1",
            "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
        ] {
            let p: Purl = s.parse().unwrap();
            assert_eq!(p.to_string(), s, "{s}");
        }
    }

    #[test]
    fn parses_parts() {
        let p: Purl = "pkg:npm/%40angular/animation@12.3.1".parse().unwrap();
        assert_eq!(p.ty(), "npm");
        assert_eq!(p.namespace(), Some("@angular"));
        assert_eq!(p.name(), "animation");
        assert_eq!(p.version(), Some("12.3.1"));
        assert_eq!(p.full_name(), "@angular/animation");
        let q: Purl = "pkg:PyPI/Django_Rest@1.0".parse().unwrap();
        assert_eq!(q.to_string(), "pkg:pypi/django-rest@1.0");
    }

    #[test]
    fn rejects_bad() {
        assert!("npm/foo".parse::<Purl>().is_err());
        assert!("pkg:npm".parse::<Purl>().is_err());
        assert!("pkg:npm/foo%zz".parse::<Purl>().is_err());
    }
}
