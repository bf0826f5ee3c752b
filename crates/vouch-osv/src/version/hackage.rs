//! Hackage (Haskell PVP) versions: dotted non-negative integers compared as lists, so
//! `1.0.0 > 1.0`.

use std::cmp::Ordering;

use super::digits::cmp_digits;

#[derive(Debug, Clone)]
pub(crate) struct HackageVersion(Vec<String>);

impl HackageVersion {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let parts: Vec<String> = s.trim().split('.').map(str::to_owned).collect();
        parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self(parts))
    }
}

pub(crate) fn cmp_lists(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl Ord for HackageVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.0, &other.0)
    }
}

impl PartialOrd for HackageVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for HackageVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for HackageVersion {}
