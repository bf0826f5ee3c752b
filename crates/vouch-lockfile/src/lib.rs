//! Lockfile and manifest parsers, one module per ecosystem.
//!
//! Every parser takes the file's text (and its display name for error messages) and returns a
//! [`Lockfile`]: the packages with their exact versions, sources, integrity hashes, dependency
//! edges and the line they were declared on. Parsers never touch the filesystem, so they are
//! easy to fuzz and the same code reads a working-tree file or a blob from a git revision.

pub mod bun;
pub mod cargo;
pub mod composer;
mod dispatch;
pub mod format;
pub mod gemfile;
pub mod gomod;
pub mod gosum;
mod jsonpos;
pub mod jvm;
pub mod npm;
pub mod nuget;
pub mod pdm;
pub mod pnpm;
pub mod pubspec;
pub mod python;
pub mod yarn;

pub use format::{FileFormat, Include, Parsed};

use serde::{Deserialize, Serialize};
use vouch_core::Ecosystem;

/// Which lockfile format a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockfileKind {
    CargoLock,
    PackageLockJson,
    YarnLock,
    PnpmLock,
    RequirementsTxt,
    PoetryLock,
    UvLock,
    PipfileLock,
    GoMod,
    GoSum,
    GemfileLock,
    ComposerLock,
}

impl LockfileKind {
    /// Recognises a lockfile by its file name (not its path).
    pub fn from_file_name(name: &str) -> Option<Self> {
        Some(match name {
            "Cargo.lock" => Self::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Self::PackageLockJson,
            "yarn.lock" => Self::YarnLock,
            "pnpm-lock.yaml" => Self::PnpmLock,
            "poetry.lock" => Self::PoetryLock,
            "uv.lock" => Self::UvLock,
            "Pipfile.lock" => Self::PipfileLock,
            "go.mod" => Self::GoMod,
            "go.sum" => Self::GoSum,
            "Gemfile.lock" | "gems.locked" => Self::GemfileLock,
            "composer.lock" => Self::ComposerLock,
            n if n.starts_with("requirements")
                && std::path::Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("txt")) =>
            {
                Self::RequirementsTxt
            }
            _ => return None,
        })
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Self::CargoLock => Ecosystem::CratesIo,
            Self::PackageLockJson | Self::YarnLock | Self::PnpmLock => Ecosystem::Npm,
            Self::RequirementsTxt | Self::PoetryLock | Self::UvLock | Self::PipfileLock => {
                Ecosystem::PyPI
            }
            Self::GoMod | Self::GoSum => Ecosystem::Go,
            Self::GemfileLock => Ecosystem::RubyGems,
            Self::ComposerLock => Ecosystem::Packagist,
        }
    }
}

/// Where a locked package comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A package registry, by its index/registry URL.
    Registry { url: String },
    /// A git (or other VCS) checkout at a revision.
    Git {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rev: Option<String>,
    },
    /// A local path or workspace member: first-party code, not a third-party artifact.
    Path {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// A direct URL to an archive.
    Url { url: String },
}

/// One entry of a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LockedPackage {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Integrity values exactly as the lockfile records them (`sha512-…`, a hex sha256, `h1:…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub integrity: Vec<String>,
    /// Names (or `name version` keys where ambiguous) of direct dependencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Development-only dependency, where the lockfile says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Installed only where possible (npm/pnpm `optional`): its absence is not an error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Installed to satisfy a peer dependency (npm `peer`), which the consumer provides.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub peer: bool,
    /// 1-based line of the entry in the file, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// A parsed lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    pub kind: LockfileKind,
    /// Format version where the file states one (Cargo.lock `version`, npm `lockfileVersion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    pub packages: Vec<LockedPackage>,
}

/// A lockfile that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("failed to parse `{file}`: {message}")]
    Syntax { file: String, message: String },
    #[error("failed to parse `{file}`: {source}")]
    Toml {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("failed to parse `{file}`: {source}")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{file}`: unsupported {what}")]
    Unsupported { file: String, what: String },
}

/// 1-based line number of byte offset `pos` in `text`.
pub fn line_of(text: &str, pos: usize) -> u32 {
    let pos = pos.min(text.len());
    (text.as_bytes()[..pos].split(|&b| b == b'\n').count()) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let t = "a\nb\nc";
        assert_eq!(line_of(t, 0), 1);
        assert_eq!(line_of(t, 2), 2);
        assert_eq!(line_of(t, 4), 3);
        assert_eq!(line_of(t, 99), 3);
    }

    #[test]
    fn kinds_by_name() {
        assert_eq!(
            LockfileKind::from_file_name("requirements-dev.txt"),
            Some(LockfileKind::RequirementsTxt)
        );
        assert_eq!(LockfileKind::from_file_name("Cargo.toml"), None);
    }
}
