//! Dart pub versions: SemVer, except that build metadata is ordered (a version with build
//! metadata sorts after the same version without it).

use std::cmp::Ordering;

use super::semver::{parse_idents, Ident, SemVer};

#[derive(Debug, Clone)]
pub(crate) struct PubVersion {
    base: SemVer,
    build: Option<Vec<Ident>>,
}

impl PubVersion {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let build = s.split_once('+').map(|(_, b)| parse_idents(b));
        Some(Self {
            base: SemVer::parse(s)?,
            build,
        })
    }
}

impl Ord for PubVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.base
            .cmp(&other.base)
            .then_with(|| match (&self.build, &other.build) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

impl PartialOrd for PubVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PubVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PubVersion {}
