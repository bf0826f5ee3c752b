//! The catalog end to end (issue 11): every real lockfile under `../shared/lockfiles` gives
//! an SBOM valid against the official schemas in every format vouch writes, every format
//! carries the same components and edges, and `vouch scan --sbom` of each SBOM finds exactly
//! what `vouch scan LOCKFILE` finds. Bad input is one `error:` line naming the file and
//! line, exit 2, nothing written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use jsonschema::{Draft, Resource, Validator};
use serde_json::Value;

const FORMATS: &[&str] = &[
    "cyclonedx-json@1.7",
    "cyclonedx-json@1.6",
    "cyclonedx-json@1.5",
    "spdx-json@2.3",
    "spdx-json@3.0.1",
];

fn vouch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .env_remove("VOUCH_DB")
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run vouch")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn shared(rel: &str) -> PathBuf {
    vouch_testkit::shared_path(rel)
}

fn db() -> &'static str {
    static DB: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db").display().to_string();
        let o = vouch(&["db", "import", shared("osv").to_str().unwrap(), "--db", &db]);
        assert!(o.status.success(), "{}", stderr(&o));
        (dir, db)
    })
    .1
}

fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn cyclonedx_validator(version: &str) -> Validator {
    let dir = shared("schemas/cyclonedx");
    let mut opts = jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true);
    for file in [
        "spdx.schema.json",
        "jsf-0.82.schema.json",
        "cryptography-defs.schema.json",
    ] {
        let contents = load(&dir.join(file));
        let id = contents["$id"].as_str().unwrap().to_owned();
        opts = opts.with_resource(id, Resource::from_contents(contents).unwrap());
    }
    opts.build(&load(&dir.join(format!("bom-{version}.schema.json"))))
        .unwrap()
}

fn spdx2_validator() -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft201909)
        .should_validate_formats(true)
        .build(&load(&shared("schemas/spdx-2.3/spdx-schema.json")))
        .unwrap()
}

/// `python3 tests/verifiers/spdx3_validate.py`, when spdx-python-model is installed (CI
/// installs it from `tests/verifiers/requirements.txt`).
fn spdx3_validator() -> Option<PathBuf> {
    if !vouch_testkit::require_tool("python3") {
        return None;
    }
    let (ok, _, _) =
        vouch_testkit::run(Command::new("python3").args(["-c", "import spdx_python_model"]));
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "spdx-python-model missing: .ci/run installs tests/verifiers/requirements.txt"
        );
        return None;
    }
    Some(vouch_testkit::repo_root().join("tests/verifiers/spdx3_validate.py"))
}

fn spdx3_check(script: &Path, files: &[PathBuf]) -> (bool, String) {
    let (ok, out, err) = vouch_testkit::run(Command::new("python3").arg(script).args(files));
    (ok, format!("{out}{err}"))
}

#[test]
fn spdx3_validator_accepts_the_spec_example_and_rejects_broken_ones() {
    let Some(script) = spdx3_validator() else {
        return;
    };
    let example = shared("schemas/spdx-3.0.1/package_sbom.spdx3.json");
    let (ok, out) = spdx3_check(&script, std::slice::from_ref(&example));
    assert!(ok, "{out}");
    let dir = tempfile::tempdir().unwrap();
    let mut bad = Vec::new();
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 3] = [
        ("wrong type", |e| {
            if e["type"] == "software_Package" {
                e["software_packageVersion"] = 5.into();
            }
        }),
        ("missing required", |e| {
            if e["type"] == "Relationship" {
                e.as_object_mut().unwrap().remove("relationshipType");
            }
        }),
        ("dangling reference", |e| {
            if e["type"] == "Relationship" {
                e["from"] = "http://spdx.example.com/nowhere".into();
            }
        }),
    ];
    for (what, mutate) in mutations {
        let mut doc = load(&example);
        for e in doc["@graph"].as_array_mut().unwrap() {
            mutate(e);
        }
        let path = dir.path().join(format!("{}.json", what.replace(' ', "-")));
        std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
        let (ok, out) = spdx3_check(&script, std::slice::from_ref(&path));
        assert!(!ok, "{what}: {out}");
        bad.push(path);
    }
}

/// Every lockfile and manifest under `../shared/lockfiles` (go.sum is read with its go.mod).
fn shared_lockfiles() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                if !name.starts_with('_') {
                    walk(&p, out);
                }
            } else if !matches!(name.as_str(), "MANIFEST.json" | "PROVENANCE.md" | "go.sum") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&shared("lockfiles"), &mut out);
    out.sort();
    assert!(out.len() >= 25, "{out:?}");
    out
}

type Key = (String, String, String);

