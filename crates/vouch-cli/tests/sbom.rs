//! End-to-end tests of `vouch sbom`: agreement with `cargo metadata` on this repository,
//! the three formats, reproducibility, profiles, and bad input (exit 2, one-line error, no
//! output file touched).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use vouch_sbom::Sbom;

fn vouch() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vouch"));
    c.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("vouch runs")
}

fn ok_stdout(cmd: &mut Command) -> Vec<u8> {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn repo() -> PathBuf {
    vouch_testkit::repo_root()
}

fn lock_fixture(dir: &str) -> PathBuf {
    vouch_testkit::shared_path(&format!("sbom-fixtures/rust/{dir}/Cargo.lock"))
}

/// The independent purl of a `cargo metadata` package (this repository has crates.io and
/// path packages only).
fn expected_purl(pkg: &Value) -> String {
    let name = pkg["name"].as_str().unwrap();
    // purl versions are percent-encoded: `0.11.1+wasi-snapshot-preview1` → `…%2Bwasi…`.
    let version = pkg["version"].as_str().unwrap().replace('+', "%2B");
    match pkg["source"].as_str() {
        None
        | Some(
            "registry+https://github.com/rust-lang/crates.io-index"
            | "sparse+https://index.crates.io/",
        ) => format!("pkg:cargo/{name}@{version}"),
        Some(other) => panic!("unexpected source {other} in this repository"),
    }
}

#[test]
fn sbom_of_this_repository_agrees_with_cargo_metadata() {
    agrees_with_cargo_metadata(&[]);
}

/// `cfg(...)` dependencies follow `--target`: the same comparison with cargo's own
/// `--filter-platform`, and Windows-only crates appear only for a Windows target.
#[test]
fn target_specific_dependencies_follow_target() {
    let linux = agrees_with_cargo_metadata(&["--target", "x86_64-unknown-linux-gnu"]);
    let windows = agrees_with_cargo_metadata(&["--target", "x86_64-pc-windows-msvc"]);
    let all = agrees_with_cargo_metadata(&["--target", "all"]);
    let is_windows_sys = |p: &String| p.starts_with("pkg:cargo/windows-sys@");
    assert!(!linux.iter().any(is_windows_sys));
    assert!(windows.iter().any(is_windows_sys));
    assert!(all.iter().any(is_windows_sys));
    assert!(linux.is_subset(&all) && windows.is_subset(&all));
}

/// Runs `vouch sbom` on this repository and `cargo metadata` with the same platform filter;
/// asserts the same packages and edges. Returns the packages' purls.
fn agrees_with_cargo_metadata(args: &[&str]) -> BTreeSet<String> {
    let mut cargo_args = vec!["metadata", "--format-version", "1", "--locked", "--offline"];
    if let [_, triple] = args {
        if *triple != "all" {
            cargo_args.extend(["--filter-platform", triple]);
        }
    }
    let md = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(&cargo_args)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let md: Value = serde_json::from_slice(&md.stdout).unwrap();

    // The workspace's `Cargo.toml`: the repository directory also holds test lockfiles
    // (fuzz/, fixtures/, tests/verifiers/), which a directory walk catalogs as sub-trees.
    let bytes = ok_stdout(
        vouch()
            .arg("sbom")
            .arg(repo().join("Cargo.toml"))
            .arg("--offline")
            .args(args),
    );
    let sbom = vouch_sbom::decode(&bytes).unwrap();
    sbom.check().unwrap();

    let by_id: std::collections::HashMap<&str, &Value> = md["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes = md["resolve"]["nodes"].as_array().unwrap();
    let want_packages: BTreeSet<String> = nodes
        .iter()
        .map(|n| expected_purl(by_id[n["id"].as_str().unwrap()]))
        .collect();
    let mut want_edges: BTreeSet<(String, String)> = BTreeSet::new();
    for n in nodes {
        let from = expected_purl(by_id[n["id"].as_str().unwrap()]);
        for d in n["deps"].as_array().unwrap() {
            want_edges.insert((
                from.clone(),
                expected_purl(by_id[d["pkg"].as_str().unwrap()]),
            ));
        }
    }
    // The synthetic workspace root depends on every member.
    let members: BTreeSet<String> = md["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| expected_purl(by_id[id.as_str().unwrap()]))
        .collect();
    assert!(members.len() > 5);

    let purl_of = |r: &str| {
        sbom.component(r)
            .unwrap()
            .purl
            .as_ref()
            .map(ToString::to_string)
    };
    let got_packages: BTreeSet<String> = sbom
        .components
        .iter()
        .filter_map(|c| c.purl.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(
        sbom.components.len(),
        got_packages.len(),
        "one component per package"
    );
    assert_eq!(
        (
            got_packages.difference(&want_packages).collect::<Vec<_>>(),
            want_packages.difference(&got_packages).collect::<Vec<_>>()
        ),
        (vec![], vec![]),
        "packages only in vouch's SBOM, only in cargo metadata"
    );
    let mut got_edges = BTreeSet::new();
    let mut root_edges = BTreeSet::new();
    for (a, b) in sbom.edges() {
        let to = purl_of(b).unwrap();
        if let Some(from) = purl_of(a) {
            got_edges.insert((from, to));
        } else {
            assert_eq!(a, sbom.root.bom_ref);
            root_edges.insert(to);
        }
    }
    assert_eq!(
        (
            got_edges.difference(&want_edges).collect::<Vec<_>>(),
            want_edges.difference(&got_edges).collect::<Vec<_>>()
        ),
        (vec![], vec![]),
        "edges only in vouch's SBOM, only in cargo metadata"
    );
    assert_eq!(root_edges, members, "root edges");

    // Dev-only crates of this workspace are marked, never dropped silently.
    let excluded: Vec<_> = sbom
        .components
        .iter()
        .filter(|c| c.scope == vouch_sbom::Scope::Excluded)
        .collect();
    assert!(excluded.iter().all(|c| c.dependency_kind.is_some()));
    got_packages
}

/// Per component purl, hashes and scope; edges by purl (refs differ between formats).
fn view(s: &Sbom) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let key = |r: &str| {
        let c = s.component(r).unwrap();
        c.purl
            .as_ref()
            .map_or_else(|| format!("root:{}", c.name), ToString::to_string)
    };
    (
        s.all_components()
            .map(|c| {
                format!(
                    "{} {:?} {:?} {:?}",
                    key(&c.bom_ref),
                    c.hashes,
                    c.scope,
                    c.dependency_kind
                )
            })
            .collect(),
        s.edges().map(|(a, b)| (key(a), key(b))).collect(),
    )
}

#[test]
fn all_formats_carry_the_same_components_and_edges() {
    let lock = lock_fixture("cargo-lock-git-deps");
    let mut views = Vec::new();
    for (format, spec) in [
        (Some("cyclonedx-json@1.6"), "\"specVersion\": \"1.6\""),
        (None, "\"specVersion\": \"1.7\""),
        (Some("cyclonedx-json@1.5"), "\"specVersion\": \"1.5\""),
        (Some("spdx-json"), "\"spdxVersion\": \"SPDX-2.3\""),
    ] {
        let mut cmd = vouch();
        cmd.arg("sbom").arg(&lock);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        let bytes = ok_stdout(&mut cmd);
        assert!(String::from_utf8_lossy(&bytes).contains(spec), "{format:?}");
        views.push(view(&vouch_sbom::decode(&bytes).unwrap()));
    }
    assert_eq!(views[0], views[1]);
    assert_eq!(views[0], views[2]);
    assert_eq!(views[0], views[3]);
    assert_eq!(views[0].0.len(), 12);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let lock = lock_fixture("cargo-lock-basic");
    let a = ok_stdout(vouch().arg("sbom").arg(&lock));
    let b = ok_stdout(vouch().arg("sbom").arg(&lock));
    assert_eq!(a, b, "CycloneDX without SOURCE_DATE_EPOCH has no timestamp");
    let doc: Value = serde_json::from_slice(&a).unwrap();
    assert!(doc["metadata"].get("timestamp").is_none());
    assert_eq!(doc["metadata"]["tools"]["components"][0]["name"], "vouch");
    assert_eq!(
        doc["metadata"]["tools"]["components"][0]["version"],
        env!("CARGO_PKG_VERSION")
    );

    for format in ["cyclonedx-json", "spdx-json"] {
        let run = || {
            ok_stdout(
                vouch()
                    .env("SOURCE_DATE_EPOCH", "1700000000")
                    .args(["sbom", "--format", format])
                    .arg(&lock),
            )
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b, "{format}");
        let text = String::from_utf8(a).unwrap();
        assert!(
            text.contains("\"2023-11-14T22:13:20Z\""),
            "{format}: {text}"
        );
    }

    // The serial number follows the content.
    let other = ok_stdout(
        vouch()
            .arg("sbom")
            .arg(lock_fixture("cargo-lock-path-deps")),
    );
    let serial = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap()["serialNumber"].clone();
    assert_ne!(serial(&a), serial(&other));
}

fn build_deps_workspace() -> tempfile::TempDir {
    let src = vouch_testkit::shared_path("sbom-fixtures/rust/cargo-workspace-build-deps");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(src.join("Cargo.toml"), tmp.path().join("Cargo.toml")).unwrap();
    std::fs::copy(src.join("Cargo.lock"), tmp.path().join("Cargo.lock")).unwrap();
    for (krate, stub) in [
        ("top_level_crate", "main.rs"),
        ("build_dep", "lib.rs"),
        ("runtime_dep_of_build_dep", "lib.rs"),
        ("runtime_dep_of_runtime_dep", "lib.rs"),
    ] {
        let dir = tmp.path().join(krate);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::copy(src.join(krate).join("Cargo.toml"), dir.join("Cargo.toml")).unwrap();
        std::fs::write(dir.join("src").join(stub), "").unwrap();
    }
    tmp
}

#[test]
fn profile_runtime_drops_build_only_crates() {
    let ws = build_deps_workspace();
    let all =
        ok_stdout(
            vouch()
                .arg("sbom")
                .arg(ws.path())
                .args(["--offline", "-p", "top_level_crate"]),
        );
    let doc: Value = serde_json::from_slice(&all).unwrap();
    assert_eq!(doc["metadata"]["component"]["name"], "top_level_crate");
    let comps = doc["components"].as_array().unwrap();
    assert_eq!(comps.len(), 3);
    assert!(comps.iter().all(|c| c["scope"] == "excluded"));

    let runtime = ok_stdout(vouch().arg("sbom").arg(ws.path()).args([
        "--offline",
        "-p",
        "top_level_crate",
        "--profile",
        "runtime",
    ]));
    let doc: Value = serde_json::from_slice(&runtime).unwrap();
    assert!(doc.get("components").is_none(), "{doc}");
    assert_eq!(
        doc["dependencies"],
        serde_json::json!([{"ref": "pkg:cargo/top_level_crate@0.1.0", "dependsOn": []}])
    );
}

#[test]
fn writes_the_output_file_with_dash_o() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sbom.json");
    let lock = lock_fixture("cargo-lock-path-deps");
    let stdout = ok_stdout(vouch().arg("sbom").arg(&lock).arg("-o").arg(&out));
    assert!(stdout.is_empty());
    let direct = ok_stdout(vouch().arg("sbom").arg(&lock));
    assert_eq!(std::fs::read(&out).unwrap(), direct);
}

/// Runs a failing `vouch sbom` twice: once with `-o` naming an existing file (which must
/// stay untouched), once with `-o` naming a new file (which must not appear). Returns the
/// error line.
fn fails(args: &[&str], path: &Path, must_mention: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, b"previous content").unwrap();
    let fresh = dir.path().join("fresh.json");
    for target in [&existing, &fresh] {
        let out = run(vouch()
            .arg("sbom")
            .arg(path)
            .args(["--offline"])
            .args(args)
            .arg("-o")
            .arg(target));
        assert_eq!(out.status.code(), Some(2), "{args:?} {}", path.display());
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{stderr}");
        assert!(
            stderr
                .lines()
                .all(|l| l.starts_with("error:") || l.starts_with("hint:")),
            "one-line error (plus an optional hint): {stderr}"
        );
        assert!(errors[0].contains(must_mention), "{stderr}");
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"previous content");
    assert!(!fresh.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
    let out = run(vouch().arg("sbom").arg(path).args(["--offline"]).args(args));
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn missing_manifest_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let line = fails(&[], dir.path(), "no lockfile found");
    assert!(line.contains(&dir.path().display().to_string()), "{line}");
    fails(&[], &dir.path().join("nope.lock"), "nope.lock");
}

/// `vouch sbom -` said "failed to read `-`: no such file or directory".
#[test]
fn dash_is_not_mistaken_for_a_missing_file() {
    let line = fails(&[], Path::new("-"), "`-`");
    assert!(line.contains("does not read standard input"), "{line}");
}

#[test]
fn unparsable_manifest_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package\nname = \"x\"\n").unwrap();
    let line = fails(&[], dir.path(), "Cargo.toml");
    assert!(line.contains("unclosed table"), "{line}");
}

