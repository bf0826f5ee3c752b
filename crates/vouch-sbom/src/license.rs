//! Declared licenses to SPDX expressions.
//!
//! Cargo manifests often use the pre-2018 `MIT/Apache-2.0` spelling or imprecise names
//! (`Apache 2.0`); the `spdx` crate's lax lexer knows those. Its canonical form is then parsed
//! again strictly, so what we call an expression is one every SPDX tool accepts.

use crate::License;

/// Normalises a declared license: a canonical SPDX expression where possible, else the text
/// as given. Blank input gives `None`.
pub fn normalise(declared: &str) -> Option<License> {
    let declared = declared.trim();
    if declared.is_empty() {
        return None;
    }
    let canonical = match ::spdx::Expression::canonicalize(declared) {
        Ok(Some(c)) => c,
        Ok(None) => declared.to_owned(),
        Err(_) => return Some(License::Name(declared.to_owned())),
    };
    match ::spdx::Expression::parse(&canonical) {
        Ok(_) => Some(License::Expression(canonical)),
        Err(_) => Some(License::Name(declared.to_owned())),
    }
}

/// Whether `s` is a strict SPDX expression (used when decoding).
pub fn is_expression(s: &str) -> bool {
    ::spdx::Expression::parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_spellings_become_canonical_expressions() {
        for (input, want) in [
            ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("Apache-2.0 / MIT", "Apache-2.0 OR MIT"),
            ("Unlicense/MIT", "Unlicense OR MIT"),
            (
                "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
                "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
            ),
            ("mit", "MIT"),
        ] {
            assert_eq!(
                normalise(input),
                Some(License::Expression(want.to_owned())),
                "{input}"
            );
        }
    }

    #[test]
    fn free_text_is_kept_as_a_name() {
        assert_eq!(
            normalise("Proprietary, see LICENSE"),
            Some(License::Name("Proprietary, see LICENSE".to_owned()))
        );
        assert_eq!(normalise("  "), None);
    }
}
