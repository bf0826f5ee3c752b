//! `Cargo.lock` parsing and lockfile-only cataloging never panic, and what they produce
//! keeps the SBOM invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(lock) = vouch_lockfile::cargo::parse_lock(text, "Cargo.lock") {
        let _ = lock.to_lockfile();
        let sbom = vouch_sbom::cargo::from_lockfile(&lock, "fuzz");
        sbom.check().expect("lockfile SBOMs keep the invariants");
    }
});
