//! requirements.txt, poetry.lock, uv.lock and Pipfile.lock parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vouch_lockfile::python::parse_requirements(text, "requirements.txt");
        let _ = vouch_lockfile::python::parse_poetry(text, "poetry.lock");
        let _ = vouch_lockfile::python::parse_uv(text, "uv.lock");
        let _ = vouch_lockfile::python::parse_pipfile(text, "Pipfile.lock");
    }
});
