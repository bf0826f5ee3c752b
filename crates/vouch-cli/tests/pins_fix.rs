//! `vouch pins fix` against a loopback GitHub git-refs server (written here) and a loopback
//! `docker-registry` holding an image built with umoci and pushed with skopeo.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const CHECKOUT: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";
const SETUP_GO_TAG_OBJECT: &str = "7777777777777777777777777777777777777777";
const SETUP_GO: &str = "40f1582b2485089dde7abd97c1529aa768e1baff";
const REUSABLE_MAIN: &str = "0123456789abcdef0123456789abcdef01234567";

/// A GitHub REST stand-in: `GET /repos/{o}/{r}/git/ref/{tags|heads}/{x}` and
/// `GET /repos/{o}/{r}/git/tags/{sha}`; everything else is 404. Returns its base URL and the
/// request log.
fn github() -> (String, Arc<Mutex<Vec<String>>>) {
    github_with(vec![])
}

fn commit_ref(path: &str, sha: &str) -> (String, String) {
    (
        path.to_owned(),
        format!(r#"{{"object":{{"type":"commit","sha":"{sha}"}}}}"#),
    )
}

fn tag_ref(path: &str, sha: &str) -> (String, String) {
    (
        path.to_owned(),
        format!(r#"{{"object":{{"type":"tag","sha":"{sha}"}}}}"#),
    )
}

fn github_with(extra: Vec<(String, String)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut routes: HashMap<String, String> = [
        (
            "/repos/actions/checkout/git/ref/tags/v4".to_owned(),
            format!(r#"{{"ref":"refs/tags/v4","object":{{"type":"commit","sha":"{CHECKOUT}"}}}}"#),
        ),
        (
            "/repos/actions/setup-go/git/ref/tags/v5.6.0".to_owned(),
            format!(r#"{{"ref":"refs/tags/v5.6.0","object":{{"type":"tag","sha":"{SETUP_GO_TAG_OBJECT}"}}}}"#),
        ),
        (
            format!("/repos/actions/setup-go/git/tags/{SETUP_GO_TAG_OBJECT}"),
            format!(r#"{{"tag":"v5.6.0","object":{{"type":"commit","sha":"{SETUP_GO}"}}}}"#),
        ),
        (
            "/repos/o/r/git/ref/heads/main".to_owned(),
            format!(r#"{{"ref":"refs/heads/main","object":{{"type":"commit","sha":"{REUSABLE_MAIN}"}}}}"#),
        ),
    ]
    .into_iter()
    .collect();
    routes.extend(extra);
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            seen.lock().unwrap().push(path.clone());
            let (status, body) = match routes.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", r#"{"message":"Not Found"}"#.to_owned()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, log)
}

fn vouch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

const WORKFLOW: &str = "name: ci\non: push\n\njobs:\n  call:\n    uses: o/r/.github/workflows/build.yml@main\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      # keep this comment\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - uses: \"actions/setup-go@v5.6.0\"   # the Go toolchain\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n";

#[test]
fn actions_are_pinned_through_the_git_refs_api() {
    let (api, log) = github();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", WORKFLOW);
    let d = dir.path().to_str().unwrap();

    let o = vouch(&[
        "pins",
        "fix",
        "--dry-run",
        "--actions-only",
        "--github-api",
        &api,
        d,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let diff = String::from_utf8(o.stdout).unwrap();
    assert!(
        diff.starts_with("--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"),
        "{diff}"
    );
    assert!(
        diff.contains(&format!(
            "+      - uses: actions/checkout@{CHECKOUT} # v4\n"
        )),
        "{diff}"
    );
    assert!(
        diff.contains("-      - uses: actions/checkout@v4\n"),
        "{diff}"
    );
    assert_eq!(
        read(dir.path(), ".github/workflows/ci.yml"),
        WORKFLOW,
        "dry run writes nothing"
    );

    let o = vouch(&["pins", "fix", "--actions-only", "--github-api", &api, d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let expected = WORKFLOW
        .replace(
            "uses: o/r/.github/workflows/build.yml@main\n",
            &format!("uses: o/r/.github/workflows/build.yml@{REUSABLE_MAIN} # main\n"),
        )
        .replace(
            "- uses: actions/checkout@v4\n",
            &format!("- uses: actions/checkout@{CHECKOUT} # v4\n"),
        )
        .replace(
            "\"actions/setup-go@v5.6.0\"   # the Go toolchain",
            &format!("\"actions/setup-go@{SETUP_GO}\"   # the Go toolchain"),
        );
    assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), expected);
    // The annotated tag was followed to its commit; the branch was found after the tag 404.
    let paths = log.lock().unwrap().clone();
    assert!(paths.contains(&format!(
        "/repos/actions/setup-go/git/tags/{SETUP_GO_TAG_OBJECT}"
    )));
    assert!(paths.contains(&"/repos/o/r/git/ref/tags/main".to_owned()));

    let o = vouch(&["pins", "--no-lockfiles", "--format", "json", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let before = log.lock().unwrap().len();
    let o = vouch(&["pins", "fix", "--actions-only", "--github-api", &api, d]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        read(dir.path(), ".github/workflows/ci.yml"),
        expected,
        "a second run changes nothing"
    );
    assert_eq!(log.lock().unwrap().len(), before, "nothing left to resolve");
}

#[test]
fn an_unknown_tag_is_reported_and_left_alone() {
    let (api, _) = github();
    let dir = tempfile::tempdir().unwrap();
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v999\n";
    write(dir.path(), ".github/workflows/ci.yml", wf);
    let o = vouch(&[
        "pins",
        "fix",
        "--actions-only",
        "--github-api",
        &api,
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("`actions/checkout` has no tag or branch `v999`"),
        "{}",
        text(&o)
    );
    assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), wf);
    // A non-loopback plain-http API is refused.
    let o = vouch(&[
        "pins",
        "fix",
        "--github-api",
        "http://api.example",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn images_are_pinned_through_the_registry() {
    if !vouch_testkit::registry::tools_available() {
        return;
    }
    let registry = vouch_testkit::registry::TestRegistry::start();
    let layout = vouch_testkit::registry::Layout::new();
    layout.add_image("1.0", "amd64", &[("/etc/app", "v1")]);
    let host = registry.host();
    let digest = layout.push("1.0", &format!("{host}/team/app:1.0"));
    let (api, _) = github();

    let dir = tempfile::tempdir().unwrap();
    let dockerfile = format!("# syntax={host}/team/app:1.0\nFROM {host}/team/app:1.0 AS build\nRUN echo built > /out\n\nFROM scratch\nCOPY --from=build /out /out\n");
    let workflow = format!("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container:\n      image: {host}/team/app:1.0\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker://{host}/team/app:1.0\n");
    write(dir.path(), "Dockerfile", &dockerfile);
    write(dir.path(), ".github/workflows/ci.yml", &workflow);
    let d = dir.path().to_str().unwrap();

    let o = vouch(&["pins", "--no-lockfiles", d]);
    assert_eq!(o.status.code(), Some(1));
    let o = vouch(&["pins", "fix", "--github-api", &api, d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pinned = format!("{host}/team/app:1.0@{digest}");
    assert_eq!(
        read(dir.path(), "Dockerfile"),
        dockerfile
            .replace(
                &format!("FROM {host}/team/app:1.0 AS"),
                &format!("FROM {pinned} AS")
            )
            .replace(
                &format!("# syntax={host}/team/app:1.0\n"),
                &format!("# syntax={pinned}\n")
            )
    );
    assert_eq!(
        read(dir.path(), ".github/workflows/ci.yml"),
        workflow
            .replace(
                &format!("image: {host}/team/app:1.0\n"),
                &format!("image: {pinned}\n")
            )
            .replace(
                &format!("docker://{host}/team/app:1.0\n"),
                &format!("docker://{pinned}\n")
            )
            .replace(
                "actions/checkout@v4\n",
                &format!("actions/checkout@{CHECKOUT} # v4\n")
            )
    );
    let o = vouch(&["pins", "--no-lockfiles", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (df, wf) = (
        read(dir.path(), "Dockerfile"),
        read(dir.path(), ".github/workflows/ci.yml"),
    );
    let o = vouch(&["pins", "fix", "--github-api", &api, d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(read(dir.path(), "Dockerfile"), df);
    assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), wf);
    assert!(text(&o).contains("pinned 0 references"), "{}", text(&o));
}

#[test]
fn online_version_comments_must_name_the_pinned_commit() {
    // The tags of zizmor's ref-version-mismatch fixture, as GitHub answers for them.
    let (api, _) = github_with(vec![
        commit_ref(
            "/repos/actions/setup-node/git/ref/tags/v3.8.2",
            "1a4442cacd436585916779262731d5b162bc6ec7",
        ),
        commit_ref(
            "/repos/actions/setup-node/git/ref/tags/v3.8.1",
            "5e21ff4d9bc1a8cf6de233a3057d20ec6b3fb69d",
        ),
        tag_ref(
            "/repos/Swatinem/rust-cache/git/ref/tags/v2.7.8",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
        tag_ref(
            "/repos/Swatinem/rust-cache/git/tags/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        ),
        commit_ref(
            "/repos/Swatinem/rust-cache/git/tags/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "9d47c6ad4b02e050fd481d890b2ea34778fd09d6",
        ),
        commit_ref(
            "/repos/canonical/charming-actions/git/ref/tags/2.7.0",
            "1753e0803f70445132e92acd45c905aba6473225",
        ),
        commit_ref(
            "/repos/actions/setup-node/commits/1a4442cacd436585916779262731d5b162bc6ec7",
            "1a4442cacd436585916779262731d5b162bc6ec7",
        ),
        commit_ref(
            "/repos/Swatinem/rust-cache/commits/9d47c6ad4b02e050fd481d890b2ea34778fd09d6",
            "9d47c6ad4b02e050fd481d890b2ea34778fd09d6",
        ),
        commit_ref(
            "/repos/canonical/charming-actions/commits/1753e0803f70445132e92acd45c905aba6473225",
            "1753e0803f70445132e92acd45c905aba6473225",
        ),
        (
            "/repos/actions/setup-node".to_owned(),
            r#"{"default_branch":"main"}"#.to_owned(),
        ),
        (
            "/repos/actions/setup-node/compare/main...1a4442cacd436585916779262731d5b162bc6ec7"
                .to_owned(),
            r#"{"status":"behind"}"#.to_owned(),
        ),
    ]);
    let fixture = vouch_testkit::shared_path("pinning-fixtures/zizmor/ref-version-mismatch.yml");
    let f = fixture.to_str().unwrap();
    let o = vouch(&[
        "pins",
        "--format",
        "json",
        "--online",
        "--github-api",
        &api,
        f,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().to_owned(),
                x["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // 22: `@v3.8.2` (offline); 25: `# v3.8.1` is another commit's tag; 28: no tag `v300000.8.1`.
    assert_eq!(
        got,
        vec![
            ("unpinned-action".to_owned(), 22),
            ("version-comment-mismatch".to_owned(), 25),
            ("unknown-version-comment".to_owned(), 28),
        ]
    );
    // Offline, only the tag reference fails.
    let o = vouch(&["pins", "--format", "json", f]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    // An API that cannot be reached is "could not verify": exit 2.
    let o = vouch(&["pins", "--online", "--github-api", "http://127.0.0.1:9", f]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn online_commits_must_exist_and_belong_to_the_repository() {
    // impostor-commit.yml pins actions/checkout to a commit that exists only in a fork:
    // GitHub serves it, but it is neither on the default branch nor tagged.
    let sha = "c7d749a2d57b4b375d1ebcd17cfbfb60c676f18e";
    let (api, _) = github_with(vec![
        commit_ref(&format!("/repos/actions/checkout/commits/{sha}"), sha),
        (
            "/repos/actions/checkout".to_owned(),
            r#"{"default_branch":"main"}"#.to_owned(),
        ),
        (
            format!("/repos/actions/checkout/compare/main...{sha}"),
            r#"{"status":"diverged"}"#.to_owned(),
        ),
        (
            "/repos/actions/checkout/tags?per_page=100".to_owned(),
            r#"[{"name":"v4.2.2","commit":{"sha":"11bd71901bbe5b1630ceea73d27597364c9af683"}}]"#
                .to_owned(),
        ),
    ]);
    let run = |rel: &str| {
        let f = vouch_testkit::shared_path(&format!("pinning-fixtures/{rel}"));
        let o = vouch(&[
            "pins",
            "--format",
            "json",
            "--online",
            "--github-api",
            &api,
            f.to_str().unwrap(),
        ]);
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let got: Vec<(String, u64)> = doc["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        (
                            x["code"].as_str().unwrap().to_owned(),
                            x["line"].as_u64().unwrap(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (o, got)
    };
    let (o, got) = run("zizmor/impostor-commit.yml");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(got, vec![("impostor-commit".to_owned(), 29)]);
    // workflow-pinned.yaml's `daadedc8…` is made up: the API knows no such commit.
    let (o, got) = run("scorecard/workflow-pinned.yaml");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(
        got,
        vec![
            ("unknown-commit".to_owned(), 31),
            ("unknown-commit".to_owned(), 54),
            ("unknown-commit".to_owned(), 79),
        ]
    );
}
