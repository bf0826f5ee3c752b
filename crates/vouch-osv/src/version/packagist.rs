//! Packagist (Composer) versions, ordered like PHP's `version_compare` after the
//! canonicalisation osv.dev applies: a leading `v` dropped, `-`, `_` and `+` read as `.`, and
//! a `.` between every digit/non-digit transition. Special words order
//! `dev < alpha = a < beta = b < RC = rc < (number) < pl = p`.

use std::cmp::Ordering;

use super::digits::cmp_digits;

#[derive(Debug, Clone)]
pub(crate) struct PhpVersion {
    parts: Vec<String>,
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl PhpVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let s = s.trim();
        let s = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        let mut out = String::with_capacity(s.len() + 4);
        let mut prev: Option<char> = None;
        for c in s.chars() {
            let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
            if let Some(p) = prev {
                let digit_to_word = p.is_ascii_digit() && c != '.' && !c.is_ascii_digit();
                let word_to_digit = p != '.' && !p.is_ascii_digit() && c.is_ascii_digit();
                if digit_to_word || word_to_digit {
                    out.push('.');
                }
            }
            out.push(c);
            prev = Some(c);
        }
        Self {
            parts: out.split('.').map(str::to_owned).collect(),
        }
    }
}

fn weight(s: &str) -> u8 {
    if s.starts_with("RC") {
        return 3;
    }
    for (i, w) in ["dev", "a", "b", "rc", "#", "p"].iter().enumerate() {
        if s.starts_with(w) {
            return i as u8;
        }
    }
    0
}

fn cmp_parts(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (is_num(x), is_num(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => weight(x).cmp(&weight(y)),
            (true, false) => weight("#").cmp(&weight(y)),
            (false, true) => weight(x).cmp(&weight("#")),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let hash = ["#".to_owned()];
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => {
            if is_num(&a[b.len()]) {
                Ordering::Greater
            } else {
                cmp_parts(&a[b.len()..], &hash)
            }
        }
        Ordering::Less => {
            if is_num(&b[a.len()]) {
                Ordering::Less
            } else {
                cmp_parts(&hash, &b[a.len()..])
            }
        }
    }
}

impl Ord for PhpVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}

impl PartialOrd for PhpVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PhpVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PhpVersion {}
