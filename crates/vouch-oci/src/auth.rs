//! Registry credentials from docker's `config.json`.
//!
//! The file docker, podman, skopeo and cosign share: `auths.<host>.auth` (base64 of
//! `user:password`), `username`/`password`, `identitytoken`, per-registry `credHelpers` and a
//! default `credsStore` (a `docker-credential-<name> get` program). The file is found at
//! `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; a missing file means anonymous.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use crate::error::OciError;

/// Credentials for one registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// A registry token sent as `Authorization: Bearer` directly.
    Bearer(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Anonymous => f.write_str("Anonymous"),
            Self::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
    #[serde(default)]
    registrytoken: Option<String>,
}

/// The docker configuration file's location: `$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json`.
pub fn default_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The credential for `registry` (a host as written in image references) from the docker
/// config at `path`. A missing file or entry means anonymous access.
pub fn lookup(path: &Path, registry: &str) -> Result<Credential, OciError> {
    lookup_with(path, registry, true)
}

/// A registry token (`auths.<host>.registrytoken`) to send before any challenge, read
/// without running credential helpers: anonymous registries never start a helper.
pub fn preemptive_token(path: &Path, registry: &str) -> Result<Option<String>, OciError> {
    Ok(match lookup_with(path, registry, false)? {
        Credential::Bearer(t) => Some(t),
        _ => None,
    })
}

fn lookup_with(path: &Path, registry: &str, helpers: bool) -> Result<Credential, OciError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Credential::Anonymous),
        Err(e) => return Err(cred_err(path, e)),
    };
    let config: ConfigFile = serde_json::from_slice(&text).map_err(|e| cred_err(path, e))?;
    let wanted = normalise_host(registry);
    if let Some(helper) = config
        .cred_helpers
        .iter()
        .find(|(k, _)| normalise_host(k) == wanted)
        .map(|(_, v)| v)
    {
        return if helpers {
            run_helper(path, helper, registry)
        } else {
            Ok(Credential::Anonymous)
        };
    }
    let entry = config
        .auths
        .iter()
        .find(|(k, _)| normalise_host(k) == wanted)
        .map(|(_, v)| v);
    if let Some(entry) = entry {
        if let Some(token) = &entry.registrytoken {
            return Ok(Credential::Bearer(token.clone()));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|e| cred_err(path, format!("`auths.{registry}.auth`: {e}")))?;
            let decoded = String::from_utf8(decoded)
                .map_err(|_| cred_err(path, format!("`auths.{registry}.auth` is not UTF-8")))?;
            let (user, pass) = decoded.split_once(':').ok_or_else(|| {
                cred_err(
                    path,
                    format!("`auths.{registry}.auth` is not `user:password`"),
                )
            })?;
            return Ok(Credential::Basic {
                username: user.to_owned(),
                password: pass.to_owned(),
            });
        }
        if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
            return Ok(Credential::Basic {
                username: u.clone(),
                password: p.clone(),
            });
        }
        if let Some(token) = &entry.identitytoken {
            // docker sends identity tokens as the password of the `<token>` user.
            return Ok(Credential::Basic {
                username: "<token>".to_owned(),
                password: token.clone(),
            });
        }
    }
    if let Some(store) = config.creds_store.as_ref().filter(|_| helpers) {
        return run_helper(path, store, registry);
    }
    Ok(Credential::Anonymous)
}

fn cred_err(path: &Path, reason: impl std::fmt::Display) -> OciError {
    OciError::Credentials {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// `https://index.docker.io/v1/` → `docker.io`; `ghcr.io/` → `ghcr.io`.
fn normalise_host(key: &str) -> String {
    let k = key
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = k.split('/').next().unwrap_or(k).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_owned()
        }
        _ => host,
    }
}

#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

fn run_helper(path: &Path, helper: &str, registry: &str) -> Result<Credential, OciError> {
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(cred_err(
            path,
            format!("invalid credential helper name `{helper}`"),
        ));
    }
    let program = format!("docker-credential-{helper}");
    let server = if normalise_host(registry) == "docker.io" {
        "https://index.docker.io/v1/"
    } else {
        registry
    };
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| cred_err(path, format!("failed to run `{program}`: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| cred_err(path, format!("failed to talk to `{program}`: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| cred_err(path, format!("failed to run `{program}`: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout);
        // "credentials not found in native keychain" is the helpers' way to say "none".
        if msg.contains("credentials not found") {
            return Ok(Credential::Anonymous);
        }
        return Err(cred_err(
            path,
            format!("`{program} get` failed: {}", msg.trim()),
        ));
    }
    let answer: HelperAnswer = serde_json::from_slice(&out.stdout)
        .map_err(|e| cred_err(path, format!("`{program} get` answered: {e}")))?;
    Ok(if answer.username == "<token>" {
        Credential::Basic {
            username: answer.username,
            password: answer.secret,
        }
    } else if answer.username.is_empty() && !answer.secret.is_empty() {
        Credential::Bearer(answer.secret)
    } else {
        Credential::Basic {
            username: answer.username,
            password: answer.secret,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, json: &str) -> PathBuf {
        let p = dir.join("config.json");
        std::fs::write(&p, json).unwrap();
        p
    }

    #[test]
    fn reads_auths_in_docker_spellings() {
        let dir = std::env::temp_dir().join(format!("vouch-oci-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // alice:s3cret
        let p = write(
            &dir,
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6czNjcmV0"},
                "ghcr.io":{"username":"bob","password":"pw"},
                "127.0.0.1:5000":{"registrytoken":"tok"}}}"#,
        );
        assert_eq!(
            lookup(&p, "docker.io").unwrap(),
            Credential::Basic {
                username: "alice".into(),
                password: "s3cret".into()
            }
        );
        assert_eq!(
            lookup(&p, "ghcr.io").unwrap(),
            Credential::Basic {
                username: "bob".into(),
                password: "pw".into()
            }
        );
        assert_eq!(
            lookup(&p, "127.0.0.1:5000").unwrap(),
            Credential::Bearer("tok".into())
        );
        assert_eq!(lookup(&p, "quay.io").unwrap(), Credential::Anonymous);
        assert_eq!(
            lookup(&dir.join("missing.json"), "quay.io").unwrap(),
            Credential::Anonymous
        );
        // Helpers run only when credentials are needed, never for the up-front token.
        let helper = write(
            &dir,
            r#"{"credsStore":"vouch-test-missing-helper","auths":{"r.io":{"registrytoken":"t"}}}"#,
        );
        assert_eq!(preemptive_token(&helper, "quay.io").unwrap(), None);
        assert_eq!(
            preemptive_token(&helper, "r.io").unwrap().as_deref(),
            Some("t")
        );
        let err = lookup(&helper, "quay.io").unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-vouch-test-missing-helper"),
            "{err}"
        );
        let bad = write(&dir, r#"{"auths":{"quay.io":{"auth":"bm9jb2xvbg=="}}}"#);
        let err = lookup(&bad, "quay.io").unwrap_err().to_string();
        assert!(err.contains("not `user:password`"), "{err}");
        assert!(!format!(
            "{:?}",
            Credential::Basic {
                username: "u".into(),
                password: "hunter2".into()
            }
        )
        .contains("hunter2"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
