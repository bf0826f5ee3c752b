#![no_main]
//! yarn.lock, pnpm-lock.yaml, go.sum, Gemfile.lock and composer.lock parsers.

use libfuzzer_sys::fuzz_target;
use vouch_lockfile::{composer, gemfile, gosum, pnpm, yarn};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = yarn::parse(text, "yarn.lock");
    let _ = pnpm::parse(text, "pnpm-lock.yaml");
    let _ = gosum::parse(text, "go.sum");
    let _ = gemfile::parse(text, "Gemfile.lock");
    let _ = composer::parse(text, "composer.lock");
});
