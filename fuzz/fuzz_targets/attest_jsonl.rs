//! The `.intoto.jsonl` reader and the statement parser on arbitrary bytes: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(file) = vouch_attest::BundleFile::parse("fuzz", text) {
            for line in &file.lines {
                let _ = line.claimed_predicate_type();
            }
        }
    }
    if let Ok(st) = vouch_attest::Statement::from_json(data) {
        let _ = st.issued_at();
        let _ = vouch_attest::predicate::provenance::summarize(&st.predicate_type, &st.predicate);
    }
});
