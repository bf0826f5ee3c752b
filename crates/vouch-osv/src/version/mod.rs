//! Version ordering per ecosystem.
//!
//! Each ecosystem has its own idea of what a version is and how two versions compare; OSV
//! ranges are only meaningful when evaluated with the ecosystem's own ordering. A version is
//! parsed once into a [`Version`] whose `Ord` is the ecosystem's ordering. Strings an
//! ecosystem does not accept are rejected with [`VersionError`] so callers can report them
//! instead of silently treating them as "not affected".

mod alpine;
mod cran;
mod digits;
mod dpkg;
mod hackage;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod pub_;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;
use std::fmt;

/// The ordering rules a version string is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// SemVer 2.0 precedence, leniently parsed (`v` prefix, missing minor/patch): crates.io,
    /// npm, Go (including pseudo-versions), Hex, SwiftURL, GitHub Actions and OSV `SEMVER` ranges.
    SemVer,
    /// PEP 440 (epochs, pre/post/dev releases, local versions), plus the legacy fallback
    /// ordering of `packaging` < 22 for strings PEP 440 rejects.
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// PHP `version_compare` after Composer-style canonicalisation.
    Packagist,
    /// Debian `dpkg --compare-versions`.
    Debian,
    /// Alpine `apk version`.
    Alpine,
    /// NuGet (SemVer with four numeric parts, case-insensitive pre-release).
    NuGet,
    /// Dart pub (SemVer where build metadata orders after the plain version).
    Pub,
    /// Haskell Hackage (dotted numbers).
    Hackage,
    /// R CRAN (numbers separated by `.` or `-`).
    Cran,
    /// RPM `rpmvercmp` with epoch and release (Red Hat, SUSE, Rocky, AlmaLinux...).
    Rpm,
}

impl Scheme {
    /// The scheme OSV's ecosystem name (`PyPI`, `Debian:12`, ...) implies, if vouch knows it.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Self> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        Some(match base {
            "crates.io" | "npm" | "Go" | "Hex" | "SwiftURL" | "GitHub Actions" | "Bitnami"
            | "Julia" => Self::SemVer,
            "PyPI" => Self::Pep440,
            "Maven" => Self::Maven,
            "RubyGems" => Self::RubyGems,
            "Packagist" => Self::Packagist,
            "Debian" | "Ubuntu" => Self::Debian,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" => Self::Alpine,
            "NuGet" => Self::NuGet,
            "Pub" => Self::Pub,
            "Hackage" => Self::Hackage,
            "CRAN" => Self::Cran,
            "Red Hat" | "SUSE" | "openSUSE" | "Rocky Linux" | "AlmaLinux" | "Mageia"
            | "openEuler" | "Azure Linux" => Self::Rpm,
            _ => return None,
        })
    }

    /// Parses `s` with this scheme's rules.
    pub fn parse(self, s: &str) -> Result<Version, VersionError> {
        let err = || VersionError {
            scheme: self,
            version: s.to_owned(),
        };
        let repr = match self {
            Self::SemVer => Repr::SemVer(semver::SemVer::parse(s).ok_or_else(err)?),
            Self::Pep440 => Repr::Pep440(pep440::Pep440::parse(s).ok_or_else(err)?),
            Self::Maven => Repr::Maven(maven::MavenVersion::parse(s)),
            Self::RubyGems => Repr::RubyGems(rubygems::GemVersion::parse(s).ok_or_else(err)?),
            Self::Packagist => Repr::Packagist(packagist::PhpVersion::parse(s)),
            Self::Debian => Repr::Debian(dpkg::DpkgVersion::parse(s).ok_or_else(err)?),
            Self::Alpine => Repr::Alpine(alpine::ApkVersion::parse(s)),
            Self::NuGet => Repr::NuGet(nuget::NuGetVersion::parse(s).ok_or_else(err)?),
            Self::Pub => Repr::Pub(pub_::PubVersion::parse(s).ok_or_else(err)?),
            Self::Hackage => Repr::Hackage(hackage::HackageVersion::parse(s).ok_or_else(err)?),
            Self::Cran => Repr::Cran(cran::CranVersion::parse(s).ok_or_else(err)?),
            Self::Rpm => Repr::Rpm(rpm::RpmVersion::parse(s)),
        };
        Ok(Version {
            original: s.to_owned(),
            repr,
        })
    }

    /// Compares two version strings; `None` when either does not parse.
    pub fn compare(self, a: &str, b: &str) -> Option<Ordering> {
        Some(self.parse(a).ok()?.cmp(&self.parse(b).ok()?))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SemVer => "SemVer",
            Self::Pep440 => "PEP 440",
            Self::Maven => "Maven",
            Self::RubyGems => "RubyGems",
            Self::Packagist => "Packagist",
            Self::Debian => "Debian",
            Self::Alpine => "Alpine",
            Self::NuGet => "NuGet",
            Self::Pub => "Pub",
            Self::Hackage => "Hackage",
            Self::Cran => "CRAN",
            Self::Rpm => "RPM",
        })
    }
}

