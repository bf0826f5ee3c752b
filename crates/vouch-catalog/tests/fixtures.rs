//! The catalog against independent expectations: every `expected.json` under
//! `../shared/sbom-fixtures` (Syft's transcribed unit-test expectations) outside the OS
//! package databases (alpine/, debian/, rpm/), which are image cataloging, not lockfiles.
//!
//! For each expectation: the same packages by name and version, the same purl wherever Syft
//! asserts one, and, where Syft lists edges, the same edges. Places where vouch is
//! deliberately different are listed in [`deviation`] with the reason, and asserted as such.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_catalog::{catalog, CatalogOptions};
use vouch_sbom::Sbom;

type Nv = (String, String);

fn nv(name: &str, version: Option<&str>) -> Nv {
    (name.to_owned(), version.unwrap_or("").to_owned())
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = vouch_testkit::shared_path("sbom-fixtures");
    let mut out = Vec::new();
    for eco in std::fs::read_dir(&root).unwrap() {
        let eco = eco.unwrap().path();
        let name = eco.file_name().unwrap().to_string_lossy().into_owned();
        if !eco.is_dir() || ["alpine", "debian", "rpm"].contains(&name.as_str()) {
            continue;
        }
        for case in std::fs::read_dir(&eco).unwrap() {
            let case = case.unwrap().path();
            if case.join("expected.json").is_file() {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

fn rel(dir: &Path) -> String {
    let p = dir.to_string_lossy();
    p[p.find("sbom-fixtures/").unwrap() + "sbom-fixtures/".len()..].to_owned()
}

/// Fixtures vouch treats differently from Syft on purpose, and why. The test asserts the
/// difference exists, so a stale entry fails.
fn deviation(case: &str) -> Option<&'static str> {
    Some(match case {
        // Not lockfile formats vouch reads: Composer's `vendor/composer/installed.json`
        // (what is installed, not what is locked) and `deno.lock` (Syft's purls for it,
        // `pkg:npm/deno.land%2Fstd…`, are not npm packages).
        "php/installed-json-composer1" | "php/installed-json-composer2" | "npm/deno" => {
            "format not read"
        }
        // The fixture's `-r other-requirements.txt` is not in the fixture: vouch follows
        // includes, and a missing one is an error (as for pip), not silently skipped.
        "python/requirements-txt" => "missing include is an error",
        // Syft's fixture lost its `packages:` entries ("# removed other packages"); Syft
        // fills them in from the importer's specifiers, vouch lists what is locked.
        "npm/pnpm-v5" => "trimmed fixture",
        // Syft records no edges for lockfileVersion 1; vouch reads `requires`.
        "npm/package-lock-v1" => "v1 edges",
        _ => return None,
    })
}

struct Ours {
    nvs: BTreeSet<Nv>,
    purls: BTreeSet<(Nv, String)>,
    edges: BTreeSet<(Nv, Nv)>,
}

fn ours(sbom: &Sbom) -> Ours {
    let key = |r: &str| {
        let c = sbom.component(r).unwrap();
        nv(&c.name, c.version.as_deref())
    };
    Ours {
        nvs: sbom
            .all_components()
            .map(|c| nv(&c.name, c.version.as_deref()))
            .collect(),
        purls: sbom
            .all_components()
            .filter_map(|c| {
                Some((
                    nv(&c.name, c.version.as_deref()),
                    c.purl.as_ref()?.to_string(),
                ))
            })
            .collect(),
        edges: sbom.edges().map(|(a, b)| (key(a), key(b))).collect(),
    }
}

fn check(dir: &Path) -> Vec<String> {
    let case = rel(dir);
    let exp: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let mut problems = Vec::new();
    for e in exp["expectations"].as_array().unwrap() {
        let no_dev = e["cataloger_config"]["IncludeDevDependencies"] == Value::Bool(false);
        if e["cataloger_config"]["GuessUnpinnedRequirements"] == Value::Bool(true) {
            // Syft guesses a version for `>=` requirements; vouch lists only pinned ones.
            continue;
        }
        let opts = CatalogOptions {
            no_dev,
            ..CatalogOptions::default()
        };
        let sbom = match catalog(dir, &opts) {
            Ok(s) => s,
            Err(err) => {
                problems.push(format!("{case}: {err}"));
                continue;
            }
        };
        sbom.check().unwrap();
        let o = ours(&sbom);
        let root = nv(&sbom.root.name, sbom.root.version.as_deref());
        let Some(pkgs) = e["packages"].as_array() else {
            continue;
        };
        let want: BTreeSet<Nv> = pkgs
            .iter()
            .map(|p| nv(p["name"].as_str().unwrap(), p["version"].as_str()))
            .collect();
        for w in want.difference(&o.nvs) {
            problems.push(format!("{case} (no_dev={no_dev}): missing {w:?}"));
        }
        // Syft's default leaves development-only packages out; vouch lists them with scope
        // `excluded` and `vouch:dependency-kind=dev` (and leaves them out with --no-dev).
        let dev: BTreeSet<Nv> = if e["cataloger_config"].is_null() {
            sbom.components
                .iter()
                .filter(|c| c.scope == vouch_sbom::Scope::Excluded)
                .map(|c| nv(&c.name, c.version.as_deref()))
                .collect()
        } else {
            BTreeSet::new()
        };
        for x in o.nvs.difference(&want) {
            if dev.contains(x) {
                continue;
            }
            if *x != root
                && !sbom.components.iter().any(|c| {
                    c.bom_ref.starts_with("vouch:project:")
                        && nv(&c.name, c.version.as_deref()) == *x
                })
            {
                problems.push(format!("{case} (no_dev={no_dev}): extra {x:?}"));
            }
        }
        for p in pkgs {
            let Some(purl) = p["purl"].as_str() else {
                continue;
            };
            let k = nv(p["name"].as_str().unwrap(), p["version"].as_str());
            // Git-sourced packages: Syft gives them the registry purl; vouch adds `vcs_url`
            // so a git checkout is never matched as the registry release of that version.
            let git_ok = o.purls.iter().any(|(n, p)| {
                *n == k && p.contains("vcs_url=git") && p.starts_with(&format!("{purl}?"))
            });
            if o.nvs.contains(&k) && !git_ok && !o.purls.contains(&(k.clone(), purl.to_owned())) {
                let got: Vec<_> = o
                    .purls
                    .iter()
                    .filter(|(n, _)| *n == k)
                    .map(|(_, p)| p)
                    .collect();
                problems.push(format!("{case}: purl of {k:?}: want {purl}, got {got:?}"));
            }
        }
        if let Some(rels) = e["relationships"].as_array() {
            let want: BTreeSet<(Nv, Nv)> = rels
                .iter()
                .map(|r| {
                    (
                        nv(
                            r["dependent"]["name"].as_str().unwrap(),
                            r["dependent"]["version"].as_str(),
                        ),
                        nv(
                            r["dependency"]["name"].as_str().unwrap(),
                            r["dependency"]["version"].as_str(),
                        ),
                    )
                })
                .collect();
            // vouch's root edges (project → top-level packages) are extra unless Syft lists the
            // project as a package.
            let project_listed = want.iter().any(|(a, _)| *a == root);
            let got: BTreeSet<(Nv, Nv)> = o
                .edges
                .iter()
                .filter(|(a, _)| project_listed || *a != root)
                .cloned()
                .collect();
            for m in want.difference(&got) {
                problems.push(format!("{case}: missing edge {m:?}"));
            }
            for x in got.difference(&want) {
                let vouch_only =
                    (project_listed && x.0 == root) || dev.contains(&x.0) || dev.contains(&x.1);
                if !vouch_only {
                    problems.push(format!("{case}: extra edge {x:?}"));
                }
            }
        }
    }
    problems
}

#[test]
fn every_syft_expectation_outside_os_databases() {
    let mut all = Vec::new();
    for dir in fixture_dirs() {
        let case = rel(&dir);
        let problems = check(&dir);
        match deviation(&case) {
            Some(why) => assert!(
                !problems.is_empty(),
                "{case}: listed as a deviation ({why}) but matches"
            ),
            None => all.extend(problems),
        }
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}
