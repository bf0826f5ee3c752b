//! One test per bug a user reported, named after the bug (issue 16, "What a new user tripped
//! over"), as ripgrep's `tests/regression.rs` does. Each runs the `vouch` binary end to end.

use std::io::Read as _;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

fn vouch() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vouch"));
    c.env("NO_COLOR", "1")
        .env_remove("VOUCH_PASSWORD")
        .env_remove("COSIGN_PASSWORD");
    c
}

fn run(args: &[&str], dir: Option<&Path>) -> Output {
    let mut c = vouch();
    c.args(args);
    if let Some(d) = dir {
        c.current_dir(d);
    }
    c.output().expect("run vouch")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn lockfile() -> String {
    vouch_testkit::shared_path("sbom-fixtures/rust/cargo-lock-basic/Cargo.lock")
        .display()
        .to_string()
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// `vouch pins --format json` on `path`: the exit code and the report.
fn pins_json(path: &Path) -> (Option<i32>, Value) {
    let o = run(
        &[
            "pins",
            "--no-lockfiles",
            "--format",
            "json",
            path.to_str().unwrap(),
        ],
        None,
    );
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (o.status.code(), v)
}

fn codes(report: &Value) -> Vec<(String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

const DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

// 0. `-o /dev/null` replaced the device node with a regular file (as root).

/// Runs `vouch sbom LOCK -o target` while another thread reads the FIFO `target`; returns what
/// was read.
fn sbom_into_fifo(fifo: &Path) -> Vec<u8> {
    let path = fifo.to_path_buf();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::fs::File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .expect("read the FIFO");
        buf
    });
    let status = vouch()
        .args(["sbom", &lockfile(), "-o"])
        .arg(fifo)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    let ft = std::fs::symlink_metadata(fifo).unwrap().file_type();
    assert!(ft.is_fifo(), "the FIFO was replaced: {ft:?}");
    // Should vouch not have opened the FIFO, the reader waits for a writer: give it one
    // (non-blocking: when the reader has finished already, there is none and this fails).
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        const O_NONBLOCK: i32 = 0o4000;
        drop(
            std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(O_NONBLOCK)
                .open(fifo),
        );
    }
    reader.join().unwrap()
}

