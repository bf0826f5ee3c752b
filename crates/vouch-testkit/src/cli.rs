//! Running the `vouch` binary from end-to-end tests, and the small checks those tests share.
//!
//! The binary's path is the calling test's `env!("CARGO_BIN_EXE_vouch")` (only an integration
//! test of `vouch-cli` knows it). Every run starts from a clean environment for what vouch
//! reads: no colour, no password unless the test sets one, no `SOURCE_DATE_EPOCH`, no
//! `VOUCH_DB`, no GitHub Actions variables.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The GitHub Actions variables provenance reads.
const GITHUB_VARS: [&str; 6] = [
    "GITHUB_ACTIONS",
    "GITHUB_WORKFLOW_REF",
    "GITHUB_REPOSITORY",
    "GITHUB_RUN_ID",
    "GITHUB_SHA",
    "GITHUB_REF",
];

/// A `vouch` invocation being set up.
pub struct Vouch {
    cmd: Command,
}

impl Vouch {
    /// `vouch` at `bin`, in a clean environment.
    pub fn new(bin: &str) -> Self {
        let mut cmd = Command::new(bin);
        cmd.env("NO_COLOR", "1")
            .env_remove("VOUCH_PASSWORD")
            .env_remove("COSIGN_PASSWORD")
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("VOUCH_DB");
        for k in GITHUB_VARS {
            cmd.env_remove(k);
        }
        Self { cmd }
    }

    /// Runs in `dir`.
    pub fn dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    /// Sets one environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Sets each `(key, value)`.
    pub fn envs(mut self, vars: &[(&str, &str)]) -> Self {
        for (k, v) in vars {
            self.cmd.env(k, v);
        }
        self
    }

    /// Runs with `args`; the raw output.
    ///
    /// # Panics
    /// When the binary cannot be started.
    pub fn output(mut self, args: &[&str]) -> Output {
        self.cmd.args(args).output().expect("run vouch")
    }

    /// Runs with `args`: exit code (-1 when killed by a signal), stdout, stderr.
    pub fn run(self, args: &[&str]) -> (i32, String, String) {
        let out = self.output(args);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A cosign key file in `../shared/vectors/sigstore/cosign-keys`.
pub fn cosign_key(name: &str) -> PathBuf {
    crate::shared_path(&format!("vectors/sigstore/cosign-keys/{name}"))
}

/// A file below `../shared/vectors/sigstore`.
pub fn sigstore_vector(rel: &str) -> PathBuf {
    crate::shared_path(&format!("vectors/sigstore/{rel}"))
}

/// A path as `&str` (test paths are UTF-8).
///
/// # Panics
/// When the path is not UTF-8.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// Writes `text` to `dir/name` (creating parent directories); returns the path.
///
/// # Panics
/// When the file cannot be written.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("create the parent directory");
    }
    std::fs::write(&p, text).expect("write the test file");
    p
}

/// Asserts that `stderr` is one error line naming `needle`, followed by nothing but `hint:`
/// lines. With `skip_warnings`, `warning:` lines anywhere are ignored.
///
/// # Panics
/// When it is not.
pub fn assert_one_line_error(stderr: &str, needle: &str, skip_warnings: bool) {
    let mut lines = stderr
        .lines()
        .filter(|l| !(skip_warnings && l.starts_with("warning: ")));
    let first = lines.next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains(needle),
        "{stderr}"
    );
    for l in lines {
        assert!(
            l.starts_with("hint: "),
            "more than one error line: {stderr}"
        );
    }
}
