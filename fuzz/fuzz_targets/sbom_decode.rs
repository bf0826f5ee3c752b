//! Decoding untrusted CycloneDX/SPDX JSON never panics, and a decoded SBOM re-encodes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sbom) = vouch_sbom::decode(data) {
        sbom.check().expect("decoded SBOMs keep the invariants");
        let _ = vouch_sbom::to_cyclonedx_json(&sbom, vouch_sbom::SpecVersion::V1_6);
        let _ = vouch_sbom::to_spdx_json(&sbom);
    }
});