/// A version string the scheme does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{version}` is not a valid {scheme} version")]
pub struct VersionError {
    pub scheme: Scheme,
    pub version: String,
}

/// A parsed version; `Ord` follows its scheme's rules.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    SemVer(semver::SemVer),
    Pep440(pep440::Pep440),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    Packagist(packagist::PhpVersion),
    Debian(dpkg::DpkgVersion),
    Alpine(alpine::ApkVersion),
    NuGet(nuget::NuGetVersion),
    Pub(pub_::PubVersion),
    Hackage(hackage::HackageVersion),
    Cran(cran::CranVersion),
    Rpm(rpm::RpmVersion),
}

impl Repr {
    fn rank(&self) -> u8 {
        match self {
            Self::SemVer(_) => 0,
            Self::Pep440(_) => 1,
            Self::Maven(_) => 2,
            Self::RubyGems(_) => 3,
            Self::Packagist(_) => 4,
            Self::Debian(_) => 5,
            Self::Alpine(_) => 6,
            Self::NuGet(_) => 7,
            Self::Pub(_) => 8,
            Self::Hackage(_) => 9,
            Self::Cran(_) => 10,
            Self::Rpm(_) => 11,
        }
    }
}

impl Version {
    /// The string the version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Whether the string was accepted only by a lenient fallback (a PyPI version PEP 440
    /// rejects, ordered by the legacy rules; an apk version with trailing garbage). Such
    /// versions are ordered as osv.dev orders them, which is not a total order across
    /// valid and invalid strings; scans report them.
    pub fn is_lenient(&self) -> bool {
        match &self.repr {
            Repr::Pep440(p) => p.is_legacy(),
            Repr::Alpine(a) => a.is_invalid(),
            _ => false,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.repr, &other.repr) {
            (Repr::SemVer(a), Repr::SemVer(b)) => a.cmp(b),
            (Repr::Pep440(a), Repr::Pep440(b)) => a.cmp(b),
            (Repr::Maven(a), Repr::Maven(b)) => a.cmp(b),
            (Repr::RubyGems(a), Repr::RubyGems(b)) => a.cmp(b),
            (Repr::Packagist(a), Repr::Packagist(b)) => a.cmp(b),
            (Repr::Debian(a), Repr::Debian(b)) => a.cmp(b),
            (Repr::Alpine(a), Repr::Alpine(b)) => a.cmp(b),
            (Repr::NuGet(a), Repr::NuGet(b)) => a.cmp(b),
            (Repr::Pub(a), Repr::Pub(b)) => a.cmp(b),
            (Repr::Hackage(a), Repr::Hackage(b)) => a.cmp(b),
            (Repr::Cran(a), Repr::Cran(b)) => a.cmp(b),
            (Repr::Rpm(a), Repr::Rpm(b)) => a.cmp(b),
            // Versions of different schemes never meet in one range; keep `Ord` total anyway.
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

#[cfg(test)]
mod props;
#[cfg(test)]
mod vectors;
