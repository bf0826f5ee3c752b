//! The GitHub REST client `fix` uses to turn an action's tag into a commit id.
//!
//! Two endpoints of the git database API: `GET /repos/{owner}/{repo}/git/ref/tags/{tag}`
//! (falling back to `…/git/ref/heads/{branch}`) and, for annotated tags, `GET
//! /repos/{owner}/{repo}/git/tags/{sha}` until the object is a commit. Plain `http://` is
//! accepted only for loopback addresses (tests); `GITHUB_TOKEN` is sent when set.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::fix::ActionResolver;

/// Why a GitHub client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("`{0}` is not an https URL (plain http is only allowed to loopback addresses)")]
    Insecure(String),
    #[error("failed to set up the GitHub client: {0}")]
    Setup(String),
}

/// A GitHub REST API client for git refs.
pub struct GitHub {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
    cache: Mutex<HashMap<(String, String), Result<String, String>>>,
}

#[derive(Deserialize)]
struct GitObject {
    #[serde(rename = "type")]
    kind: String,
    sha: String,
}

#[derive(Deserialize)]
struct RefOrTag {
    object: GitObject,
}

fn loopback(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap_or_default();
    let host = rest.split('/').next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

impl GitHub {
    /// A client for the API at `base` (`https://api.github.com`), with an optional token.
    pub fn new(base: &str, token: Option<String>) -> Result<Self, GitHubError> {
        let base = base.trim_end_matches('/').to_owned();
        if !base.starts_with("https://") && !loopback(&base) {
            return Err(GitHubError::Insecure(base));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("vouch/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GitHubError::Setup(e.to_string()))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| GitHubError::Setup(e.to_string()))?;
        Ok(Self {
            base,
            token: token.filter(|t| !t.is_empty()),
            http,
            rt,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// `Ok(None)` on 404.
    fn get(&self, path: &str) -> Result<Option<RefOrTag>, String> {
        match self.get_json(path)? {
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| format!("GET {}{path}: unexpected answer: {e}", self.base)),
            None => Ok(None),
        }
    }

    /// Any JSON answer; `Ok(None)` on 404 and 422 (GitHub's "no commit found").
    fn get_json(&self, path: &str) -> Result<Option<serde_json::Value>, String> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .get(&url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        self.rt.block_on(async {
            let resp = req.send().await.map_err(|e| format!("GET {url}: {e}"))?;
            let status = resp.status();
            if status == reqwest::StatusCode::NOT_FOUND
                || status == reqwest::StatusCode::UNPROCESSABLE_ENTITY
            {
                return Ok(None);
            }
            if !status.is_success() {
                return Err(format!("GET {url}: HTTP {status}"));
            }
            let body = resp.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
            serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| format!("GET {url}: unexpected answer: {e}"))
        })
    }

    fn lookup(&self, repo: &str, git_ref: &str) -> Result<String, String> {
        let obj = match self.get(&format!("/repos/{repo}/git/ref/tags/{git_ref}"))? {
            Some(r) => r.object,
            None => match self.get(&format!("/repos/{repo}/git/ref/heads/{git_ref}"))? {
                Some(r) => r.object,
                None => return Err(format!("`{repo}` has no tag or branch `{git_ref}`")),
            },
        };
        self.peel(repo, git_ref, obj)
    }

    /// The commit a tag points at (annotated tags followed), `None` when there is no such tag.
    pub fn tag_commit(&self, repo: &str, tag: &str) -> Result<Option<String>, String> {
        match self.get(&format!("/repos/{repo}/git/ref/tags/{tag}"))? {
            Some(r) => self.peel(repo, tag, r.object).map(Some),
            None => Ok(None),
        }
    }

    fn peel(&self, repo: &str, git_ref: &str, mut obj: GitObject) -> Result<String, String> {
        // Annotated tags point at tag objects (possibly at other tags); follow to the commit.
        for _ in 0..8 {
            match obj.kind.as_str() {
                "commit" if crate::is_commit_sha(&obj.sha) => {
                    return Ok(obj.sha.to_ascii_lowercase());
                }
                "tag" => {
                    obj = self
                        .get(&format!("/repos/{repo}/git/tags/{}", obj.sha))?
                        .ok_or_else(|| format!("tag object {} of `{repo}` not found", obj.sha))?
                        .object;
                }
                other => {
                    return Err(format!(
                        "`{repo}@{git_ref}` points at a {other} object, not a commit"
                    ))
                }
            }
        }
        Err(format!("`{repo}@{git_ref}`: too many nested tags"))
    }
}

impl crate::online::TagLookup for GitHub {
    fn tag_commit(&self, repo: &str, tag: &str) -> Result<Option<String>, String> {
        GitHub::tag_commit(self, repo, tag)
    }

    fn commit_exists(&self, repo: &str, sha: &str) -> Result<bool, String> {
        Ok(self
            .get_json(&format!("/repos/{repo}/commits/{sha}"))?
            .is_some())
    }

    fn commit_reachable(&self, repo: &str, sha: &str) -> Result<bool, String> {
        let info = self
            .get_json(&format!("/repos/{repo}"))?
            .ok_or_else(|| format!("repository `{repo}` not found"))?;
        if let Some(branch) = info.get("default_branch").and_then(|b| b.as_str()) {
            let cmp = self.get_json(&format!("/repos/{repo}/compare/{branch}...{sha}"))?;
            let status = cmp
                .as_ref()
                .and_then(|c| c.get("status"))
                .and_then(|s| s.as_str());
            if matches!(status, Some("behind" | "identical")) {
                return Ok(true);
            }
        }
        let tags = self
            .get_json(&format!("/repos/{repo}/tags?per_page=100"))?
            .unwrap_or_default();
        Ok(tags.as_array().is_some_and(|a| {
            a.iter().any(|t| {
                t.pointer("/commit/sha")
                    .and_then(|s| s.as_str())
                    .is_some_and(|s| s.eq_ignore_ascii_case(sha))
            })
        }))
    }
}

impl ActionResolver for GitHub {
    fn resolve(&self, repo: &str, git_ref: &str) -> Result<String, String> {
        let key = (repo.to_owned(), git_ref.to_owned());
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let r = self.lookup(repo, git_ref);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, r.clone());
        }
        r
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_loopback_may_be_plain_http() {
        assert!(super::GitHub::new("http://127.0.0.1:8080", None).is_ok());
        assert!(super::GitHub::new("http://api.github.example", None).is_err());
        assert!(super::GitHub::new("https://api.github.com/", None).is_ok());
    }
}
