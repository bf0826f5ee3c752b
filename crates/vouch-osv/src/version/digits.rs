//! Runs of ASCII digits, compared as unbounded integers: what most version schemes share.

use std::cmp::Ordering;

/// Compares two runs of ASCII digits as unbounded integers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Splits a leading run of ASCII digits off `s`.
pub(crate) fn split_digits(s: &str) -> (&str, &str) {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}