fn findings(args: &[&str]) -> BTreeSet<Key> {
    let mut all = vec!["scan", "--offline", "--db", db(), "--format", "json"];
    all.extend_from_slice(args);
    let o = vouch(&all);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&o)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out = BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        for id in f["records"].as_array().unwrap() {
            out.insert((
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["package"]["version"].as_str().unwrap().to_owned(),
                id.as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

/// Components (purl or name@version) and edges between them, format-neutral.
type View = (BTreeSet<String>, BTreeSet<(String, String)>);

fn view(s: &vouch_sbom::Sbom) -> View {
    let key = |r: &str| {
        let c = s.component(r).unwrap();
        c.purl.as_ref().map_or_else(
            || format!("{}@{}", c.name, c.version.as_deref().unwrap_or("")),
            ToString::to_string,
        )
    };
    (
        s.all_components().map(|c| key(&c.bom_ref)).collect(),
        s.edges().map(|(a, b)| (key(a), key(b))).collect(),
    )
}

#[test]
fn every_shared_lockfile_in_every_format_scans_the_same() {
    let cdx = [
        ("1.7", cyclonedx_validator("1.7")),
        ("1.6", cyclonedx_validator("1.6")),
        ("1.5", cyclonedx_validator("1.5")),
    ];
    let spdx2 = spdx2_validator();
    let spdx3 = spdx3_validator();
    let dir = tempfile::tempdir().unwrap();
    let mut spdx3_files = Vec::new();
    let mut checked = 0;
    for (i, lock) in shared_lockfiles().iter().enumerate() {
        let lock_s = lock.to_str().unwrap();
        let direct = findings(&[lock_s]);
        let mut views = Vec::new();
        for format in FORMATS {
            let out = dir.path().join(format!("{i}-{format}.json"));
            let o = vouch(&[
                "sbom",
                lock_s,
                "--format",
                format,
                "-o",
                out.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{lock_s} {format}: {}", stderr(&o));
            let doc = load(&out);
            let errs: Vec<String> = match *format {
                "spdx-json@2.3" => spdx2
                    .iter_errors(&doc)
                    .map(|e| format!("{e} at {}", e.instance_path))
                    .collect(),
                "spdx-json@3.0.1" => {
                    spdx3_files.push(out.clone());
                    Vec::new()
                }
                f => {
                    let v = &cdx.iter().find(|(n, _)| f.ends_with(n)).unwrap().1;
                    v.iter_errors(&doc)
                        .map(|e| format!("{e} at {}", e.instance_path))
                        .collect()
                }
            };
            assert!(errs.is_empty(), "{lock_s} {format}: {errs:?}");
            let sbom = vouch_sbom::decode(&std::fs::read(&out).unwrap()).unwrap();
            views.push(view(&sbom));
            let via_sbom = findings(&["--sbom", out.to_str().unwrap()]);
            assert_eq!(
                via_sbom, direct,
                "{lock_s}: scan --sbom ({format}) vs scan LOCKFILE"
            );
            checked += 1;
        }
        for (f, v) in FORMATS.iter().zip(&views).skip(1) {
            assert_eq!(v, &views[0], "{lock_s}: {f} vs {}", FORMATS[0]);
        }
    }
    assert!(checked >= 125, "{checked}");
    if let Some(script) = spdx3 {
        let (ok, out) = spdx3_check(&script, &spdx3_files);
        assert!(ok, "{out}");
        assert_eq!(out.matches(": ok:").count(), spdx3_files.len(), "{out}");
    }
}

/// Runs `vouch sbom` and `vouch scan` on bad input: exit 2, one `error:` line (plus an
/// optional hint) naming the file and line, nothing written. Returns the error line.
fn rejects(path: &Path, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    let mut lines = Vec::new();
    for cmd in ["sbom", "scan"] {
        let mut args = vec![cmd, path.to_str().unwrap(), "-o", target.to_str().unwrap()];
        if cmd == "scan" {
            args.extend(["--offline", "--db", db()]);
        }
        args.extend_from_slice(extra);
        let o = vouch(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{cmd} {}: {}",
            path.display(),
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(
            err.lines().all(|l| l.starts_with("error:")
                || l.starts_with("hint:")
                || l.starts_with("note:")),
            "one line: {err}"
        );
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!target.exists(), "nothing written");
        lines.push(errors[0].to_owned());
    }
    lines.remove(0)
}

#[test]
fn bad_input_is_one_line_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // A truncated lockfile.
    let full = std::fs::read_to_string(shared(
        "lockfiles/npm/NodeGoat/HEAD-2023-06/package-lock.json",
    ))
    .unwrap();
    let p = dir.path().join("package-lock.json");
    std::fs::write(&p, &full[..full.len() / 2]).unwrap();
    let line = rejects(&p, &[]);
    assert!(
        line.contains("package-lock.json") && line.contains("line "),
        "{line}"
    );
    // Another format under a known name: a JSON document as go.mod, a poetry.lock as
    // Pipfile.lock, a package-lock.json as yarn.lock.
    for (name, content) in [
        ("go.mod", "{\"module\": \"x\"}\n".to_owned()),
        (
            "Pipfile.lock",
            std::fs::read_to_string(shared("lockfiles/PyPI/poetry/HEAD-2026-06/poetry.lock"))
                .unwrap(),
        ),
        ("yarn.lock", full.clone()),
    ] {
        let sub = dir.path().join(name.replace('.', "_"));
        std::fs::create_dir_all(&sub).unwrap();
        let p = sub.join(name);
        std::fs::write(&p, content).unwrap();
        let line = rejects(&p, &[]);
        assert!(
            line.contains(name) && line.contains("line "),
            "{name}: {line}"
        );
    }
    // A requirements include loop.
    let loop_dir = dir.path().join("loop");
    std::fs::create_dir_all(&loop_dir).unwrap();
    std::fs::write(loop_dir.join("requirements.txt"), "a==1.0\n-r other.txt\n").unwrap();
    std::fs::write(
        loop_dir.join("other.txt"),
        "b==2.0\n\n-r requirements.txt\n",
    )
    .unwrap();
    let line = rejects(&loop_dir.join("requirements.txt"), &[]);
    assert!(
        line.contains("include loop") && line.contains("other.txt") && line.contains("line 3"),
        "{line}"
    );
    // A single line of tens of megabytes.
    let big = dir.path().join("big");
    std::fs::create_dir_all(&big).unwrap();
    let p = big.join("requirements.txt");
    std::fs::write(&p, "a".repeat(30 << 20)).unwrap();
    let line = rejects(&p, &[]);
    assert!(
        line.contains("requirements.txt") && line.contains("line 1"),
        "{line}"
    );
}

#[test]
fn includes_other_names_and_type_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("requirements");
    std::fs::create_dir_all(&req).unwrap();
    std::fs::write(
        req.join("main.txt"),
        "-r base.txt\n-c constraints.txt\nDjango==3.2.0\n",
    )
    .unwrap();
    std::fs::write(req.join("base.txt"), "requests==2.19.0\n").unwrap();
    std::fs::write(req.join("constraints.txt"), "urllib3==1.24.1\n").unwrap();
    let o = vouch(&["sbom", req.join("main.txt").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sbom = vouch_sbom::decode(&o.stdout).unwrap();
    let names: BTreeSet<&str> = sbom.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["Django", "requests"]),
        "the include is followed; constraints add nothing"
    );
    let requests = sbom
        .components
        .iter()
        .find(|c| c.name == "requests")
        .unwrap();
    let loc = requests.location.as_ref().unwrap();
    assert!(
        loc.file.ends_with("base.txt") && loc.line == Some(1),
        "{loc:?}"
    );
    // `--type` reads any name; without it, an unknown name is refused.
    let odd = dir.path().join("deps.lst");
    std::fs::write(&odd, "flask==0.12\n").unwrap();
    let o = vouch(&["sbom", odd.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = vouch(&["sbom", odd.to_str().unwrap(), "--type", "requirements"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sbom = vouch_sbom::decode(&o.stdout).unwrap();
    assert_eq!(sbom.components.len(), 1);
    assert_eq!(
        sbom.components[0].purl.as_ref().unwrap().to_string(),
        "pkg:pypi/flask@0.12"
    );
}

#[test]
fn a_directory_is_one_sbom_with_a_subtree_per_lockfile() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    let api = dir.path().join("api");
    std::fs::create_dir_all(web.join("node_modules/x")).unwrap();
    std::fs::create_dir_all(&api).unwrap();
    std::fs::copy(
        shared("lockfiles/npm/NodeGoat/HEAD-2023-06/package-lock.json"),
        web.join("package-lock.json"),
    )
    .unwrap();
    // Vendored and ignored trees are skipped.
    std::fs::write(web.join("node_modules/x/package-lock.json"), "not json").unwrap();
    std::fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
    std::fs::create_dir_all(dir.path().join("ignored")).unwrap();
    std::fs::write(dir.path().join("ignored/yarn.lock"), "garbage").unwrap();
    std::fs::copy(
        shared("lockfiles/PyPI/pygoat/HEAD-2026-03/requirements.txt"),
        api.join("requirements.txt"),
    )
    .unwrap();
    let o = vouch(&["sbom", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sbom = vouch_sbom::decode(&o.stdout).unwrap();
    sbom.check().unwrap();
    let subroots = &sbom.dependencies[&sbom.root.bom_ref];
    assert_eq!(subroots.len(), 2, "{subroots:?}");
    for r in subroots {
        assert!(
            !sbom.dependencies[r].is_empty(),
            "{r} has its packages under it"
        );
    }
    let ecosystems: BTreeSet<&str> = sbom
        .components
        .iter()
        .filter_map(|c| c.purl.as_ref().map(vouch_core::Purl::ty))
        .collect();
    assert!(
        ecosystems.contains("npm") && ecosystems.contains("pypi"),
        "{ecosystems:?}"
    );
    // scan of the directory = scan of each file.
    let both = findings(&[dir.path().to_str().unwrap()]);
    let mut each = findings(&[web.join("package-lock.json").to_str().unwrap()]);
    each.extend(findings(&[api.join("requirements.txt").to_str().unwrap()]));
    assert_eq!(both, each);
}
