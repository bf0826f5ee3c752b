//! CRAN (R `package_version`) versions: integers separated by `.` or `-`, compared as lists.

use std::cmp::Ordering;

use super::hackage::cmp_lists;

#[derive(Debug, Clone)]
pub(crate) struct CranVersion(Vec<String>);

impl CranVersion {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let parts: Vec<String> = s.trim().split(['.', '-']).map(str::to_owned).collect();
        parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self(parts))
    }
}

impl Ord for CranVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.0, &other.0)
    }
}

impl PartialOrd for CranVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for CranVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for CranVersion {}
