//! Every case of `../shared/pinning-fixtures` gives the verdict its PROVENANCE.md states
//! (offline tier). Expected lines were read off the fixture files.

use std::path::Path;

use vouch_pins::scan::Options;
use vouch_pins::{Code, Config, PinState, Report};

fn options() -> Options {
    Options {
        lockfiles: false,
        ..Options::default()
    }
}

fn check(rel: &str) -> Report {
    let path = vouch_testkit::shared_path(&format!("pinning-fixtures/{rel}"));
    vouch_pins::check_path(&path, &Config::default(), &options()).expect("fixture is readable")
}

/// (code, line) of every failing finding, sorted.
fn failures(r: &Report) -> Vec<(Code, u32)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.is_failure())
        .map(|f| (f.code, f.line.unwrap_or(0)))
        .collect();
    v.sort();
    v
}

fn lines_of(r: &Report, code: Code) -> Vec<u32> {
    let mut v: Vec<u32> = r.with_code(code).filter_map(|f| f.line).collect();
    v.sort_unstable();
    v
}

#[test]
fn scorecard_workflow_pinned_passes() {
    let r = check("scorecard/workflow-pinned.yaml");
    assert_eq!(failures(&r), vec![]);
    assert_eq!(r.references.len(), 4);
    assert!(r.references.iter().all(|x| x.state == PinState::Pinned));
    assert!(!r.failed());
}

#[test]
fn scorecard_workflow_not_pinned_fails_twice() {
    let r = check("scorecard/workflow-not-pinned.yaml");
    // `docker://rhysd/actionlint@latest` and `github/codeql-action/analyze@v1`.
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedAction, 79), (Code::UnpinnedImage, 38)]
    );
}

#[test]
fn scorecard_mixed_workflows() {
    let r = check("scorecard/workflow-mix-github-and-non-github-not-pinned.yaml");
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedAction, 31), (Code::UnpinnedAction, 36)]
    );
    assert_eq!(
        failures(&check(
            "scorecard/workflow-mix-github-and-non-github-pinned.yaml"
        )),
        vec![]
    );
    let r = check("scorecard/workflow-mix-pinned-and-non-pinned-github.yaml");
    assert_eq!(failures(&r), vec![(Code::UnpinnedAction, 46)]);
    assert!(r.findings[0].message.contains("actions/checkout"));
    let r = check("scorecard/workflow-mix-pinned-and-non-pinned-non-github.yaml");
    assert_eq!(failures(&r), vec![(Code::UnpinnedAction, 41)]);
    assert!(r.findings[0].message.contains("acme/something"));
    assert_eq!(
        failures(&check("scorecard/workflow-non-github-pinned.yaml")),
        vec![]
    );
}

#[test]
fn scorecard_multiple_unpinned_uses_at_lines_22_and_24() {
    let r = check("scorecard/github-workflow-multiple-unpinned-uses.yaml");
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedAction, 22), (Code::UnpinnedAction, 24)]
    );
}

#[test]
fn scorecard_workflow_download_lines() {
    let r = check("scorecard/github-workflow-download-lines.yaml");
    // `curl > /tmp/file && bash /tmp/file` (27), `/tmp/file2` run (29), `curl bla | bash` (32).
    assert_eq!(lines_of(&r, Code::DownloadThenRun), vec![27, 29, 32]);
    assert!(r.failed());
}

#[test]
fn scorecard_dockerfile_pinned() {
    let r = check("scorecard/Dockerfile-pinned");
    assert_eq!(failures(&r), vec![]);
    assert!(r.references.iter().any(|x| x.state == PinState::Scratch));
}

#[test]
fn scorecard_dockerfile_not_pinned() {
    let r = check("scorecard/Dockerfile-not-pinned");
    assert_eq!(lines_of(&r, Code::UnpinnedImage), vec![17]);
}

#[test]
fn scorecard_dockerfile_stage_aliases() {
    let r = check("scorecard/Dockerfile-not-pinned-as");
    // `FROM python:3.7 as build` (17) and `FROM build` (23); `FROM base`/`base2` are pinned.
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedImage, 17), (Code::UnpinnedImage, 23)]
    );
    assert_eq!(
        failures(&check("scorecard/Dockerfile-not-pinned-as-simple")),
        vec![(Code::UnpinnedImage, 16)]
    );
    assert_eq!(failures(&check("scorecard/Dockerfile-pinned-as")), vec![]);
}

#[test]
fn scorecard_malformed_digest_is_not_a_pin() {
    let r = check("scorecard/Dockerfile-pinned-as-without-hash");
    assert_eq!(lines_of(&r, Code::MalformedDigest), vec![16, 28]);
    // Stages built on the malformed one are not pinned either; `FROM scratch` is fine.
    assert_eq!(lines_of(&r, Code::UnpinnedImage), vec![18, 23]);
}

