//! Policy files on arbitrary text: a line-numbered error or a policy, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vouch_policy::PolicySet::parse("fuzz.yaml", text);
    }
});
