//! Container image references: is this one pinned by a well-formed digest?

use crate::PinState;

/// How an image reference is pinned, and its digest when it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePin {
    pub state: PinState,
    /// `sha256:<hex>` when pinned.
    pub digest: Option<String>,
}

/// Whether `hex` is exactly `len` lowercase hex digits.
pub fn is_lower_hex(hex: &str, len: usize) -> bool {
    hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Classifies an image reference as written (after any substitution the caller did).
///
/// Pinned only with `@sha256:<64 lowercase hex>`; any other `@…` is malformed; `scratch` is no
/// image; `$…` and `${{ … }}` are run-time expressions.
pub fn classify(reference: &str) -> ImagePin {
    let r = reference.trim();
    if r.contains("${{") || r.contains('$') || r.contains("{{") {
        return ImagePin {
            state: PinState::Expression,
            digest: None,
        };
    }
    if r.eq_ignore_ascii_case("scratch") {
        return ImagePin {
            state: PinState::Scratch,
            digest: None,
        };
    }
    match r.rsplit_once('@') {
        Some((name, digest)) if !name.is_empty() && digest.contains(':') => {
            match digest.split_once(':') {
                Some(("sha256", hex)) if is_lower_hex(hex, 64) => ImagePin {
                    state: PinState::Pinned,
                    digest: Some(format!("sha256:{hex}")),
                },
                _ => ImagePin {
                    state: PinState::Malformed,
                    digest: None,
                },
            }
        }
        _ => ImagePin {
            state: PinState::Unpinned,
            digest: None,
        },
    }
}

/// The repository part of a reference: no tag, no digest (`ghcr.io/a/b:1@sha256:…` → `ghcr.io/a/b`).
pub fn repository(reference: &str) -> &str {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    // A `:` after the last `/` is a tag; one before it is a registry port.
    match no_digest.rfind(':') {
        Some(colon) if no_digest[colon..].find('/').is_none() => &no_digest[..colon],
        _ => no_digest,
    }
}

/// The tag of a reference, if it has one.
pub fn tag(reference: &str) -> Option<&str> {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let repo = repository(reference);
    no_digest
        .get(repo.len()..)
        .and_then(|t| t.strip_prefix(':'))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        let hex = "45b23dee08af5e43a7fea6c4cf9c25ccf269ee113168c19722f87876677c5cb2";
        assert_eq!(
            classify(&format!("python:3.7@sha256:{hex}")).state,
            PinState::Pinned
        );
        assert_eq!(classify("python:3.7@sha256:v2").state, PinState::Malformed);
        assert_eq!(
            classify(&format!("python@sha256:{}", &hex[1..])).state,
            PinState::Malformed
        );
        assert_eq!(classify("python:3.7").state, PinState::Unpinned);
        assert_eq!(classify("scratch").state, PinState::Scratch);
        assert_eq!(classify("${REG}/x").state, PinState::Expression);
        assert_eq!(repository("localhost:5000/a/b:1.0"), "localhost:5000/a/b");
        assert_eq!(repository("localhost:5000/a/b"), "localhost:5000/a/b");
        assert_eq!(tag("localhost:5000/a/b:1.0"), Some("1.0"));
        assert_eq!(tag("localhost:5000/a/b"), None);
    }
}
