//! OSV records: parsing and evaluation never panic on arbitrary JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_osv::eval::{evaluate, Target};
use vouch_osv::record::Record;
use vouch_osv::version::Scheme;

fuzz_target!(|data: &[u8]| {
    let Ok(r) = Record::from_json("fuzz.json", data) else { return };
    for a in &r.affected {
        let Some(p) = &a.package else { continue };
        let Some(scheme) = Scheme::for_ecosystem(&p.ecosystem) else { continue };
        for v in ["0", "1.0.0", "v0.0.0-20200101000000-abcdef", "2.0rc1", "1:2.3-4"] {
            let parsed = scheme.parse(v).ok();
            let name = vouch_osv::name::normalize(&p.ecosystem, &p.name);
            let _ = evaluate(
                &r,
                &Target { ecosystem: &p.ecosystem, name: &name, version_str: v, version: parsed.as_ref() },
            );
        }
    }
});
