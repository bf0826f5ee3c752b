//! Package ecosystems, named as OSV names them, with their purl types.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A package ecosystem. The string form is OSV's ecosystem name (`crates.io`, `PyPI`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    CratesIo,
    Npm,
    PyPI,
    Go,
    Maven,
    RubyGems,
    Packagist,
    NuGet,
    Debian,
    Alpine,
    Hex,
    Pub,
    GitHubActions,
}

/// Every ecosystem, in a stable order.
pub const ALL: &[Ecosystem] = &[
    Ecosystem::CratesIo,
    Ecosystem::Npm,
    Ecosystem::PyPI,
    Ecosystem::Go,
    Ecosystem::Maven,
    Ecosystem::RubyGems,
    Ecosystem::Packagist,
    Ecosystem::NuGet,
    Ecosystem::Debian,
    Ecosystem::Alpine,
    Ecosystem::Hex,
    Ecosystem::Pub,
    Ecosystem::GitHubActions,
];

impl Ecosystem {
    /// OSV's name for the ecosystem.
    pub fn osv_name(self) -> &'static str {
        match self {
            Self::CratesIo => "crates.io",
            Self::Npm => "npm",
            Self::PyPI => "PyPI",
            Self::Go => "Go",
            Self::Maven => "Maven",
            Self::RubyGems => "RubyGems",
            Self::Packagist => "Packagist",
            Self::NuGet => "NuGet",
            Self::Debian => "Debian",
            Self::Alpine => "Alpine",
            Self::Hex => "Hex",
            Self::Pub => "Pub",
            Self::GitHubActions => "GitHub Actions",
        }
    }

    /// The package-url type (`cargo`, `pypi`, ...).
    pub fn purl_type(self) -> &'static str {
        match self {
            Self::CratesIo => "cargo",
            Self::Npm => "npm",
            Self::PyPI => "pypi",
            Self::Go => "golang",
            Self::Maven => "maven",
            Self::RubyGems => "gem",
            Self::Packagist => "composer",
            Self::NuGet => "nuget",
            Self::Debian => "deb",
            Self::Alpine => "apk",
            Self::Hex => "hex",
            Self::Pub => "pub",
            Self::GitHubActions => "githubactions",
        }
    }

    /// The ecosystem of a purl type, if vouch knows it.
    pub fn from_purl_type(ty: &str) -> Option<Self> {
        ALL.iter()
            .copied()
            .find(|e| e.purl_type().eq_ignore_ascii_case(ty))
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// An ecosystem name vouch does not know.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown ecosystem `{0}`")]
pub struct UnknownEcosystem(pub String);

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    /// Accepts OSV names, including OSV's `Debian:12`/`Alpine:v3.18` release suffixes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let base = s.split(':').next().unwrap_or(s);
        ALL.iter()
            .copied()
            .find(|e| e.osv_name() == base)
            .ok_or_else(|| UnknownEcosystem(s.to_owned()))
    }
}

impl Serialize for Ecosystem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.osv_name())
    }
}

impl<'de> Deserialize<'de> for Ecosystem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in ALL {
            assert_eq!(e.osv_name().parse::<Ecosystem>().unwrap(), *e);
            assert_eq!(Ecosystem::from_purl_type(e.purl_type()), Some(*e));
        }
        assert_eq!("Debian:12".parse::<Ecosystem>().unwrap(), Ecosystem::Debian);
        assert!("Cargo".parse::<Ecosystem>().is_err());
    }
}
