//! Regression tests for writing results with `-o` and for input-kind mistakes.

use std::path::Path;
use std::process::Command;

fn vouch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
}

fn lockfile() -> std::path::PathBuf {
    vouch_testkit::shared_path("sbom-fixtures/rust/cargo-lock-basic/Cargo.lock")
}

fn stderr_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        // The fixture's own warning (a dangling dependency) is not what these tests judge.
        .filter(|l| !l.starts_with("warning:"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn output_into_a_missing_directory_is_one_line_without_temp_paths() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nodir/x.json");
    let out = vouch()
        .arg("sbom")
        .arg(lockfile())
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("does not exist"), "{lines:?}");
    assert!(!lines[0].contains(".vouch-"), "temp path leaked: {lines:?}");
    assert!(!target.exists());
}

#[test]
fn output_naming_a_directory_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = vouch()
        .arg("sbom")
        .arg(lockfile())
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("is a directory"), "{lines:?}");
    assert!(Path::new(dir.path()).is_dir());
}

#[test]
fn scanning_an_sbom_as_a_lockfile_hints_at_dash_dash_sbom() {
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("s1.json");
    let status = vouch()
        .arg("sbom")
        .arg(lockfile())
        .arg("-o")
        .arg(&sbom)
        .status()
        .unwrap();
    assert!(status.success());
    let out = vouch().arg("scan").arg(&sbom).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is an SBOM"), "{err}");
    assert!(err.contains("--sbom"), "{err}");
}
