//! Registry answers: manifests, indexes and cosign simple-signing payloads must parse or be
//! refused without panicking, and embedded descriptor data is always checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for content_type in [None, Some("application/vnd.oci.image.index.v1+json")] {
        if let Ok(m) = vouch_oci::AnyManifest::parse("fuzz", data, content_type) {
            let descriptors: Vec<&vouch_oci::Descriptor> = match &m {
                vouch_oci::AnyManifest::Image(i) => {
                    std::iter::once(&i.config).chain(i.layers.iter()).collect()
                }
                vouch_oci::AnyManifest::Index(i) => i.manifests.iter().collect(),
            };
            for d in descriptors {
                let _ = d.embedded("fuzz");
            }
        }
    }
    let _ = vouch_oci::cosign::parse_simple_signing(data);
});
