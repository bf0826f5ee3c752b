//! `vouch scan` and `vouch db` end to end, against the real data in `../shared`.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Value};

fn vouch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .env_remove("VOUCH_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("run vouch")
}

fn shared(rel: &str) -> String {
    vouch_testkit::shared_path(rel).display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One database imported from `shared/osv` through the CLI, shared by the tests.
fn db() -> &'static str {
    static DB: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db").display().to_string();
        let o = vouch(&["db", "import", &shared("osv"), "--db", &db]);
        assert!(o.status.success(), "{}", stderr(&o));
        (dir, db)
    })
    .1
}

fn scan_json(extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["scan", "--offline", "--db", db(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = vouch(&args);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        )
    });
    (o, v)
}

type Key = (String, String, String);

fn keys(report: &Value) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        let eco = f["package"]["ecosystem"].as_str().unwrap();
        let mut version = f["package"]["version"].as_str().unwrap().to_owned();
        if eco == "Go" {
            // OSV (and the expected files) spell Go versions without `v`/`+incompatible`.
            version = version
                .trim_start_matches('v')
                .trim_end_matches("+incompatible")
                .to_owned();
        }
        for id in f["records"].as_array().unwrap() {
            out.insert((
                f["package"]["name"].as_str().unwrap().to_owned(),
                version.clone(),
                id.as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

fn expected(rel: &str) {
    let (o, report) = scan_json(&[&shared(&format!("lockfiles/{rel}"))]);
    let exp: Value = serde_json::from_slice(
        &std::fs::read(shared(&format!("lockfiles/_expected/{rel}.findings.json"))).unwrap(),
    )
    .unwrap();
    let want: BTreeSet<Key> = exp["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"].as_str().unwrap().to_owned(),
                f["version"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let got = keys(&report);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{rel}: missing {missing:?} extra {extra:?}"
    );
    // Exit code: 1 exactly when there are non-informational findings.
    let vulns = exp["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["informational"].is_null() && f["withdrawn"].is_null());
    assert_eq!(
        o.status.code(),
        Some(i32::from(vulns)),
        "{rel}: {}",
        stderr(&o)
    );
    assert_eq!(report["data"]["mode"], "offline");
    assert!(report["data"]["snapshot"].is_string());
}

macro_rules! expected_findings {
    ($($name:ident: $rel:literal;)*) => {
        $( #[test] fn $name() { expected($rel); } )*

        #[test]
        fn every_expected_findings_file_is_tested() {
            let root = vouch_testkit::shared_path("lockfiles/_expected");
            let tested: Vec<PathBuf> =
                [$($rel),*].iter().map(|r| root.join(format!("{r}.findings.json"))).collect();
            let mut stack = vec![root];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.to_string_lossy().ends_with(".findings.json") {
                        assert!(tested.contains(&p), "{} has no test", p.display());
                    }
                }
            }
        }
    };
}

expected_findings! {
    expected_cargo_nushell_head: "crates.io/nushell/HEAD-2026-08/Cargo.lock";
    expected_cargo_alacritty_head: "crates.io/alacritty/HEAD-2026-06/Cargo.lock";
    expected_cargo_alacritty_v0_4_3: "crates.io/alacritty/v0.4.3/Cargo.lock";
    expected_cargo_alacritty_v0_6_0: "crates.io/alacritty/v0.6.0/Cargo.lock";
    expected_cargo_alacritty_v0_7_2: "crates.io/alacritty/v0.7.2/Cargo.lock";
    expected_cargo_ripgrep_head: "crates.io/ripgrep/HEAD-2026-08/Cargo.lock";
    expected_cargo_ripgrep_13: "crates.io/ripgrep/13.0.0/Cargo.lock";
    expected_pypi_sigstore_requirements: "PyPI/sigstore-python/HEAD-2026-08/requirements.txt";
    expected_pypi_sigstore_uv_lock: "PyPI/sigstore-python/HEAD-2026-08/uv.lock";
    expected_pypi_pygoat_requirements: "PyPI/pygoat/HEAD-2026-03/requirements.txt";
    expected_pypi_pipenv_pipfile_lock: "PyPI/pipenv/2018-03-00158fc/Pipfile.lock";
    expected_pypi_poetry_lock: "PyPI/poetry/HEAD-2026-06/poetry.lock";
    expected_go_gh_cli_v1: "Go/gh-cli/v1.0.0/go.mod";
    expected_go_gh_cli_v2_60: "Go/gh-cli/v2.60.0-2024-10/go.mod";
    expected_npm_nodejs_goof: "npm/nodejs-goof/HEAD-2026-05/package-lock.json";
    expected_npm_sigstore_js: "npm/sigstore-js/HEAD-2026-08/package-lock.json";
    expected_npm_nodegoat_head: "npm/NodeGoat/HEAD-2023-06/package-lock.json";
    expected_npm_nodegoat_2019: "npm/NodeGoat/2019-06-5ddceb1/package-lock.json";
}

fn validator(path: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn json_report_validates_against_the_committed_schema() {
    let schema = vouch_testkit::repo_root().join("schemas/scan-report.schema.json");
    let v = validator(&schema);
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"RUSTSEC-2022-0013\"\nreason = \"regex only parses trusted patterns\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    for input in [
        "lockfiles/crates.io/alacritty/v0.4.3/Cargo.lock",
        "lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock",
        "lockfiles/npm/NodeGoat/HEAD-2023-06/package-lock.json",
        "lockfiles/PyPI/pipenv/2018-03-00158fc/Pipfile.lock",
        "lockfiles/Go/gh-cli/v1.0.0/go.mod",
    ] {
        let (_, report) = scan_json(&[&shared(input), "--ignore-file", ignore.to_str().unwrap()]);
        assert_valid(&v, &report, input);
    }
    // Drift guard: the schema's top-level and finding keys are exactly what the report has.
    let (_, report) = scan_json(&[&shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock")]);
    let s: Value = serde_json::from_slice(&std::fs::read(&schema).unwrap()).unwrap();
    let props: BTreeSet<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let have: BTreeSet<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(props, have);
}

#[test]
fn sarif_validates_and_carries_what_github_needs() {
    let v = validator(
        &vouch_testkit::repo_root().join("fixtures/sarif/sarif-2.1.0-subset.schema.json"),
    );
    let lock = shared("lockfiles/crates.io/alacritty/v0.4.3/Cargo.lock");
    let o = vouch(&[
        "scan",
        "--offline",
        "--db",
        db(),
        "--format",
        "sarif",
        &lock,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&v, &sarif, "sarif");
    let full =
        validator(&vouch_testkit::repo_root().join("fixtures/sarif/sarif-2.1.0-rtm.5.schema.json"));
    assert_valid(&full, &sarif, "sarif (full 2.1.0 schema)");
    // The full schema is live: an unknown property or a wrong version is rejected.
    let mut bad = sarif.clone();
    bad["runs"][0]["results"][0]["severity"] = Value::from("high");
    assert!(!full.is_valid(&bad));
    let mut bad = sarif.clone();
    bad["version"] = Value::from("2.0.0");
    assert!(!full.is_valid(&bad));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 42);
    let text = std::fs::read_to_string(&lock).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(!r["partialFingerprints"].as_object().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], lock.as_str());
        // The region points at the package's `name = "…"` line in Cargo.lock.
        let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
        let pkg = r["message"]["text"]
            .as_str()
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert_eq!(lines[line - 1], format!("name = \"{pkg}\""), "{r}");
    }
    for rule in rules {
        if let Some(s) = rule["properties"]["security-severity"].as_str() {
            let score: f64 = s.parse().unwrap();
            assert!((0.0..=10.0).contains(&score));
        }
    }
    // RUSTSEC-2022-0013 (regex) is CVSS 7.5.
    let regex = rules
        .iter()
        .find(|r| r["id"] == "RUSTSEC-2020-0071")
        .unwrap();
    assert_eq!(regex["properties"]["security-severity"], "6.2");
}

#[test]
fn markdown_and_table_list_every_finding() {
    let lock = shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    for format in ["markdown", "table"] {
        let o = vouch(&["scan", "--offline", "--db", db(), "--format", format, &lock]);
        let out = String::from_utf8(o.stdout).unwrap();
        for id in [
            "RUSTSEC-2022-0013",
            "RUSTSEC-2022-0006",
            "RUSTSEC-2021-0145",
        ] {
            assert!(out.contains(id), "{format}: {out}");
        }
        assert!(
            out.contains("56 packages scanned; 2 vulnerabilities"),
            "{format}: {out}"
        );
    }
}

/// The shapes users read: the Markdown PR comment and the terminal table.
#[test]
fn markdown_and_table_snapshots() {
    let lock = shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    let source = shared("osv");
    for format in ["markdown", "table"] {
        let o = vouch(&["scan", "--offline", "--db", db(), "--format", format, &lock]);
        let out = String::from_utf8(o.stdout)
            .unwrap()
            .replace(&source, "[shared]/osv");
        insta::assert_snapshot!(format!("ripgrep_13_{format}"), out);
    }
}

#[test]
fn fail_on_threshold_and_informational() {
    // ripgrep 13: regex (high 7.5), thread_local (no CVSS: unknown), 4 informational.
    let lock = shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    let code = |extra: &[&str]| {
        let mut a = vec!["scan", "--offline", "--db", db(), "--format", "json", &lock];
        a.extend_from_slice(extra);
        vouch(&a).status.code()
    };
    assert_eq!(code(&[]), Some(1));
    // Unknown severity counts against every threshold.
    assert_eq!(code(&["--fail-on", "critical"]), Some(1));
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("i.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"GHSA-9hpw-r23r-xgm5\"\nreason = \"thread_local iterators are unused\"\nexpires = \"2999-12-31\"\n",
    )
    .unwrap();
    let ig = ignore.to_str().unwrap();
    assert_eq!(
        code(&["--ignore-file", ig, "--fail-on", "critical"]),
        Some(0)
    );
    assert_eq!(code(&["--ignore-file", ig, "--fail-on", "high"]), Some(1));
    // Only informational findings left: pass unless asked.
    let clean = shared("lockfiles/crates.io/alacritty/HEAD-2026-06/Cargo.lock");
    let (o, report) = scan_json(&[&clean]);
    assert!(report["summary"]["warnings"].as_u64().unwrap() >= 1);
    let _ = o;
}

#[test]
fn ignore_file_suppresses_and_reports_expired_and_unused() {
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(
        &ignore,
        r#"[[ignore]]
id = "CVE-2022-24713"
reason = "only trusted regexes"
expires = "2999-01-01"

[[ignore]]
id = "RUSTSEC-2022-0006"
reason = "old"
expires = "2001-01-01"

[[ignore]]
id = "RUSTSEC-1999-0001"
reason = "nothing"
expires = "2999-01-01"
"#,
    )
    .unwrap();
    let (_, report) = scan_json(&[
        &shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock"),
        "--ignore-file",
        ignore.to_str().unwrap(),
    ]);
    let regex = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2022-0013")
        .unwrap();
    assert_eq!(regex["suppressed"]["kind"], "ignore");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"ignore-expired"), "{codes:?}");
    assert!(codes.contains(&"ignore-unused"), "{codes:?}");
    assert_eq!(report["summary"]["suppressed"], 1);
}

#[test]
fn vex_not_affected_suppresses_before_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let vex = dir.path().join("app.openvex.json");
    std::fs::write(
        &vex,
        serde_json::to_vec(&json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "author": "test",
            "timestamp": "2026-01-01T00:00:00Z",
            "version": 1,
            "statements": [
                {"vulnerability": {"name": "CVE-2022-24713"},
                 "products": [{"@id": "pkg:github/BurntSushi/ripgrep@13.0.0",
                               "subcomponents": [{"@id": "pkg:cargo/regex@1.5.4"}]}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
                {"vulnerability": {"name": "RUSTSEC-2022-0006"},
                 "products": [{"@id": "pkg:cargo/thread_local@1.1.3"}],
                 "status": "not_affected", "justification": "vulnerable_code_not_present"}
            ]
        }))
        .unwrap(),
    )
    .unwrap();
    let (o, report) = scan_json(&[
        &shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock"),
        "--vex",
        vex.to_str().unwrap(),
    ]);
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(report["summary"]["vulnerabilities"], 0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // OpenVEX output round-trips through --vex.
    let o = vouch(&[
        "scan",
        "--offline",
        "--db",
        db(),
        "--format",
        "openvex",
        &shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock"),
    ]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    assert!(doc["statements"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "affected"));
}

#[test]
fn bad_ignore_entries_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let lock = shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock");
    for (body, needle) in [
        (
            "[[ignore]]\nid = \"X-1\"\nexpires = \"2999-01-01\"\n",
            "has no `reason`",
        ),
        (
            "[[ignore]]\nid = \"X-1\"\nreason = \"r\"\n",
            "has no `expires`",
        ),
        (
            "[[ignore]]\nid = \"X-1\"\nreason = \"r\"\nexpires = \"soon\"\n",
            "not a YYYY-MM-DD",
        ),
    ] {
        let f = dir.path().join("i.toml");
        std::fs::write(&f, body).unwrap();
        let o = vouch(&[
            "scan",
            "--offline",
            "--db",
            db(),
            &lock,
            "--ignore-file",
            f.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(o.stdout.is_empty(), "no report on bad input");
    }
}

#[test]
fn corrupt_zip_is_a_clear_error_and_leaves_the_old_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db_s = db.to_str().unwrap();
    let good = dir.path().join("good");
    std::fs::create_dir_all(good.join("npm")).unwrap();
    std::fs::copy(shared("osv/npm/all.zip"), good.join("npm/all.zip")).unwrap();
    assert!(
        vouch(&["db", "import", good.to_str().unwrap(), "--db", db_s])
            .status
            .success()
    );
    let mut bytes = std::fs::read(shared("osv/crates.io/all.zip")).unwrap();
    // Flip bytes inside the first entry's compressed data.
    for b in &mut bytes[200..260] {
        *b ^= 0x5a;
    }
    let bad = dir.path().join("bad.zip");
    std::fs::write(&bad, &bytes).unwrap();
    let o = vouch(&["db", "import", bad.to_str().unwrap(), "--db", db_s]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.zip") && err.contains("not a readable zip archive"),
        "{err}"
    );
    // Truncated.
    std::fs::write(
        &bad,
        &std::fs::read(shared("osv/npm/all.zip")).unwrap()[..5000],
    )
    .unwrap();
    let o = vouch(&["db", "import", bad.to_str().unwrap(), "--db", db_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("end-of-central-directory"),
        "{}",
        stderr(&o)
    );
    // The previous database still answers.
    let o = vouch(&["db", "info", "--db", db_s, "--format", "json"]);
    let meta: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(meta["ecosystems"]["npm"]["records"], 15);
}

#[test]
fn one_bad_record_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let recs = dir.path().join("records");
    std::fs::create_dir_all(&recs).unwrap();
    std::fs::write(
        recs.join("GOOD-1.json"),
        br#"{"id":"GOOD-1","modified":"2026-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"regex"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.5.5"}]}]}]}"#,
    )
    .unwrap();
    // `affected` must be an array: breaks the schema.
    std::fs::write(
        recs.join("BAD-1.json"),
        br#"{"id":"BAD-1","modified":"2026-01-01T00:00:00Z","affected":{"x":1}}"#,
    )
    .unwrap();
    let db = dir.path().join("db");
    let o = vouch(&[
        "db",
        "import",
        recs.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("osv-record-invalid") && err.contains("BAD-1.json"),
        "{err}"
    );
    assert!(err.contains("imported 1 records"), "{err}");
    let o = vouch(&[
        "scan",
        "--offline",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        &shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["findings"][0]["id"], "GOOD-1");
}

#[test]
fn unknown_ecosystem_and_missing_inputs_are_errors_never_zero_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/NotAnEcosystem")).unwrap();
    std::fs::copy(
        shared("osv/npm/all.zip"),
        dir.path().join("src/NotAnEcosystem/all.zip"),
    )
    .unwrap();
    let o = vouch(&[
        "db",
        "import",
        dir.path().join("src").to_str().unwrap(),
        "--db",
        dir.path().join("db").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown ecosystem `NotAnEcosystem`"),
        "{}",
        stderr(&o)
    );
    let o = vouch(&[
        "db",
        "update",
        "--ecosystem",
        "Nope",
        "--from",
        "http://127.0.0.1:9",
        "--db",
        dir.path().join("db").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown ecosystem `Nope`"),
        "{}",
        stderr(&o)
    );
    // No database: an error, not "0 vulnerabilities".
    let o = vouch(&[
        "scan",
        "--offline",
        "--db",
        dir.path().join("nodb").to_str().unwrap(),
        &shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no vouch database"), "{}", stderr(&o));
    // A directory without lockfiles.
    let o = vouch(&[
        "scan",
        "--offline",
        "--db",
        db(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no lockfile found"), "{}", stderr(&o));
    // A broken lockfile.
    let broken = dir.path().join("package-lock.json");
    std::fs::write(&broken, "{\"lockfileVersion\": 3, \"packages\": ").unwrap();
    let o = vouch(&["scan", "--offline", "--db", db(), broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("package-lock.json"), "{}", stderr(&o));
}

#[test]
fn sbom_input_from_stdin() {
    let sbom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
        "components": [
            {"type": "library", "name": "regex", "version": "1.5.4", "purl": "pkg:cargo/regex@1.5.4", "bom-ref": "a"},
            {"type": "library", "name": "lodash", "version": "4.17.4", "purl": "pkg:npm/lodash@4.17.4", "bom-ref": "b"},
            {"type": "library", "name": "Django", "version": "4.2", "purl": "pkg:pypi/django@4.2", "bom-ref": "c"},
            {"type": "library", "name": "crypto", "version": "v0.0.0-20200820211705-5c72a883971a", "purl": "pkg:golang/golang.org/x/crypto@v0.0.0-20200820211705-5c72a883971a", "bom-ref": "d"}
        ]
    });
    let o = vouch_testkit::run_with_input(
        Command::new(env!("CARGO_BIN_EXE_vouch")).args([
            "scan",
            "--offline",
            "--db",
            db(),
            "--format",
            "json",
            "--sbom",
            "-",
        ]),
        &serde_json::to_vec(&sbom).unwrap(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let pkgs: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["package"]["name"].as_str().unwrap())
        .collect();
    // PyPI: the name as the SBOM's component spells it (the purl's is normalised), so
    // `scan --sbom` and `scan requirements.txt` report the same package names.
    for p in ["regex", "lodash", "Django", "golang.org/x/crypto"] {
        assert!(pkgs.contains(p), "{p} not in {pkgs:?}");
    }
}

// ---------------------------------------------------------------------------------------
// A loopback OSV API and export bucket serving the real records in `shared/osv`.

struct Records {
    by_id: HashMap<String, (Value, Vec<u8>)>,
    by_pkg: HashMap<(String, String), Vec<String>>,
}

fn load_records() -> &'static Records {
    static R: OnceLock<Records> = OnceLock::new();
    R.get_or_init(|| {
        let mut by_id = HashMap::new();
        let mut by_pkg: HashMap<(String, String), Vec<String>> = HashMap::new();
        for eco in ["crates.io", "npm", "PyPI", "Go", "Maven"] {
            let bytes = std::fs::read(shared(&format!("osv/{eco}/all.zip"))).unwrap();
            for e in vouch_osv::zip::entries(eco, &bytes).unwrap() {
                let v: Value = serde_json::from_slice(&e.data).unwrap();
                let id = v["id"].as_str().unwrap().to_owned();
                for a in v["affected"].as_array().into_iter().flatten() {
                    let (Some(e), Some(n)) = (
                        a["package"]["ecosystem"].as_str(),
                        a["package"]["name"].as_str(),
                    ) else {
                        continue;
                    };
                    let key = (e.to_owned(), vouch_osv::name::normalize(e, n));
                    let ids = by_pkg.entry(key).or_default();
                    if !ids.contains(&id) {
                        ids.push(id.clone());
                    }
                }
                by_id.insert(id, (v, e.data));
            }
        }
        Records { by_id, by_pkg }
    })
}

struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

/// `fail_first`: answer the first N requests with 503 (retry path).
fn serve(fail_first: usize, files: HashMap<String, Vec<u8>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    let count = Arc::new(AtomicUsize::new(0));
    let files = Arc::new(files);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let log = log.clone();
            let count = count.clone();
            let files = files.clone();
            std::thread::spawn(move || handle(stream, &log, &count, fail_first, &files));
        }
    });
    Server { url, requests }
}

fn respond(mut s: &TcpStream, status: &str, body: &[u8]) {
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
}

fn handle(
    stream: TcpStream,
    log: &Mutex<Vec<String>>,
    count: &AtomicUsize,
    fail_first: usize,
    files: &HashMap<String, Vec<u8>>,
) {
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    );
    let mut len = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    log.lock().unwrap().push(format!("{method} {path}"));
    if count.fetch_add(1, Ordering::SeqCst) < fail_first {
        respond(&stream, "503 Service Unavailable", b"{}");
        return;
    }
    if let Some(bytes) = files.get(&path) {
        respond(&stream, "200 OK", bytes);
        return;
    }
    let recs = load_records();
    if method == "POST" && path == "/v1/querybatch" {
        let q: Value = serde_json::from_slice(&body).unwrap();
        let queries = q["queries"].as_array().unwrap();
        assert!(queries.len() <= 1000, "batch over the API limit");
        let mut results = Vec::new();
        for q in queries {
            let eco = q["package"]["ecosystem"].as_str().unwrap();
            let name = vouch_osv::name::normalize(eco, q["package"]["name"].as_str().unwrap());
            let ids = recs
                .by_pkg
                .get(&(eco.to_owned(), name))
                .cloned()
                .unwrap_or_default();
            // Pages of 2 so pagination is exercised.
            let page: usize = q["page_token"].as_str().map_or(0, |t| t.parse().unwrap());
            let chunk: Vec<Value> = ids
                .iter()
                .skip(page * 2)
                .take(2)
                .map(|id| json!({"id": id, "modified": recs.by_id[id].0["modified"]}))
                .collect();
            let mut r = json!({});
            if !chunk.is_empty() {
                r["vulns"] = json!(chunk);
            }
            if ids.len() > (page + 1) * 2 {
                r["next_page_token"] = json!((page + 1).to_string());
            }
            results.push(r);
        }
        respond(
            &stream,
            "200 OK",
            &serde_json::to_vec(&json!({"results": results})).unwrap(),
        );
    } else if let Some(id) = path.strip_prefix("/v1/vulns/") {
        match recs.by_id.get(id) {
            Some((_, raw)) => respond(&stream, "200 OK", raw),
            None => respond(
                &stream,
                "404 Not Found",
                b"{\"code\":5,\"message\":\"Bug not found.\"}",
            ),
        }
    } else {
        respond(&stream, "404 Not Found", b"{}");
    }
}

fn online_vs_offline(rel: &str, fail_first: usize) {
    let server = serve(fail_first, HashMap::new());
    let lock = shared(&format!("lockfiles/{rel}"));
    let home = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["scan", "--osv-url", &server.url, "--format", "json", &lock])
        .env("VOUCH_DB", home.path().join("db"))
        .output()
        .unwrap();
    let online: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", stderr(&o)));
    assert_eq!(online["data"]["mode"], "online");
    let (_, offline) = scan_json(&[&lock]);
    assert_eq!(keys(&online), keys(&offline), "{rel}");
    assert!(!keys(&online).is_empty());
    let reqs = server.requests.lock().unwrap();
    assert!(
        reqs.iter().any(|r| r.starts_with("GET /v1/vulns/")),
        "{reqs:?}"
    );
}

#[test]
fn online_matches_offline_cargo() {
    online_vs_offline("crates.io/alacritty/v0.4.3/Cargo.lock", 0);
}

#[test]
fn online_matches_offline_npm_with_pagination() {
    online_vs_offline("npm/NodeGoat/HEAD-2023-06/package-lock.json", 0);
}

#[test]
fn online_matches_offline_pypi_and_go() {
    online_vs_offline("PyPI/pipenv/2018-03-00158fc/Pipfile.lock", 0);
    online_vs_offline("Go/gh-cli/v1.0.0/go.mod", 0);
}

#[test]
fn online_retries_on_503() {
    online_vs_offline("crates.io/ripgrep/13.0.0/Cargo.lock", 2);
}

#[test]
fn online_failure_is_partial_results_error() {
    let server = serve(usize::MAX, HashMap::new());
    let o = vouch(&[
        "scan",
        "--osv-url",
        &server.url,
        "--format",
        "json",
        &shared("lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("partial results"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn db_update_downloads_then_refreshes_incrementally() {
    let zip = std::fs::read(shared("osv/npm/all.zip")).unwrap();
    let entries = vouch_osv::zip::entries("npm", &zip).unwrap();
    // First update: no database yet → all.zip.
    let mut files = HashMap::new();
    files.insert("/npm/all.zip".to_owned(), zip.clone());
    let server = serve(0, files);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let o = vouch(&[
        "db",
        "update",
        "--from",
        &server.url,
        "--ecosystem",
        "npm",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = vouch(&[
        "db",
        "info",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let meta: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(meta["ecosystems"]["npm"]["records"], 15);
    assert_eq!(meta["source"][0], server.url.as_str());
    // Second update: one record changed since the snapshot → only it is fetched.
    let first = &entries[0];
    let mut rec: Value = serde_json::from_slice(&first.data).unwrap();
    let id = rec["id"].as_str().unwrap().to_owned();
    rec["modified"] = json!("2099-01-01T00:00:00Z");
    rec["summary"] = json!("changed upstream");
    let mut files = HashMap::new();
    files.insert(
        "/npm/modified_id.csv".to_owned(),
        format!("2099-01-01T00:00:00Z,{id}\n2001-01-01T00:00:00Z,OLD-1\n").into_bytes(),
    );
    files.insert(format!("/npm/{id}.json"), serde_json::to_vec(&rec).unwrap());
    let server2 = serve(0, files);
    let o = vouch(&[
        "db",
        "update",
        "--from",
        &server2.url,
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reqs = server2.requests.lock().unwrap().clone();
    assert!(!reqs.iter().any(|r| r.contains("all.zip")), "{reqs:?}");
    assert!(
        reqs.iter().any(|r| r.contains(&format!("/npm/{id}.json"))),
        "{reqs:?}"
    );
    let o = vouch(&[
        "db",
        "info",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let meta: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(meta["ecosystems"]["npm"]["records"], 15);
    assert_eq!(
        meta["ecosystems"]["npm"]["modified"],
        "2099-01-01T00:00:00Z"
    );
    // A failed update (bucket gone) leaves the database usable.
    let o = vouch(&[
        "db",
        "update",
        "--from",
        "http://127.0.0.1:9",
        "--ecosystem",
        "crates.io",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = vouch(&[
        "db",
        "info",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success());
}

#[test]
fn yarn_pnpm_gemfile_and_composer_lockfiles_are_scanned() {
    // yarn v1 records registry packages by tarball URL; they are looked up.
    let (_, yarn) = scan_json(&[&shared("lockfiles/npm/vue2/v2.6.14-yarn/yarn.lock")]);
    assert!(
        yarn["summary"]["packages"].as_u64().unwrap() > 1000,
        "{}",
        yarn["summary"]
    );
    assert!(keys(&yarn)
        .iter()
        .any(|(n, _, id)| n == "glob-parent" && id == "GHSA-ww39-953v-wcq6"));
    let (_, pnpm) = scan_json(&[&shared(
        "lockfiles/npm/vue2/HEAD-2024-10-pnpm/pnpm-lock.yaml",
    )]);
    assert!(keys(&pnpm).contains(&(
        "glob-parent".to_owned(),
        "3.1.0".to_owned(),
        "GHSA-ww39-953v-wcq6".to_owned()
    )));
    // Platform gems (`nokogiri (1.19.0-x86_64-linux-gnu)`) are looked up by version.
    let (_, gems) = scan_json(&[&shared(
        "lockfiles/RubyGems/railsgoat/HEAD-2026-01/Gemfile.lock",
    )]);
    assert_eq!(gems["summary"]["unparsed_versions"], 0);
    assert!(gems["summary"]["packages"].as_u64().unwrap() > 100);
    // Packagist packages are pinned by git commit in composer.lock and still looked up.
    let (_, composer) = scan_json(&[&shared(
        "lockfiles/Packagist/symfony-demo/v1.5.0/composer.lock",
    )]);
    assert!(
        composer["summary"]["packages"].as_u64().unwrap() > 100,
        "{}",
        composer["summary"]
    );
}
