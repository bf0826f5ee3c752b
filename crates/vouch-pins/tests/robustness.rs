//! Every parser and check over every shared input (and truncated/prefixed variants of each),
//! whatever kind it is: errors are fine, panics are not. The fuzz targets `pins_refs` and
//! `pins_locks` explore further.

use std::path::{Path, PathBuf};

use vouch_pins::shell::{check_script, NoFiles};
use vouch_pins::{dockerfile, manifest, workflow};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if std::fs::metadata(&p).is_ok_and(|m| m.len() < 400_000) {
            out.push(p);
        }
    }
}

fn all(text: &str) {
    let _ = workflow::check_workflow("w.yml", text, None);
    let _ = workflow::check_action("action.yml", text, None);
    let _ = workflow::ActionsLock::parse(text);
    let _ = dockerfile::check("Dockerfile", text);
    let _ = manifest::check_compose("compose.yaml", text);
    let _ = manifest::check_kubernetes("k.yaml", text);
    let _ = check_script("s.sh", text, 1, &NoFiles);
    let _ = vouch_lockfile::yarn::parse(text, "yarn.lock");
    let _ = vouch_lockfile::pnpm::parse(text, "pnpm-lock.yaml");
    let _ = vouch_lockfile::gosum::parse(text, "go.sum");
    let _ = vouch_lockfile::gemfile::parse(text, "Gemfile.lock");
    let _ = vouch_lockfile::composer::parse(text, "composer.lock");
}

#[test]
fn no_input_makes_a_check_panic() {
    let mut paths = Vec::new();
    files(&vouch_testkit::shared_path("pinning-fixtures"), &mut paths);
    for sub in ["npm", "ruby", "php", "go"] {
        files(
            &vouch_testkit::shared_path(&format!("sbom-fixtures/{sub}")),
            &mut paths,
        );
    }
    files(
        &vouch_testkit::shared_path("lockfiles/npm/vue2"),
        &mut paths,
    );
    assert!(paths.len() > 40);
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        all(&text);
        for prefix in ["é", "$", "{", "'", "\"", "/", "@", "- ", "  "] {
            all(&format!("{prefix}{text}"));
        }
        let cuts: Vec<usize> = (1..8).map(|k| text.len() * k / 8).collect();
        for cut in cuts {
            let mut c = cut;
            while !text.is_char_boundary(c) {
                c -= 1;
            }
            all(&text[..c]);
        }
    }
    for odd in [
        "é@1:",
        "/é/1.0.0:",
        "'é@1.0.0':\n  resolution: {",
        "FROM ${",
        "RUN <<",
        "x=$(",
        "curl | ",
        "é (1)\n",
    ] {
        all(odd);
        all(&format!("packages:\n  {odd}\n"));
        all(&format!("GEM\n  specs:\n    {odd}\n"));
    }
}