#[test]
fn scorecard_arg_defaults_and_stage_aliases_regression() {
    let r = check("scorecard/Dockerfile-pinned-arg");
    assert_eq!(failures(&r), vec![]);
    let golang = r.references.iter().find(|x| x.line == 6).unwrap();
    assert_eq!(
        golang.resolved.as_deref(),
        Some("docker.io/library/golang:1.21-alpine@sha256:110b07af87238fbdc5f1df52b00927cf58ce3de358eeeb1854f10a8b5e5e1411")
    );
    assert_eq!(golang.state, PinState::Pinned);
    let build = r.references.iter().find(|x| x.line == 18).unwrap();
    // `dotnet-sdk-${SDK_VERSION}` → stage `dotnet-sdk-9.0` → its pinned base image.
    assert_eq!(
        build.resolved.as_deref(),
        Some("mcr.microsoft.com/dotnet/sdk:9.0.304@sha256:840f3b62b9742dde4461a3c31e38ffd34d41d7d33afd39c378cfcfd5dcb82bd5")
    );
    assert_eq!(build.state, PinState::Stage);
}

#[test]
fn scorecard_dockerfile_downloads() {
    let r = check("scorecard/Dockerfile-download-lines");
    assert!(r.with_code(Code::DownloadThenRun).count() >= 3);
    let r = check("scorecard/Dockerfile-download-heredoc");
    // Heredoc bodies are scripts too: `curl … | bash` inside `RUN <<EOF`.
    assert!(r.with_code(Code::DownloadThenRun).count() >= 1);
    let text = std::fs::read_to_string(vouch_testkit::shared_path(
        "pinning-fixtures/scorecard/Dockerfile-download-heredoc",
    ))
    .unwrap();
    for line in lines_of(&r, Code::DownloadThenRun) {
        let l = text.lines().nth(line as usize - 1).unwrap();
        assert!(
            l.contains("curl") || l.contains("wget") || l.contains("bash") || l.contains("sh"),
            "line {line} is not a download: {l}"
        );
    }
}

#[test]
fn scorecard_script_package_managers() {
    let r = check("scorecard/script-pkg-managers");
    assert!(r.failed());
    let go = lines_of(&r, Code::UnpinnedGoInstall);
    // `go get`/`go install` at a tag name, `@latest`, `@none`, `@patch`, `@upgrade`, `@release`.
    for l in [16, 17, 20, 21, 33, 34, 35, 36, 37] {
        assert!(go.contains(&l), "go line {l} not flagged: {go:?}");
    }
    // `go get local-folder` is a local package, not a download.
    assert!(!go.contains(&38));
    let npm = lines_of(&r, Code::NpmInstall);
    assert_eq!(npm, (110..=116).collect::<Vec<_>>());
    let pip = lines_of(&r, Code::UnpinnedPipInstall);
    assert!(pip.contains(&49) && pip.contains(&107), "{pip:?}");
}

#[test]
fn scorecard_wget_of_commit_pinned_raw_url_passes() {
    assert_eq!(failures(&check("scorecard/script-wget-pinned")), vec![]);
}

#[test]
fn scorecard_shell_download_lines() {
    let r = check("scorecard/shell-download-lines.sh");
    assert_eq!(
        lines_of(&r, Code::DownloadThenRun),
        // 6: curl>file && bash file; 11: curl|bash after continuation; 14: /tmp/file2 run;
        // 18, 20: bash <(wget …); 28: curl|bash; 69: bash <(curl main); 70, 71: curl|bash.
        // 72 and 73 download commit-pinned raw URLs and pass.
        vec![6, 11, 14, 18, 20, 28, 69, 70, 71]
    );
    let pip = lines_of(&r, Code::UnpinnedPipInstall);
    // 26: -r without hashes; 41-44: VCS without a commit; 52: no --no-deps; 53: unpinned VCS;
    // 56: python -m pip, unpinned VCS. 36-40, 45-51, 54, 57 are local or commit-pinned.
    assert_eq!(pip, vec![26, 41, 42, 43, 44, 52, 53, 56]);
}

#[test]
fn zizmor_unpinned_uses() {
    let r = check("zizmor/unpinned-uses.yml");
    assert!(r.with_code(Code::UnpinnedAction).count() >= 1);
    assert!(r
        .findings
        .iter()
        .any(|f| f.subject.as_deref() == Some("actions/checkout@v3")));
}

#[test]
fn zizmor_composite_action_is_scanned() {
    let r = check("zizmor/unpinned-uses-composite-action.yml");
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedAction, 12), (Code::UnpinnedAction, 15)]
    );
}

