//! RubyGems versions as `Gem::Version` orders them: segments of digits or letters, `-`
//! meaning `.pre.`, trailing zero segments dropped before and after the first letter segment,
//! and a letter segment sorting before any number (so `1.0.a < 1.0`).

use std::cmp::Ordering;

use super::digits::cmp_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(String),
    Str(String),
}

#[derive(Debug, Clone)]
pub(crate) struct GemVersion {
    canonical: Vec<Seg>,
}

fn is_zero(s: &Seg) -> bool {
    matches!(s, Seg::Num(n) if n.bytes().all(|b| b == b'0'))
}

impl GemVersion {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = if s.is_empty() { "0" } else { s };
        // `Gem::Version::ANCHORED_VERSION_PATTERN`
        let (main, pre) = match s.split_once('-') {
            Some((m, p)) => (m, Some(p)),
            None => (s, None),
        };
        let mut main_parts = main.split('.');
        let first = main_parts.next()?;
        // Gem::Version itself wants a number first; OSV data also has `1beta`-style strings,
        // which order the same way once split into segments.
        if !first.starts_with(|c: char| c.is_ascii_digit())
            || !first.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return None;
        }
        if !main_parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return None;
        }
        if let Some(pre) = pre {
            if !pre
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            {
                return None;
            }
        }
        let text = s.replace('-', ".pre.");
        let mut segs = Vec::new();
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            if b[i].is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                segs.push(Seg::Num(text[start..i].to_owned()));
            } else if b[i].is_ascii_alphabetic() {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segs.push(Seg::Str(text[start..i].to_owned()));
            } else {
                i += 1;
            }
        }
        let split = segs
            .iter()
            .position(|s| matches!(s, Seg::Str(_)))
            .unwrap_or(segs.len());
        let mut strings = segs.split_off(split);
        while segs.last().is_some_and(is_zero) {
            segs.pop();
        }
        while strings.last().is_some_and(is_zero) {
            strings.pop();
        }
        segs.extend(strings);
        Some(Self { canonical: segs })
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num("0".to_owned());
        let n = self.canonical.len().max(other.canonical.len());
        for i in 0..n {
            let a = self.canonical.get(i).unwrap_or(&zero);
            let b = other.canonical.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Seg::Num(x), Seg::Num(y)) => cmp_digits(x, y),
                (Seg::Str(x), Seg::Str(y)) => x.cmp(y),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}
