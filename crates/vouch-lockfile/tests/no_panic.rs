//! Every real lockfile in `../shared`, cut at several points and read as every format: a
//! result or an error naming the file, never a panic. (The `lockfile_formats` fuzz target
//! explores further; this runs in every `cargo test`.)

use std::path::{Path, PathBuf};

use vouch_lockfile::format::{FileFormat, TYPE_NAMES};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if FileFormat::from_path(&p).is_some() {
            out.push(p);
        }
    }
}

#[test]
fn truncated_and_misnamed_lockfiles_never_panic() {
    let mut all = Vec::new();
    files(&vouch_testkit::shared_path("lockfiles"), &mut all);
    files(&vouch_testkit::shared_path("sbom-fixtures"), &mut all);
    assert!(all.len() > 60, "{}", all.len());
    let mut parsed = 0;
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap();
        let own = FileFormat::from_path(path).unwrap();
        let cuts = [text.len(), text.len() * 5 / 7, text.len() / 3, 17, 0];
        for cut in cuts {
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let piece = &text[..cut];
            for &(_, format) in TYPE_NAMES {
                // Only the whole file under its own format must parse; the rest must not panic.
                if let Err(e) = format.parse(piece, "x") {
                    assert!(e.to_string().contains("`x`"), "{}: {e}", path.display());
                } else if cut == text.len() && format == own {
                    parsed += 1;
                }
            }
        }
    }
    assert!(parsed > 50, "{parsed}");
}
