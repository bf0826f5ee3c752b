//! Online checks of pinned actions: does the `# vX.Y.Z` comment beside a commit id name a tag
//! that points at that commit?
//!
//! A comment that names another commit's tag misleads reviewers and update bots alike
//! (`version-comment-mismatch`); a comment naming no tag at all is `unknown-version-comment`.
//! Free-text comments and missing comments are left alone.

use crate::{Code, Finding, PinState, Reference, ReferenceKind};

/// Looks a tag up: `Ok(None)` when the repository has no such tag.
pub trait TagLookup {
    fn tag_commit(&self, repo: &str, tag: &str) -> Result<Option<String>, String>;
}

/// Whether a comment's first word looks like a version (`v4`, `v4.2.2`, `2.7.0`, `v1.0.0-rc.1`).
pub fn version_word(comment: &str) -> Option<&str> {
    let w = comment.split_whitespace().next()?;
    let digits = w.strip_prefix(['v', 'V']).unwrap_or(w);
    let core = digits.split(['-', '+']).next().unwrap_or(digits);
    (!core.is_empty()
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
    .then_some(w)
}

/// Checks the version comments of pinned actions; returns findings, or the first lookup
/// error (the caller reports "could not verify").
pub fn check_version_comments(
    references: &[Reference],
    tags: &dyn TagLookup,
) -> Result<Vec<Finding>, String> {
    let mut out = Vec::new();
    for r in references {
        if !matches!(
            r.kind,
            ReferenceKind::Action | ReferenceKind::ReusableWorkflow
        ) || r.state != PinState::Pinned
        {
            continue;
        }
        let (Some(comment), Some(digest)) = (r.comment.as_deref(), r.digest.as_deref()) else {
            continue;
        };
        let Some(tag) = version_word(comment) else {
            continue;
        };
        let name = r.reference.split('@').next().unwrap_or_default();
        let repo: Vec<&str> = name.splitn(3, '/').take(2).collect();
        if repo.len() != 2 {
            continue;
        }
        let repo = repo.join("/");
        let sha = digest.strip_prefix("sha1:").unwrap_or(digest);
        let mut found = tags.tag_commit(&repo, tag)?;
        if found.is_none() && !tag.starts_with(['v', 'V']) {
            found = tags.tag_commit(&repo, &format!("v{tag}"))?;
        }
        match found {
            Some(c) if c.eq_ignore_ascii_case(sha) => {}
            Some(c) => out.push(
                Finding::new(
                    Code::VersionCommentMismatch,
                    &r.file,
                    Some(r.line),
                    format!(
                        "`{name}` is pinned to {sha}, but its comment `{tag}` is the tag of {c}"
                    ),
                )
                .subject(&r.reference),
            ),
            None => out.push(
                Finding::new(
                    Code::UnknownVersionComment,
                    &r.file,
                    Some(r.line),
                    format!("`{repo}` has no tag `{tag}`, named in the comment beside {sha}"),
                )
                .subject(&r.reference),
            ),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::version_word;

    #[test]
    fn version_words() {
        assert_eq!(version_word("v4.2.2"), Some("v4.2.2"));
        assert_eq!(version_word("2.7.0 pinned"), Some("2.7.0"));
        assert_eq!(version_word("v1.0.0-rc.1"), Some("v1.0.0-rc.1"));
        assert_eq!(version_word("some comment"), None);
        assert_eq!(version_word("v"), None);
    }
}
