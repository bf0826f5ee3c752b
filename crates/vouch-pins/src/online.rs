//! Online checks of pinned actions: does the `# vX.Y.Z` comment beside a commit id name a tag
//! that points at that commit?
//!
//! A comment that names another commit's tag misleads reviewers and update bots alike
//! (`version-comment-mismatch`); a comment naming no tag at all is `unknown-version-comment`.
//! Free-text comments and missing comments are left alone.
//!
//! A pinned commit must also exist (`unknown-commit`: a made-up or garbage-collected id) and
//! belong to the repository itself: GitHub serves commits of any fork through the parent's
//! name, so a commit that is neither on the default branch nor tagged is an
//! `impostor-commit` (the zizmor audit of that name).

use crate::{Code, Finding, PinState, Reference, ReferenceKind};

/// What the online checks ask a forge (the GitHub API).
pub trait TagLookup {
    /// The commit a tag points at; `Ok(None)` when the repository has no such tag.
    fn tag_commit(&self, repo: &str, tag: &str) -> Result<Option<String>, String>;
    /// Whether the repository (or its fork network, as GitHub answers) knows the commit.
    fn commit_exists(&self, repo: &str, sha: &str) -> Result<bool, String>;
    /// Whether the commit is on the default branch or is the commit of one of the tags.
    fn commit_reachable(&self, repo: &str, sha: &str) -> Result<bool, String>;
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

/// Checks the commits and version comments of pinned actions; returns findings, or the first
/// lookup error (the caller reports "could not verify").
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
        let Some(digest) = r.digest.as_deref() else {
            continue;
        };
        let name = r.reference.split('@').next().unwrap_or_default();
        let repo: Vec<&str> = name.splitn(3, '/').take(2).collect();
        if repo.len() != 2 {
            continue;
        }
        let repo = repo.join("/");
        let sha = digest.strip_prefix("sha1:").unwrap_or(digest);
        if !tags.commit_exists(&repo, sha)? {
            out.push(
                Finding::new(
                    Code::UnknownCommit,
                    &r.file,
                    Some(r.line),
                    format!("`{repo}` has no commit {sha}"),
                )
                .subject(&r.reference),
            );
            continue;
        }
        let comment_tag = r.comment.as_deref().and_then(version_word);
        let mut tag_matches = false;
        if let Some(tag) = comment_tag {
            tag_matches = check_comment(r, name, &repo, sha, tag, tags, &mut out)?;
        }
        if !tag_matches && !tags.commit_reachable(&repo, sha)? {
            out.push(
                Finding::new(
                    Code::ImpostorCommit,
                    &r.file,
                    Some(r.line),
                    format!(
                        "{sha} is neither on the default branch of `{repo}` nor tagged there: \
                         it may come from a fork"
                    ),
                )
                .subject(&r.reference),
            );
        }
    }
    Ok(out)
}

/// Checks one version comment; returns whether its tag is the pinned commit.
fn check_comment(
    r: &Reference,
    name: &str,
    repo: &str,
    sha: &str,
    tag: &str,
    tags: &dyn TagLookup,
    out: &mut Vec<Finding>,
) -> Result<bool, String> {
    let mut found = tags.tag_commit(repo, tag)?;
    if found.is_none() && !tag.starts_with(['v', 'V']) {
        found = tags.tag_commit(repo, &format!("v{tag}"))?;
    }
    match found {
        Some(c) if c.eq_ignore_ascii_case(sha) => return Ok(true),
        Some(c) => out.push(
            Finding::new(
                Code::VersionCommentMismatch,
                &r.file,
                Some(r.line),
                format!("`{name}` is pinned to {sha}, but its comment `{tag}` is the tag of {c}"),
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
    Ok(false)
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