#[test]
fn zizmor_online_only_cases_pass_offline_syntax() {
    // Impostor commits, ref confusion and stale refs need the network; offline, a full SHA
    // passes and a symbolic ref fails.
    assert_eq!(failures(&check("zizmor/impostor-commit.yml")), vec![]);
    assert_eq!(
        failures(&check("zizmor/ref-confusion.yml")),
        vec![(Code::UnpinnedAction, 11)]
    );
    let r = check("zizmor/ref-version-mismatch.yml");
    assert_eq!(failures(&r), vec![(Code::UnpinnedAction, 22)]);
    let commented: Vec<_> = r
        .references
        .iter()
        .filter_map(|x| x.comment.as_deref())
        .collect();
    assert!(commented.contains(&"v3.8.2") && commented.contains(&"v300000.8.1"));
    let r = check("zizmor/stale-action-refs.yml");
    assert_eq!(
        failures(&r),
        vec![
            (Code::UnpinnedAction, 15),
            (Code::UnpinnedAction, 18),
            (Code::UnpinnedAction, 21)
        ]
    );
}

#[test]
fn zizmor_unpinned_images() {
    let r = check("zizmor/unpinned-images.yml");
    // untagged / :latest / :tag, and unpinned docker:// uses; digests pass; empty skipped.
    assert_eq!(
        lines_of(&r, Code::UnpinnedImage),
        vec![23, 32, 40, 49, 57, 66, 126, 127, 128]
    );
    assert_eq!(lines_of(&r, Code::ExpressionReference), vec![101, 110, 118]);
    let pinned: Vec<u32> = r
        .references
        .iter()
        .filter(|x| x.state == PinState::Pinned)
        .map(|x| x.line)
        .collect();
    assert_eq!(pinned, vec![74, 83]);
}

#[test]
fn zizmor_unpinned_tools() {
    let r = check("zizmor/unpinned-tools.yml");
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedTool, 19), (Code::UnpinnedTool, 23)]
    );
}

#[test]
fn pinned_examples_pass() {
    let r = check("pinned-examples/osv-scanner-reusable.yml");
    assert_eq!(failures(&r), vec![]);
    assert!(r
        .references
        .iter()
        .all(|x| x.state == PinState::Pinned
            && x.comment.as_deref().is_some_and(|c| c.starts_with('v'))));
    assert_eq!(
        failures(&check("pinned-examples/attest-build-provenance-action.yml")),
        vec![]
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn actions_lockfile_locks_tags() {
    let lock = std::fs::read_to_string(vouch_testkit::shared_path(
        "pinning-fixtures/actions-lockfile/actions.lock",
    ))
    .unwrap();
    let parsed = vouch_pins::workflow::ActionsLock::parse(&lock).unwrap();
    assert_eq!(parsed.dependencies.len(), 4);
    assert_eq!(parsed.workflows.len(), 3);

    let dir = tempfile::tempdir().unwrap();
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4.3.1\n      - uses: actions/setup-go@v5.6.0\n";
    write(dir.path(), ".github/workflows/ci.yml", wf);
    let r = vouch_pins::check_path(dir.path(), &Config::default(), &options()).unwrap();
    assert_eq!(
        failures(&r),
        vec![(Code::UnpinnedAction, 6), (Code::UnpinnedAction, 7)]
    );
    write(dir.path(), ".github/workflows/actions.lock", &lock);
    let r = vouch_pins::check_path(dir.path(), &Config::default(), &options()).unwrap();
    assert_eq!(failures(&r), vec![]);
    assert!(r.references.iter().all(|x| x.state == PinState::Locked));
    assert_eq!(
        r.references[0].digest.as_deref(),
        Some("sha1:34e114876b0b11c390a56381ad16ebd13914f8d5")
    );
    // A tag the lockfile does not lock is still unpinned.
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &format!("{wf}      - uses: actions/checkout@v5\n"),
    );
    let r = vouch_pins::check_path(dir.path(), &Config::default(), &options()).unwrap();
    assert_eq!(failures(&r), vec![(Code::UnpinnedAction, 8)]);
}

#[test]
fn local_composite_actions_are_followed_recursively() {
    let composite = std::fs::read_to_string(vouch_testkit::shared_path(
        "pinning-fixtures/zizmor/unpinned-uses-composite-action.yml",
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/outer\n      - uses: ./.github/actions/missing\n",
    );
    write(
        dir.path(),
        ".github/actions/outer/action.yml",
        "name: outer\nruns:\n  using: composite\n  steps:\n    - uses: ./.github/actions/inner\n",
    );
    write(dir.path(), ".github/actions/inner/action.yml", &composite);
    let wf = dir.path().join(".github/workflows/ci.yml");
    let r = vouch_pins::check_path(&wf, &Config::default(), &options()).unwrap();
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.file.as_str(), f.code, f.line.unwrap_or(0)))
        .collect();
    assert_eq!(
        got,
        vec![
            (".github/actions/inner/action.yml", Code::UnpinnedAction, 12),
            (".github/actions/inner/action.yml", Code::UnpinnedAction, 15),
            (".github/workflows/ci.yml", Code::UnresolvedLocalAction, 7),
        ]
    );
}
