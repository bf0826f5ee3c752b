//! Every `FileFormat` (content check and parser), including the formats only the catalog
//! reads: bun.lock, pdm.lock, pylock.toml, gradle.lockfile, pom.xml, NuGet
//! packages.lock.json, pubspec.lock, and requirements includes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_lockfile::format::{FileFormat, TYPE_NAMES};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for &(_, format) in TYPE_NAMES {
            let _ = format.parse(text, "fuzz");
        }
        let _ = FileFormat::GoSum.parse(text, "go.sum");
    }
});
