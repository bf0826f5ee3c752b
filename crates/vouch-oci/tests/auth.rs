//! Basic and bearer-token authentication with docker `config.json` credentials, against a
//! small fake registry on a loopback port (Debian's docker-registry needs an htpasswd file or
//! a token server to demand credentials).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use sha2::Digest as _;
use vouch_core::ImageRef;
use vouch_oci::{OciError, Registry, RegistryOptions};

const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#;
const TOKEN: &str = "tok-123";

#[derive(Clone, Copy, PartialEq)]
enum Scheme {
    Basic,
    Bearer,
}

struct Fake {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

fn basic(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

fn respond(mut s: TcpStream, status: &str, headers: &[(String, String)], body: &str) {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    let _ = s.write_all(out.as_bytes());
}

fn start(scheme: Scheme) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let mut buf = Vec::new();
            let mut tmp = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut tmp) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&tmp[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).into_owned();
            let line = head.lines().next().unwrap_or_default().to_owned();
            let auth = head
                .lines()
                .find_map(|l| {
                    l.split_once(':')
                        .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_default();
            log.lock().unwrap().push(line.clone());
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            let good_basic = basic("alice", "s3cret");
            if path.starts_with("/token") {
                if auth == good_basic && path.contains("scope=repository%3Aapp%3Apull") {
                    respond(s, "200 OK", &[], &format!(r#"{{"token":"{TOKEN}"}}"#));
                } else {
                    respond(s, "401 Unauthorized", &[], "{}");
                }
                continue;
            }
            let (ok, challenge) = match scheme {
                Scheme::Basic => (auth == good_basic, r#"Basic realm="fake""#.to_owned()),
                Scheme::Bearer => (
                    auth == format!("Bearer {TOKEN}"),
                    format!(
                        r#"Bearer realm="http://127.0.0.1:{port}/token",service="fake",scope="repository:app:pull""#
                    ),
                ),
            };
            if !ok {
                respond(
                    s,
                    "401 Unauthorized",
                    &[("WWW-Authenticate".to_owned(), challenge)],
                    r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
                );
                continue;
            }
            match path.as_str() {
                "/v2/" => respond(s, "200 OK", &[], "{}"),
                "/v2/app/manifests/v1" => {
                    let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(MANIFEST)));
                    respond(
                        s,
                        "200 OK",
                        &[
                            (
                                "Content-Type".to_owned(),
                                "application/vnd.oci.image.manifest.v1+json".to_owned(),
                            ),
                            ("Docker-Content-Digest".to_owned(), digest),
                        ],
                        MANIFEST,
                    );
                }
                _ => respond(s, "404 Not Found", &[], "{}"),
            }
        }
    });
    Fake { port, seen }
}

fn config(dir: &std::path::Path, port: u16, password: &str) -> PathBuf {
    let p = dir.join(format!("config-{port}-{password}.json"));
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("alice:{password}"));
    std::fs::write(
        &p,
        format!(r#"{{"auths":{{"127.0.0.1:{port}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
    p
}

fn registry(config: PathBuf) -> Registry {
    Registry::new(RegistryOptions {
        docker_config: Some(config),
        timeout: std::time::Duration::from_secs(5),
        ..RegistryOptions::default()
    })
    .unwrap()
}

fn expected_digest() -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(MANIFEST)))
}

#[test]
fn bearer_token_exchange_with_config_json_credentials() {
    let fake = start(Scheme::Bearer);
    let dir = std::env::temp_dir().join(format!("vouch-oci-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r: ImageRef = format!("127.0.0.1:{}/app:v1", fake.port).parse().unwrap();

    let reg = registry(config(&dir, fake.port, "s3cret"));
    let resolved = vouch_oci::block_on(reg.resolve(&r)).unwrap().unwrap();
    assert_eq!(resolved.digest.to_string(), expected_digest());
    // One request that counts; the 401, the `/v2/` ping and the token request do not.
    assert_eq!(reg.round_trips(), 1);
    assert!(reg.auth_round_trips() >= 2);
    let seen = fake.seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|l| l.starts_with("GET /token?")),
        "{seen:?}"
    );
    // The token is reused.
    vouch_oci::block_on(reg.resolve(&r)).unwrap().unwrap();
    assert_eq!(reg.round_trips(), 2);

    // A wrong password: the token service refuses, which is an authentication error.
    let reg = registry(config(&dir, fake.port, "wrong"));
    let err = vouch_oci::block_on(reg.resolve(&r)).unwrap().unwrap_err();
    assert!(matches!(err, OciError::Auth { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn basic_auth_with_config_json_credentials() {
    let fake = start(Scheme::Basic);
    let dir = std::env::temp_dir().join(format!("vouch-oci-basic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r: ImageRef = format!("127.0.0.1:{}/app:v1", fake.port).parse().unwrap();
    let reg = registry(config(&dir, fake.port, "s3cret"));
    let digest = vouch_oci::resolve(
        &r,
        &RegistryOptions {
            docker_config: Some(config(&dir, fake.port, "s3cret")),
            ..RegistryOptions::default()
        },
    )
    .unwrap();
    assert_eq!(digest.to_string(), expected_digest());
    vouch_oci::block_on(reg.resolve(&r)).unwrap().unwrap();
    assert_eq!(reg.round_trips(), 1);

    // No credentials for this registry: the 401 stands.
    let reg = registry(dir.join("missing.json"));
    let err = vouch_oci::block_on(reg.resolve(&r)).unwrap().unwrap_err();
    assert!(matches!(err, OciError::Auth { .. }), "{err}");
    let reg = registry(config(&dir, fake.port, "wrong"));
    let err = vouch_oci::block_on(reg.resolve(&r)).unwrap().unwrap_err();
    assert!(matches!(err, OciError::Auth { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
