//! `package-lock.json` parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vouch_lockfile::npm::parse(text, "package-lock.json");
    }
});
