//! Test support for vouch's suites (a dev-dependency only).
//!
//! Tests read real third-party data from `../shared` beside the repository and use real
//! external tools (a registry, skopeo, Node and Python verifiers). Under CI (`CI` set) a
//! missing tool or data folder fails the test loudly; on a developer machine the test says
//! what is missing and returns early, so `cargo test` stays usable before `.ci/run` has
//! installed everything.
#![allow(clippy::print_stderr)]

pub mod cli;
pub mod registry;
pub mod sigstore_mock;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("crates/vouch-testkit sits two levels below the root")
        .to_path_buf()
}

/// `../shared` beside the repository, or `VOUCH_SHARED` when set.
///
/// # Panics
/// When the folder does not exist: every suite needs it, locally and in CI.
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("VOUCH_SHARED")
        .map_or_else(|| repo_root().join("../shared"), PathBuf::from);
    assert!(
        dir.is_dir(),
        "test data folder `{}` is missing: clone the shared data beside the repository",
        dir.display()
    );
    dir
}

/// A path below `../shared`.
pub fn shared_path(rel: &str) -> PathBuf {
    shared().join(rel)
}

pub(crate) fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Whether `program` can be run (found on `PATH`, answering `--version` or `version`).
pub fn have_tool(program: &str) -> bool {
    which(program).is_some()
}

/// Looks `program` up on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Returns `true` when `program` is available. Otherwise fails under CI, and on a developer
/// machine prints why the test is skipped and returns `false`.
///
/// # Panics
/// Under CI, when the tool is missing.
pub fn require_tool(program: &str) -> bool {
    if have_tool(program) {
        return true;
    }
    assert!(
        !in_ci(),
        "`{program}` is required by this test and `.ci/run` should have installed it"
    );
    eprintln!("skipping: `{program}` is not installed (run .ci/run to install test tools)");
    false
}

/// Returns `true` when `python3` can import `module` (installed by `.ci/run` from
/// `tests/verifiers/requirements.txt`). Otherwise fails under CI, and on a developer machine
/// prints why the test is skipped and returns `false`.
///
/// # Panics
/// Under CI, when the module is missing.
pub fn require_python_module(module: &str) -> bool {
    if !require_tool("python3") {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    assert!(
        !in_ci(),
        "python module `{module}` is required by this test and `.ci/run` should have installed it"
    );
    eprintln!(
        "skipping: python module `{module}` is not installed (run .ci/run to install test tools)"
    );
    false
}

/// Runs a command with `input` on its standard input; its stdout and stderr are captured.
///
/// # Panics
/// When the command cannot be started or its input not written.
pub fn run_with_input(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("failed to run {cmd:?}: {e}"));
    // Dropping stdin after writing closes it, so the command sees the end of its input.
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input)
        .unwrap_or_else(|e| panic!("failed to write the input of {cmd:?}: {e}"));
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("failed to wait for {cmd:?}: {e}"))
}

/// Runs a command and returns (status success, stdout, stderr).
pub fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("failed to run {cmd:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
