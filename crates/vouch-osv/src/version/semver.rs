//! SemVer 2.0 precedence with the leniency OSV data needs: an optional `v` prefix (Go),
//! missing minor/patch components count as zero, and components beyond the third are
//! treated as build metadata.

use std::cmp::Ordering;

use super::digits::{cmp_digits, split_digits};

#[derive(Debug, Clone)]
pub(crate) struct SemVer {
    core: [String; 3],
    pre: Vec<Ident>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ident {
    Num(String),
    Alpha(String),
}

impl Ord for Ident {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Num(a), Self::Num(b)) => cmp_digits(a, b),
            (Self::Num(_), Self::Alpha(_)) => Ordering::Less,
            (Self::Alpha(_), Self::Num(_)) => Ordering::Greater,
            (Self::Alpha(a), Self::Alpha(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(crate) fn parse_idents(s: &str) -> Vec<Ident> {
    s.split('.')
        .map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                Ident::Num(p.to_owned())
            } else {
                Ident::Alpha(p.to_owned())
            }
        })
        .collect()
}

impl SemVer {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let (main, _build) = match s.split_once('+') {
            Some((m, b)) => (m, Some(b)),
            None => (s, None),
        };
        let mut core: [String; 3] = Default::default();
        let mut rest = main;
        for (i, slot) in core.iter_mut().enumerate() {
            let (digits, after) = split_digits(rest);
            if digits.is_empty() {
                return None;
            }
            digits.clone_into(slot);
            rest = after;
            if i < 2 {
                match rest.strip_prefix('.') {
                    Some(r) => rest = r,
                    None => break,
                }
            }
        }
        let pre = if rest.is_empty() {
            Vec::new()
        } else if let Some(p) = rest.strip_prefix('-') {
            parse_idents(p)
        } else if rest.starts_with('.') {
            // Extra numeric components: build metadata as far as precedence goes.
            Vec::new()
        } else {
            return None;
        };
        for c in &mut core {
            if c.is_empty() {
                "0".clone_into(c);
            }
        }
        Some(Self { core, pre })
    }
}

/// SemVer precedence over numeric parts and pre-release identifiers: parts numerically, then
/// a release above any of its pre-releases, then identifiers in order. NuGet uses it too.
pub(crate) fn cmp_release(
    a: &[String],
    a_pre: &[Ident],
    b: &[String],
    b_pre: &[Ident],
) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    match (a_pre.is_empty(), b_pre.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a_pre.cmp(b_pre),
    }
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_release(&self.core, &self.pre, &other.core, &other.pre)
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVer {}
