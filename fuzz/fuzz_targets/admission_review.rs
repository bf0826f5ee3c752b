//! AdmissionReview bodies come from the API server but are parsed before anything is
//! trusted: parsing, image extraction and the denial for a malformed request must never
//! panic, whatever the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(review) = vouch_webhook::review::AdmissionReview::parse(data) {
        if let Ok(vouch_webhook::review::Workload::Images(images)) =
            vouch_webhook::review::workload(&review.request)
        {
            for i in images {
                let _ = i.image.parse::<vouch_core::ImageRef>();
            }
        }
    }
});