#[test]
fn dev_null_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    // A FIFO is written through, not replaced.
    let fifo = dir.path().join("sbom.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let got = sbom_into_fifo(&fifo);
    let sbom: Value = serde_json::from_slice(&got).expect("the SBOM came through the FIFO");
    assert_eq!(sbom["bomFormat"], "CycloneDX");

    // `-o -` and `-o /dev/stdout` are standard output.
    for target in ["-", "/dev/stdout"] {
        let o = run(&["sbom", &lockfile(), "-o", target], None);
        assert!(o.status.success(), "{target}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["bomFormat"], "CycloneDX", "{target}");
    }

    // A character device (a null device of our own, made where we may make one).
    let me = std::fs::metadata(dir.path()).unwrap().uid();
    if me != 0 {
        eprintln!("not root: the mknod case is skipped");
        return;
    }
    let null = dir.path().join("null");
    assert!(Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .unwrap()
        .success());
    let before = std::fs::symlink_metadata(&null).unwrap();
    let o = run(&["sbom", &lockfile(), "-o", null.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = std::fs::symlink_metadata(&null).unwrap();
    assert!(
        after.file_type().is_char_device(),
        "{:?}",
        after.file_type()
    );
    assert_eq!((after.rdev(), after.ino()), (before.rdev(), before.ino()));
    // Nothing was left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".vouch-")), "{names:?}");
}

// 1. Every output was mode 0600 whatever the umask.

fn with_umask(umask: &str, args: &[&str], dir: &Path) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COSIGN_PASSWORD", "regression")
        .output()
        .unwrap()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn output_files_follow_the_umask_and_private_keys_stay_0600() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = with_umask("022", &["sbom", &lockfile(), "-o", "sbom.json"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&d.join("sbom.json")), 0o644);
    // Replacing it keeps following the umask.
    let o = with_umask("027", &["sbom", &lockfile(), "-o", "sbom.json"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&d.join("sbom.json")), 0o640);
    let o = with_umask(
        "022",
        &[
            "pins",
            "--no-lockfiles",
            "--format",
            "json",
            "-o",
            "pins.json",
            ".",
        ],
        d,
    );
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    assert_eq!(mode(&d.join("pins.json")), 0o644);
    // A key pair: the private key 0600 whatever the umask, the public key as the umask says.
    let o = with_umask("022", &["key", "generate", "--output-key-prefix", "k"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&d.join("k.key")), 0o600);
    assert_eq!(mode(&d.join("k.pub")), 0o644);
}

// 2. `vouch pins Cargo.lock` (a bare name, tracked) said `lockfile-untracked`.

#[test]
fn pins_bare_lockfile_name_is_tracked() {
    if !vouch_testkit::require_tool("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(lockfile(), d.join("Cargo.lock")).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(d)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "Cargo.lock"]);
    let mut reports = Vec::new();
    for spelled in ["Cargo.lock", "./Cargo.lock"] {
        let o = run(&["pins", "--format", "json", spelled], Some(d));
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{spelled}: {e}: {}", stderr(&o)));
        assert!(
            !codes(&v).iter().any(|(c, _)| c == "lockfile-untracked"),
            "{spelled}: {v}"
        );
        assert_eq!(v["lockfiles"][0]["tracked"], true, "{spelled}: {v}");
        assert_eq!(v["lockfiles"][0]["file"], "Cargo.lock", "{spelled}: {v}");
        reports.push((o.status.code(), v["findings"].clone()));
    }
    assert_eq!(reports[0], reports[1], "both spellings give one verdict");
    // Untracked, it is said to be (the check still works).
    git(&["rm", "-q", "--cached", "Cargo.lock"]);
    let o = run(&["pins", "--format", "json", "Cargo.lock"], Some(d));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        codes(&v).iter().any(|(c, _)| c == "lockfile-untracked"),
        "{v}"
    );
}

// 6. `vouch pins fix --dry-run .` flagged `COPY --from=build`, a build stage.

#[test]
fn pins_fix_dry_run_ignores_copy_from_a_build_stage() {
    let dir = tempfile::tempdir().unwrap();
    // The build stage's image is on a loopback port nothing listens on: it cannot be pinned,
    // and is the one line to report.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM 127.0.0.1:{port}/golang:1.22 AS build\nRUN go build -o /out ./...\nFROM alpine@{DIGEST}\nCOPY --from=build /out /usr/local/bin/app\n"
        ),
    );
    let o = run(
        &["pins", "fix", "--dry-run", "--images-only", "."],
        Some(dir.path()),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("Dockerfile:1:"), "{err}");
    assert!(
        !err.contains("Dockerfile:4:"),
        "COPY --from=build flagged: {err}"
    );
    assert!(err.contains("1 could not be pinned"), "{err}");
    // `vouch pins` agrees: the FROM line only.
    let (_, report) = pins_json(dir.path());
    assert_eq!(codes(&report), vec![("unpinned-image".to_owned(), 1)]);
}

// 7. `vouch pins` on real repositories.

#[test]
fn pins_dockerfiles_by_name_not_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Files that only start with `dockerfile` and mention FROM are not Dockerfiles.
    write(
        d,
        "pkg/dockerfile_test.go",
        "package x\n// FROM golang:1.22\nconst s = `\nFROM alpine:3\n`\n",
    );
    write(d, "docs/Dockerfile.md", "FROM ubuntu:22.04\n");
    write(d, "dockerfile.json", "{\"FROM\": \"node:20\"}\n");
    // These are.
    write(d, "Dockerfile", "FROM debian:12\n");
    write(d, "build/app.Dockerfile", "FROM rust:1\n");
    write(d, "Dockerfile.dev", "FROM python:3.12\n");
    write(d, "Containerfile", "FROM fedora:40\n");
    let (code, report) = pins_json(d);
    assert_eq!(code, Some(1));
    let mut files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            "Containerfile",
            "Dockerfile",
            "Dockerfile.dev",
            "build/app.Dockerfile"
        ]
    );
}

#[test]
fn pins_self_repository_reference_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    uses: $/.github/workflows/build.yml\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: $/.github/actions/lint\n",
    );
    write(
        d,
        ".github/workflows/build.yml",
        "on: workflow_call\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
    );
    write(
        d,
        ".github/actions/lint/action.yml",
        "runs:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n",
    );
    let (code, report) = pins_json(d);
    // The self-references pass; the action they lead to is followed and checked.
    assert_eq!(
        codes(&report),
        vec![("unpinned-action".to_owned(), 4)],
        "{report}"
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        report["findings"][0]["file"],
        ".github/actions/lint/action.yml"
    );
    let states: Vec<&str> = report["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reference"].as_str().unwrap().starts_with("$/"))
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["local", "local"]);
}

