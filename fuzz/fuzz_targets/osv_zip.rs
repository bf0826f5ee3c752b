//! The export zip reader rejects, never panics on, arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_osv::zip::entries("fuzz.zip", data);
});
