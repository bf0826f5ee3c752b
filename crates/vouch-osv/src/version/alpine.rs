//! Alpine `apk` versions: `number{.number}[letter]{_suffix[number]}[~hash][-r<build>]`.
//!
//! Suffixes order `alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`. Number
//! components after the first with a leading zero compare as strings, as apk does. Input
//! apk would reject is still ordered (the OSV Alpine data contains such versions): whatever
//! does not parse is kept as a remainder that sorts below a clean end, and two versions that
//! both fail to parse compare as strings.

use std::cmp::Ordering;

use super::digits::cmp_digits;

#[derive(Debug, Clone)]
pub(crate) struct ApkVersion {
    original: String,
    invalid: bool,
    numbers: Vec<String>,
    letter: Option<u8>,
    suffixes: Vec<(u8, String)>,
    build: String,
    remainder: String,
}

const SUFFIXES: [&str; 10] = [
    "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p",
];

/// Weight of a missing suffix slot (kept as osv.dev orders it).
const NO_SUFFIX: u8 = 5;

/// Finds `_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)` starting at byte `at`.
fn suffix_at(s: &str, at: usize) -> Option<(u8, String, usize)> {
    let rest = s.get(at..)?.strip_prefix('_')?;
    // Longest names first so `pre` is not read as `p`.
    for name in ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"] {
        if let Some(after) = rest.strip_prefix(name) {
            let digits: String = after
                .bytes()
                .take_while(u8::is_ascii_digit)
                .map(char::from)
                .collect();
            let len = 1 + name.len() + digits.len();
            let weight = SUFFIXES.iter().position(|s| *s == name).unwrap_or(9) as u8;
            return Some((weight, digits, len));
        }
    }
    None
}

impl ApkVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let original = s.to_owned();
        let b = s.as_bytes();
        // Number components: `^((\d+)\.?)*`.
        let mut i = 0;
        let mut numbers = Vec::new();
        loop {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                break;
            }
            numbers.push(s[start..i].to_owned());
            if i < b.len() && b[i] == b'.' {
                i += 1;
            } else {
                break;
            }
        }
        let mut rest = &s[i..];
        let letter = match rest.as_bytes().first() {
            Some(c) if c.is_ascii_lowercase() => {
                rest = &rest[1..];
                Some(*c)
            }
            _ => None,
        };
        // Suffixes: every `_suffix` occurrence counts; consecutive ones at the front are consumed.
        let mut suffixes = Vec::new();
        let mut consumed_to_front = true;
        let mut pos = 0;
        let mut cut = 0;
        while pos < rest.len() {
            if let Some((w, n, len)) = suffix_at(rest, pos) {
                suffixes.push((w, n));
                if consumed_to_front && pos == cut {
                    cut = pos + len;
                } else {
                    consumed_to_front = false;
                }
                pos += len;
            } else {
                if pos == cut {
                    consumed_to_front = false;
                }
                pos += rest[pos..].chars().next().map_or(1, char::len_utf8);
            }
        }
        rest = &rest[cut..];
        // Hash: `^~[0-9a-f]+`.
        if let Some(h) = rest.strip_prefix('~') {
            let n = h
                .bytes()
                .take_while(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
                .count();
            if n > 0 {
                rest = &h[n..];
            }
        }
        let mut build = "0".to_owned();
        let mut invalid = false;
        if !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("-r") {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if n > 0 {
                    r[..n].clone_into(&mut build);
                }
                rest = &r[n..];
            } else {
                invalid = true;
            }
        }
        Self {
            original,
            invalid,
            numbers,
            letter,
            suffixes,
            build,
            remainder: rest.to_owned(),
        }
    }
}

impl ApkVersion {
    pub(crate) fn is_invalid(&self) -> bool {
        self.invalid || self.numbers.is_empty()
    }
}

fn cmp_number(i: usize, a: &str, b: &str) -> Ordering {
    if i != 0 && (a.starts_with('0') || b.starts_with('0')) {
        return a.cmp(b);
    }
    cmp_digits(a, b)
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.invalid && other.invalid {
            return self.original.cmp(&other.original);
        }
        let n = self.numbers.len().max(other.numbers.len());
        for i in 0..n {
            let a = self.numbers.get(i).map_or("0", String::as_str);
            let b = other.numbers.get(i).map_or("0", String::as_str);
            let o = cmp_number(i, a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = match (self.letter, other.letter) {
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (a, b) => a.cmp(&b),
        };
        if o != Ordering::Equal {
            return o;
        }
        let n = self.suffixes.len().max(other.suffixes.len());
        let none = (NO_SUFFIX, String::new());
        for i in 0..n {
            let a = self.suffixes.get(i).unwrap_or(&none);
            let b = other.suffixes.get(i).unwrap_or(&none);
            let o = a.0.cmp(&b.0).then_with(|| cmp_digits(&a.1, &b.1));
            if o != Ordering::Equal {
                return o;
            }
        }
        let o = cmp_digits(&self.build, &other.build);
        if o != Ordering::Equal {
            return o;
        }
        match (self.remainder.is_empty(), other.remainder.is_empty()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => Ordering::Equal,
        }
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}
