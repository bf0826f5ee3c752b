//! OIDC identity tokens: where they come from, and the claims signing needs.
//!
//! Sources are tried in cosign's order: an explicit token (`--identity-token TOKEN`, or
//! `@FILE`), then `SIGSTORE_ID_TOKEN`, then GitHub Actions' own token service
//! (`ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, audience `sigstore`). The
//! token is a bearer credential: it is kept in zeroized memory, never logged, and its `Debug`
//! form prints only the claims. Its signature is not checked here: Fulcio checks it.

use std::path::PathBuf;

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::http::{Http, ServiceError};

/// The environment variable cosign reads a token from.
pub const SIGSTORE_ID_TOKEN: &str = "SIGSTORE_ID_TOKEN";
/// GitHub Actions' token service URL (set when the job has `id-token: write`).
pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// GitHub Actions' bearer credential for its token service.
pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// The audience Fulcio expects.
pub const AUDIENCE: &str = "sigstore";

/// An OIDC identity token with the claims Fulcio's proof of possession needs.
pub struct IdentityToken {
    raw: Zeroizing<String>,
    /// The `iss` claim.
    pub issuer: String,
    /// What the proof of possession signs: the `email` claim when present, else `sub`.
    pub subject: String,
    /// Where the token came from (`--identity-token`, `SIGSTORE_ID_TOKEN`, …), for messages.
    pub source: &'static str,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityToken")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why no usable identity token was found.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no identity token: tried {tried}; pass `--identity-token`, set `SIGSTORE_ID_TOKEN`, or in GitHub Actions grant `permissions: id-token: write` (pull requests from forks get no token)")]
    None { tried: String },
    #[error("identity token file `{}`: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("identity token from {source_name} is not a JWT: {why}")]
    Malformed {
        source_name: &'static str,
        why: String,
    },
    #[error("GitHub Actions token service: {0}")]
    Actions(#[source] ServiceError),
}

impl IdentityToken {
    /// Parses a JWT's claims (without checking its signature).
    pub fn parse(raw: &str, source: &'static str) -> Result<Self, TokenError> {
        let malformed = |why: &str| TokenError::Malformed {
            source_name: source,
            why: why.to_owned(),
        };
        let raw = raw.trim();
        let mut parts = raw.split('.');
        let (Some(_header), Some(payload), Some(_sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("expected three dot-separated parts"));
        };
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| malformed("the payload is not base64url"))?;
        let claims: serde_json::Value = serde_json::from_slice(&payload)
            .map_err(|_| malformed("the payload is not a JSON object"))?;
        let issuer = claims["iss"]
            .as_str()
            .ok_or_else(|| malformed("no `iss` claim"))?
            .to_owned();
        let subject = claims["email"]
            .as_str()
            .filter(|e| !e.is_empty())
            .or_else(|| claims["sub"].as_str())
            .ok_or_else(|| malformed("no `sub` or `email` claim"))?
            .to_owned();
        Ok(Self {
            raw: Zeroizing::new(raw.to_owned()),
            issuer,
            subject,
            source,
        })
    }