#[test]
fn pins_kubernetes_reads_only_workload_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "policy.yaml",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: disallow-latest-tag\nspec:\n  rules:\n    - name: require-image-tag\n      validate:\n        pattern:\n          spec:\n            containers:\n              - image: '!*:latest'\n",
    );
    write(
        d,
        "deploy.yaml",
        &format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: nginx:1.27\n        - name: b\n          image: ghcr.io/o/b@{DIGEST}\n"),
    );
    let (code, report) = pins_json(d);
    assert_eq!(code, Some(1));
    let findings: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["level"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        vec![
            (
                "deploy.yaml".into(),
                "unpinned-image".into(),
                "error".into()
            ),
            ("policy.yaml".into(), "skipped-kind".into(), "note".into()),
        ]
    );
    assert!(report["findings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("`ClusterPolicy`"));
    // The policy's pattern is not an image reference.
    assert!(!report["references"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["reference"].as_str().unwrap().contains("latest")));
    // A policy file alone passes, with the note.
    let (code, _) = pins_json(&d.join("policy.yaml"));
    assert_eq!(code, Some(0));
}

#[test]
fn pins_arg_expansion_removes_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let df = write(
        dir.path(),
        "Dockerfile",
        &format!("ARG DEBUG=1\nARG BASE=${{DEBUG:+\"debug\"}}\nARG TAG=${{TAG:-\"1.22\"}}\nFROM golang@{DIGEST} AS debug\nFROM ${{BASE}} AS final\nFROM golang:${{TAG}}\n"),
    );
    let (code, report) = pins_json(&df);
    assert_eq!(code, Some(1));
    let refs: Vec<(u64, &str, &str)> = report["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["resolved"].as_str().unwrap_or(""),
                r["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refs,
        vec![
            (4, "", "pinned"),
            (5, &*format!("golang@{DIGEST}"), "stage"),
            (6, "golang:1.22", "unpinned"),
        ]
    );
}

#[test]
fn pins_compose_flow_sequence_closed_at_key_indent() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "compose.yaml",
        &format!("services:\n  web:\n    image: nginx:1.27\n    command: [\n      \"nginx\", \"-g\", \"daemon off;\"\n    ]\n  db:\n    image: postgres@{DIGEST}\n    ports: [\n    \"5432:5432\"\n    ]\n"),
    );
    let (code, report) = pins_json(&f);
    assert_eq!(code, Some(1));
    // Read as PyYAML reads it: both images judged, no parse error.
    assert_eq!(codes(&report), vec![("unpinned-image".to_owned(), 3)]);
    assert_eq!(report["summary"]["references"], 2);
}

#[test]
fn pins_stage_built_on_an_expression_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let df = write(
        dir.path(),
        "Dockerfile",
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base\nFROM base\n",
    );
    let (_, report) = pins_json(&df);
    let f = &report["findings"][1];
    assert_eq!(f["line"], 3, "{report}");
    assert_eq!(f["code"], "expression-reference");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("`${BASE_IMAGE}`"), "{msg}");
    assert!(!msg.contains("not pinned"), "{msg}");
}

// 14. Wording: the tree drawing, the warnings count, the FIXED column.

#[test]
fn tree_draws_siblings_with_a_tee() {
    use vouch_testkit::registry::{tools_available, Layout, TestRegistry};
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v1", "amd64", &[("etc/app", "one")]);
    let image = format!("{}/app:v1", reg.host());
    layout.push("v1", &image);
    let key =
        vouch_testkit::shared_path("vectors/sigstore/cosign-keys/cosign-test-sigstore-label.key");
    let dir = tempfile::tempdir().unwrap();
    let pred = write(
        dir.path(),
        "provenance.json",
        r#"{"buildDefinition":{"buildType":"https://vouch.dev/test","externalParameters":{}},"runDetails":{"builder":{"id":"https://vouch.dev/test-builder"}}}"#,
    );
    let with_key = |args: &[&str]| {
        let o = vouch()
            .args(args)
            .env("COSIGN_PASSWORD", "hello")
            .env("DOCKER_CONFIG", "/nonexistent/vouch-test-docker-config")
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    let key = key.to_str().unwrap();
    with_key(&["sign", "image", &image, "--key", key]);
    with_key(&["sign", "image", &image, "--key", key]);
    with_key(&[
        "attest",
        "image",
        &image,
        "--key",
        key,
        "--predicate",
        pred.to_str().unwrap(),
        "--type",
        "slsaprovenance",
    ]);
    let tree = with_key(&["tree", &image]);
    // Sections (`├──`/`└──` at the left) and their entries (indented under them).
    let mut sections: Vec<(&str, Vec<&str>)> = Vec::new();
    for l in tree.lines().skip(1) {
        if l.starts_with("├── ") || l.starts_with("└── ") {
            sections.push((l, Vec::new()));
        } else {
            sections
                .last_mut()
                .expect("an entry under a section")
                .1
                .push(l);
        }
    }
    assert!(sections.len() >= 2, "{tree}");
    assert!(
        sections.iter().map(|s| s.1.len()).sum::<usize>() >= 3,
        "{tree}"
    );
    for (i, (title, entries)) in sections.iter().enumerate() {
        // Every section but the last is `├──`; the last is `└──`.
        let last = i + 1 == sections.len();
        assert_eq!(title.starts_with("└── "), last, "{tree}");
        // Entries hang from `│` while a section follows; only the last entry is `└──`.
        let indent = if last { "    " } else { "│   " };
        for (j, e) in entries.iter().enumerate() {
            let branch = if j + 1 == entries.len() {
                "└── "
            } else {
                "├── "
            };
            assert!(
                e.starts_with(&format!("{indent}{branch}")),
                "{e:?} in\n{tree}"
            );
        }
    }
}

fn scan_db() -> &'static str {
    static DB: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db").display().to_string();
        let osv = vouch_testkit::shared_path("osv/crates.io");
        let o = run(&["db", "import", osv.to_str().unwrap(), "--db", &db], None);
        assert!(o.status.success(), "{}", stderr(&o));
        (dir, db)
    })
    .1
}