#[test]
fn unparsable_lockfile_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(&lock, "version = 3\n\n[[package]]\nname = \n").unwrap();
    let line = fails(&[], &lock, "Cargo.lock");
    assert!(line.contains("line 4, column 8"), "{line}");
    // Cut before the first package (only the header comment left): not an empty SBOM.
    std::fs::write(
        &lock,
        "# This file is automatically @generated by Cargo.\n# It is no",
    )
    .unwrap();
    let line = fails(&[], &lock, "Cargo.lock");
    assert!(line.contains("no `[[package]]` entries"), "{line}");
    std::fs::write(&lock, "version = 7\n").unwrap();
    let line = fails(&[], &lock, "Cargo.lock");
    assert!(line.contains("unsupported lockfile version 7"), "{line}");
}

#[test]
fn out_of_date_lockfile_under_locked_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"stale\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n",
    )
    .unwrap();
    let lock = "version = 3\n\n[[package]]\nname = \"stale\"\nversion = \"0.1.0\"\n";
    std::fs::write(dir.path().join("Cargo.lock"), lock).unwrap();
    let line = fails(&[], dir.path(), "Cargo.toml");
    assert!(line.contains("--locked"), "{line}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Cargo.lock")).unwrap(),
        lock,
        "the lockfile is never rewritten"
    );
}

