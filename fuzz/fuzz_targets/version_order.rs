//! Version ordering: total, antisymmetric, never panicking, for every scheme.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_osv::version::Scheme;

const SCHEMES: [Scheme; 12] = [
    Scheme::SemVer, Scheme::Pep440, Scheme::Maven, Scheme::RubyGems, Scheme::Packagist,
    Scheme::Debian, Scheme::Alpine, Scheme::NuGet, Scheme::Pub, Scheme::Hackage, Scheme::Cran,
    Scheme::Rpm,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\n').unwrap_or((text, "1.0"));
    for s in SCHEMES {
        if let (Ok(x), Ok(y)) = (s.parse(a), s.parse(b)) {
            assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
        }
    }
});