fn scan_table(lock: &str) -> Output {
    let lock = vouch_testkit::shared_path(lock);
    run(
        &[
            "scan",
            "--offline",
            "--db",
            scan_db(),
            "--format",
            "table",
            lock.to_str().unwrap(),
        ],
        None,
    )
}

#[test]
fn scan_summary_counts_the_warnings_it_printed() {
    // ripgrep 13 has 4 informational advisories (unmaintained, unsound); the shared database
    // is older than a week, so one `warning:` line says so.
    let o = scan_table("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    let err = stderr(&o);
    let printed = err.lines().filter(|l| l.starts_with("warning:")).count();
    assert!(printed >= 1, "{err}");
    let out = stdout(&o);
    let summary = out.lines().last().unwrap();
    assert!(
        summary.ends_with(&format!("; {printed} warnings")),
        "{summary}\n{err}"
    );
    assert!(
        summary.contains("; 4 informational advisories;"),
        "{summary}"
    );
}

#[test]
fn scan_fixed_column_shows_the_fix() {
    // time 0.1.44, RUSTSEC-2020-0071: 0.2.0 … 0.2.6 are single unaffected versions between
    // affected ranges; the fix is 0.2.23. rand 0.7.3: a fix on each later release line.
    let o = scan_table("lockfiles/crates.io/alacritty/v0.7.2/Cargo.lock");
    let out = stdout(&o);
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("crates.io:{name} ")))
            .unwrap_or_else(|| panic!("no {name} row:\n{out}"))
            .to_owned()
    };
    let time = row("time");
    assert!(time.contains(" ≥ 0.2.23 "), "{time}");
    assert!(!time.contains("0.2.0"), "{time}");
    let nix = row("nix");
    assert!(nix.contains(" 0.20.2, 0.21.2, 0.22.2, ≥ 0.23.0 "), "{nix}");
}

// 16. `.ci/run` killed processes by name.

#[test]
fn ci_run_kills_nothing_by_name() {
    let root = vouch_testkit::repo_root();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    for word in ["pkill", "killall", "kill -9", "pgrep"] {
        assert!(!ci.contains(word), ".ci/run uses `{word}`");
    }
    // Services are kept from starting while packages install, and the policy is put back.
    let policy = ci.find("exit 101").expect("a policy-rc.d that exits 101");
    let install = ci.find("apt-get install").unwrap();
    let restore = ci.rfind("restore_policy").unwrap();
    assert!(policy < install && install < restore, "{ci}");
    // The tests stop what they start by its process id, never by name.
    for dir in ["crates", "tests"] {
        let mut stack = vec![root.join(dir)];
        while let Some(p) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&p) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    if !path.ends_with("target") {
                        stack.push(path);
                    }
                } else if path.extension().is_some_and(|x| x == "rs" || x == "sh")
                    && !path.ends_with("vouch-cli/tests/regression.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let by_name = ["pkill", "killall"].iter().any(|w| {
                        text.contains(&format!("\"{w}\"")) || text.contains(&format!("{w} -"))
                    });
                    assert!(!by_name, "{} kills by name", path.display());
                }
            }
        }
    }
}