#[test]
fn unknown_format_is_a_one_line_error() {
    let line = fails(
        &["--format", "cyclonedx-xml"],
        &lock_fixture("cargo-lock-basic"),
        "cyclonedx-xml",
    );
    assert!(line.contains("unknown output format"), "{line}");
}

/// `vouch sbom Cargo.lock -p app` warned and wrote an SBOM of every locked package, rooted
/// elsewhere, with exit 0: flags that need `Cargo.toml` are now bad input.
#[test]
fn cargo_only_flags_on_a_bare_lockfile_are_a_one_line_error() {
    let lock = lock_fixture("cargo-lock-basic");
    for args in [
        &["-p", "app"][..],
        &["--target", "x86_64-unknown-linux-gnu"],
        &["--features", "x"],
        &["--all-features"],
        &["--no-default-features"],
    ] {
        let line = fails(args, &lock, args[0]);
        assert!(line.contains("Cargo.lock"), "{line}");
        assert!(line.contains("lockfile-only"), "{line}");
    }
    // `--target all` is the default, so it stays accepted.
    ok_stdout(vouch().arg("sbom").arg(&lock).args(["--target", "all"]));
}

#[test]
fn unknown_package_is_a_one_line_error() {
    let ws = build_deps_workspace();
    fails(&["-p", "no_such_crate"], ws.path(), "no_such_crate");
}

