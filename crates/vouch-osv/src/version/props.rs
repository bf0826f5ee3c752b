//! Property tests: every scheme's ordering is a total order on what it parses, and the
//! numeric structure of versions orders the way the components do.

use std::cmp::Ordering;

use proptest::prelude::*;

use super::Scheme;

const SCHEMES: [Scheme; 12] = [
    Scheme::SemVer,
    Scheme::Pep440,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::Packagist,
    Scheme::Debian,
    Scheme::Alpine,
    Scheme::NuGet,
    Scheme::Pub,
    Scheme::Hackage,
    Scheme::Cran,
    Scheme::Rpm,
];

fn version_like() -> impl Strategy<Value = String> {
    prop::string::string_regex(
        "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-_.+~]?(alpha|beta|rc|pre|dev|post|a|b|p|r|sp|final|snapshot)?[0-9]{0,2}){0,2}",
    )
    .expect("valid regex")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn orderings_are_total_orders(a in version_like(), b in version_like(), c in version_like()) {
        for s in SCHEMES {
            let (Ok(x), Ok(y), Ok(z)) = (s.parse(&a), s.parse(&b), s.parse(&c)) else { continue };
            if x.is_lenient() || y.is_lenient() || z.is_lenient() {
                continue;
            }
            // Reflexive and antisymmetric.
            prop_assert_eq!(x.cmp(&x), Ordering::Equal, "{} {}", s, a);
            prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{} {} {}", s, a, b);
            // Transitive.
            if x <= y && y <= z {
                prop_assert!(x <= z, "{}: {} <= {} <= {} but not {} <= {}", s, a, b, c, a, c);
            }
        }
    }

    #[test]
    fn plain_numeric_versions_order_like_integer_tuples(
        a in prop::collection::vec(0u32..50, 3),
        b in prop::collection::vec(0u32..50, 3),
    ) {
        let sa = format!("{}.{}.{}", a[0], a[1], a[2]);
        let sb = format!("{}.{}.{}", b[0], b[1], b[2]);
        let want = a.cmp(&b);
        for s in SCHEMES {
            let got = s.compare(&sa, &sb).expect("plain versions parse everywhere");
            prop_assert_eq!(got, want, "{}: {} vs {}", s, sa, sb);
        }
    }

    #[test]
    fn prereleases_sort_before_their_release(n in prop::collection::vec(0u32..50, 3), k in 0u32..9) {
        let base = format!("{}.{}.{}", n[0], n[1], n[2]);
        let cases = [
            (Scheme::SemVer, format!("{base}-rc.{k}")),
            (Scheme::Pep440, format!("{base}rc{k}")),
            (Scheme::Maven, format!("{base}-rc-{k}")),
            (Scheme::RubyGems, format!("{base}.rc{k}")),
            (Scheme::Packagist, format!("{base}-RC{k}")),
            (Scheme::Debian, format!("{base}~rc{k}")),
            (Scheme::Alpine, format!("{base}_rc{k}")),
            (Scheme::NuGet, format!("{base}-rc.{k}")),
        ];
        for (s, pre) in cases {
            prop_assert_eq!(s.compare(&pre, &base), Some(Ordering::Less), "{}: {} < {}", s, pre, base);
        }
    }
}
