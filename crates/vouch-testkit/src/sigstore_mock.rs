//! Loopback Sigstore services (Fulcio with a CT log, Rekor v1, Rekor v2, a timestamp
//! authority) made of sigstore-js's `@sigstore/mock`, served by
//! `tests/verifiers/sigstore-mock-server.js` with the fixed keys in
//! `crates/vouch-sigstore/tests/fixtures/mock-keys`. The server writes a trusted root and
//! signing configs for its services into a temporary directory, and exits with the test.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::repo_root;

/// Running mock services; killed on drop.
pub struct MockSigstore {
    child: Child,
    dir: PathBuf,
    pub fulcio: String,
    pub rekor: String,
    pub rekor2: String,
    pub tsa: String,
}

impl MockSigstore {
    /// Starts the services, or returns `None` on a developer machine without Node or
    /// `tests/verifiers/node_modules` (under CI that is a failure).
    ///
    /// # Panics
    /// When the server does not start, or (under CI) when its tools are missing.
    pub fn start() -> Option<Self> {
        if !crate::require_tool("node") {
            return None;
        }
        let verifiers = repo_root().join("tests/verifiers");
        if !verifiers.join("node_modules/@sigstore/mock").is_dir() {
            assert!(
                !crate::in_ci(),
                "tests/verifiers/node_modules/@sigstore/mock is missing: .ci/run runs `npm ci` there"
            );
            eprintln!("skipping: tests/verifiers/node_modules is missing (run `npm ci` there)");
            return None;
        }
        let dir = std::env::temp_dir().join(format!(
            "vouch-sigstore-mock-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut child = Command::new("node")
            .arg(verifiers.join("sigstore-mock-server.js"))
            .arg(repo_root().join("crates/vouch-sigstore/tests/fixtures/mock-keys"))
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("failed to start node");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("reading the mock server's first line");
        let urls: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("the mock Sigstore server did not start ({e}): {line:?}")
        });
        let url = |k: &str| urls[k].as_str().expect("a URL").to_owned();
        Some(Self {
            fulcio: url("fulcio"),
            rekor: url("rekor"),
            rekor2: url("rekor2"),
            tsa: url("tsa"),
            child,
            dir,
        })
    }

    /// The directory holding `trusted_root.json` and the signing configs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The trusted root of these services.
    pub fn trusted_root(&self) -> PathBuf {
        self.dir.join("trusted_root.json")
    }

    /// Signing config: Fulcio + Rekor v1, no timestamp authority.
    pub fn signing_config(&self) -> PathBuf {
        self.dir.join("signing_config.json")
    }

    /// Signing config: Fulcio + Rekor v1 + the timestamp authority.
    pub fn signing_config_tsa(&self) -> PathBuf {
        self.dir.join("signing_config.tsa.json")
    }

    /// Signing config: Fulcio + Rekor v2 + the timestamp authority.
    pub fn signing_config_rekor2(&self) -> PathBuf {
        self.dir.join("signing_config.rekor2.json")
    }

    /// An unsigned JWT with these claims (the mock Fulcio reads claims without checking the
    /// token's signature, like any test double of an OIDC provider would need to).
    pub fn token(subject: &str, issuer: &str) -> String {
        use base64::Engine as _;
        let e = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        format!(
            "{}.{}.c2ln",
            e(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
            e(serde_json::json!({"iss": issuer, "sub": subject, "aud": "sigstore"}))
        )
    }
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Drop for MockSigstore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