/// A crate `app` whose optional path dependency `helper` is behind feature `extra`, on by
/// default.
fn feature_workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("helper/src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "").unwrap();
    std::fs::write(root.join("helper/src/lib.rs"), "").unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nhelper = { path = \"helper\", optional = true }\n\n\
         [features]\ndefault = [\"extra\"]\nextra = [\"dep:helper\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("helper/Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"helper\",\n]\n\n\
         [[package]]\nname = \"helper\"\nversion = \"0.2.0\"\n",
    )
    .unwrap();
    tmp
}

#[test]
fn feature_flags_select_optional_dependencies() {
    let ws = feature_workspace();
    let has_helper = |args: &[&str]| {
        let bytes = ok_stdout(
            vouch()
                .arg("sbom")
                .arg(ws.path())
                .arg("--offline")
                .args(args),
        );
        let sbom = vouch_sbom::decode(&bytes).unwrap();
        assert_eq!(sbom.root.name, "app");
        sbom.components.iter().any(|c| c.name == "helper")
    };
    assert!(has_helper(&[]), "default features");
    assert!(!has_helper(&["--no-default-features"]));
    assert!(has_helper(&[
        "--no-default-features",
        "--features",
        "extra"
    ]));
    assert!(has_helper(&["--no-default-features", "-F", "extra"]));
    assert!(has_helper(&["--no-default-features", "--all-features"]));
}

/// The same project checked out in two places gives the same SBOM: locations that
/// `cargo metadata` reports as absolute paths are written relative to the path given.
#[test]
fn the_sbom_does_not_depend_on_where_the_project_is_checked_out() {
    let fixture = repo().join("fixtures/release-crate");
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for name in ["one", "two/deeper"] {
        let copy = dir.path().join(name);
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(&fixture).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
            }
        }
        if fixture.join("src").is_dir() {
            std::fs::create_dir_all(copy.join("src")).unwrap();
            for entry in std::fs::read_dir(fixture.join("src")).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), copy.join("src").join(entry.file_name())).unwrap();
            }
        }
        let out = ok_stdout(
            vouch()
                .current_dir(&copy)
                .env("SOURCE_DATE_EPOCH", "1700000000")
                .args(["sbom", ".", "--offline"]),
        );
        assert!(
            !String::from_utf8_lossy(&out).contains(&dir.path().display().to_string()),
            "the SBOM names the checkout directory"
        );
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1]);
}
