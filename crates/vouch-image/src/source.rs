//! Where an image comes from: `registry:REF`, `oci:DIR[:tag]`, `docker-archive:FILE`,
//! `dir:PATH`, or a bare registry reference.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use vouch_core::ImageRef;

use crate::model::ImageError;

/// An image source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An image in a registry, by tag or digest.
    Registry(ImageRef),
    /// An OCI image layout directory; `reference` selects a manifest of its `index.json` by
    /// its `org.opencontainers.image.ref.name` annotation (default: the only one).
    OciLayout {
        dir: PathBuf,
        reference: Option<String>,
    },
    /// A `docker save` / `skopeo copy docker-archive:` tarball (its first image).
    DockerArchive(PathBuf),
    /// An unpacked root filesystem.
    Dir(PathBuf),
}

/// The prefixes [`Source`] accepts.
pub const PREFIXES: &[&str] = &["registry:", "oci:", "docker-archive:", "dir:"];

impl Source {
    /// The source `input` names when it is one: a prefixed source, or a bare registry
    /// reference (`registry.example/repo:tag`, `repo@sha256:…`) that is not an existing path.
    /// `None` means `input` is a path (a project, a lockfile) for the caller to handle.
    pub fn detect(input: &str) -> Option<Result<Self, ImageError>> {
        if PREFIXES.iter().any(|p| input.starts_with(p)) {
            return Some(input.parse());
        }
        if input.is_empty() || Path::new(input).exists() || input.starts_with('.') {
            return None;
        }
        // A bare reference must name a registry or pin something: `host/repo`, `repo:tag`,
        // `repo@digest`. A lone word is more likely a mistyped path.
        let looks_like_ref = input.contains('@')
            || input
                .split_once('/')
                .is_some_and(|(host, _)| host.contains('.') || host.contains(':'))
            || (input.contains(':') && !input.contains('/'));
        if !looks_like_ref {
            return None;
        }
        Some(
            input
                .parse::<ImageRef>()
                .map(Self::Registry)
                .map_err(|e| ImageError::BadSource {
                    input: input.to_owned(),
                    reason: e.to_string(),
                }),
        )
    }
}

impl FromStr for Source {
    type Err = ImageError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| ImageError::BadSource {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(r) = input.strip_prefix("registry:") {
            let r = r.strip_prefix("//").unwrap_or(r);
            return r
                .parse::<ImageRef>()
                .map(Self::Registry)
                .map_err(|e| bad(&e.to_string()));
        }
        if let Some(rest) = input.strip_prefix("oci:") {
            if rest.is_empty() {
                return Err(bad("no layout directory after `oci:`"));
            }
            if Path::new(rest).is_dir() {
                return Ok(Self::OciLayout {
                    dir: rest.into(),
                    reference: None,
                });
            }
            return match rest.rsplit_once(':') {
                Some((dir, tag)) if !dir.is_empty() && !tag.is_empty() && !tag.contains('/') => {
                    Ok(Self::OciLayout {
                        dir: dir.into(),
                        reference: Some(tag.to_owned()),
                    })
                }
                _ => Ok(Self::OciLayout {
                    dir: rest.into(),
                    reference: None,
                }),
            };
        }
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            if rest.is_empty() {
                return Err(bad("no file after `docker-archive:`"));
            }
            return Ok(Self::DockerArchive(rest.into()));
        }
        if let Some(rest) = input.strip_prefix("dir:") {
            if rest.is_empty() {
                return Err(bad("no directory after `dir:`"));
            }
            return Ok(Self::Dir(rest.into()));
        }
        match Self::detect(input) {
            Some(r) => r,
            None => Err(bad(
                "not an image: use registry:REF, oci:DIR[:tag], docker-archive:FILE or dir:PATH",
            )),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Registry(r) => write!(f, "registry:{r}"),
            Self::OciLayout {
                dir,
                reference: Some(t),
            } => write!(f, "oci:{}:{t}", dir.display()),
            Self::OciLayout {
                dir,
                reference: None,
            } => write!(f, "oci:{}", dir.display()),
            Self::DockerArchive(p) => write!(f, "docker-archive:{}", p.display()),
            Self::Dir(p) => write!(f, "dir:{}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_select_the_source() {
        assert_eq!(
            "oci:/nonexistent/layout:v1".parse::<Source>().unwrap(),
            Source::OciLayout {
                dir: "/nonexistent/layout".into(),
                reference: Some("v1".into())
            }
        );
        assert_eq!(
            "docker-archive:img.tar".parse::<Source>().unwrap(),
            Source::DockerArchive("img.tar".into())
        );
        assert_eq!("dir:/".parse::<Source>().unwrap(), Source::Dir("/".into()));
        let Source::Registry(r) = "registry:127.0.0.1:5000/a/b:t".parse::<Source>().unwrap() else {
            panic!("not a registry source")
        };
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.tag(), Some("t"));
        assert!("dir:".parse::<Source>().is_err());
    }

    #[test]
    fn bare_references_are_images_unless_they_exist() {
        assert!(matches!(
            Source::detect("ghcr.io/org/app:1.0"),
            Some(Ok(Source::Registry(_)))
        ));
        assert!(matches!(
            Source::detect("alpine:3.20"),
            Some(Ok(Source::Registry(_)))
        ));
        // Paths and plain words are left to the caller.
        assert!(Source::detect(".").is_none());
        assert!(Source::detect("Cargo.lock").is_none());
        assert!(Source::detect("some/dir").is_none());
        assert!(Source::detect(env!("CARGO_MANIFEST_DIR")).is_none());
    }
}