    /// The token itself, to send to Fulcio.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

/// Finds a token: `explicit` (a token, or `@FILE`), then the environment (read through `env`).
pub fn discover(
    explicit: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
) -> Result<IdentityToken, TokenError> {
    let mut tried = Vec::new();
    if let Some(given) = explicit {
        if let Some(path) = given.strip_prefix('@') {
            let path = PathBuf::from(path);
            let text = Zeroizing::new(
                std::fs::read_to_string(&path)
                    .map_err(|source| TokenError::File { path, source })?,
            );
            return IdentityToken::parse(&text, "--identity-token @FILE");
        }
        return IdentityToken::parse(given, "--identity-token");
    }
    tried.push("--identity-token");
    if let Some(t) = env(SIGSTORE_ID_TOKEN).filter(|t| !t.trim().is_empty()) {
        let t = Zeroizing::new(t);
        return IdentityToken::parse(&t, SIGSTORE_ID_TOKEN);
    }
    tried.push(SIGSTORE_ID_TOKEN);
    if let (Some(url), Some(bearer)) = (
        env(ACTIONS_ID_TOKEN_REQUEST_URL).filter(|v| !v.is_empty()),
        env(ACTIONS_ID_TOKEN_REQUEST_TOKEN).filter(|v| !v.is_empty()),
    ) {
        return actions_token(http, &url, &Zeroizing::new(bearer));
    }
    tried.push("GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN not set)");
    Err(TokenError::None {
        tried: tried.join(", "),
    })
}

/// Asks GitHub Actions' token service for a token with audience `sigstore`.
fn actions_token(http: &Http, url: &str, bearer: &str) -> Result<IdentityToken, TokenError> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}audience={AUDIENCE}");
    let body = http
        .get_bearer("GitHub Actions token service", &url, bearer)
        .map_err(TokenError::Actions)?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        TokenError::Actions(ServiceError::shape(
            "GitHub Actions token service",
            &url,
            "the answer is not JSON",
        ))
    })?;
    let token = Zeroizing::new(
        value["value"]
            .as_str()
            .ok_or_else(|| {
                TokenError::Actions(ServiceError::shape(
                    "GitHub Actions token service",
                    &url,
                    "the answer has no `value`",
                ))
            })?
            .to_owned(),
    );
    IdentityToken::parse(&token, "GitHub Actions")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", e(r#"{"alg":"RS256"}"#), e(claims))
    }

    #[test]
    fn email_wins_over_sub_and_debug_hides_the_token() {
        let raw = jwt(r#"{"iss":"https://accounts.example","sub":"123","email":"a@b.c"}"#);
        let t = IdentityToken::parse(&raw, "test").unwrap();
        assert_eq!(t.subject, "a@b.c");
        assert_eq!(t.issuer, "https://accounts.example");
        assert!(!format!("{t:?}").contains(&raw[..20]));
        let t = IdentityToken::parse(&jwt(r#"{"iss":"i","sub":"s"}"#), "test").unwrap();
        assert_eq!(t.subject, "s");
    }

    #[test]
    fn malformed_tokens_are_named() {
        for bad in ["abc", "a.b", "a.!!!.c", &jwt(r#"{"sub":"s"}"#), &jwt("[1]")] {
            let e = IdentityToken::parse(bad, "SIGSTORE_ID_TOKEN").unwrap_err();
            assert!(e.to_string().contains("SIGSTORE_ID_TOKEN"), "{e}");
        }
    }

    #[test]
    fn order_and_the_error_naming_what_was_tried() {
        let http = Http::new(std::time::Duration::from_secs(1)).unwrap();
        let tok = jwt(r#"{"iss":"i","sub":"from-env"}"#);
        let env = |k: &str| (k == SIGSTORE_ID_TOKEN).then(|| tok.clone());
        let explicit = jwt(r#"{"iss":"i","sub":"explicit"}"#);
        assert_eq!(
            discover(Some(&explicit), &env, &http).unwrap().subject,
            "explicit"
        );
        let t = discover(None, &env, &http).unwrap();
        assert_eq!(
            (t.subject.as_str(), t.source),
            ("from-env", SIGSTORE_ID_TOKEN)
        );
        let e = discover(None, &|_| None, &http).unwrap_err().to_string();
        for named in ["--identity-token", SIGSTORE_ID_TOKEN, "GitHub Actions"] {
            assert!(e.contains(named), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tok");
        std::fs::write(&file, format!("{explicit}\n")).unwrap();
        let t = discover(Some(&format!("@{}", file.display())), &|_| None, &http).unwrap();
        assert_eq!(t.subject, "explicit");
        let e = discover(Some("@/nonexistent/tok"), &|_| None, &http).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/tok"), "{e}");
    }
}
