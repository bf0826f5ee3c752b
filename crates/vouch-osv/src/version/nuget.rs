//! NuGet versions: up to four numeric parts (missing ones are zero), a case-insensitive
//! SemVer pre-release, build metadata ignored.

use std::cmp::Ordering;

use super::semver::{cmp_release, parse_idents, Ident};

#[derive(Debug, Clone)]
pub(crate) struct NuGetVersion {
    parts: [String; 4],
    pre: Vec<Ident>,
}

impl NuGetVersion {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.split_once('+').map_or(s, |(m, _)| m);
        let (nums, pre) = match s.split_once('-') {
            Some((n, p)) => (n, parse_idents(&p.to_ascii_lowercase())),
            None => (s, Vec::new()),
        };
        let mut parts: [String; 4] = std::array::from_fn(|_| "0".to_owned());
        for (n, p) in nums.split('.').enumerate() {
            if n == 4 || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.clone_into(&mut parts[n]);
        }
        Some(Self { parts, pre })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_release(&self.parts, &self.pre, &other.parts, &other.pre)
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}
