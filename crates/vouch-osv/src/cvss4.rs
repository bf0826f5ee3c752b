//! CVSS v4.0 base scores (with threat and environmental metrics when given).
//!
//! v4.0 has no closed formula. The specification groups the metrics into six equivalence
//! classes (EQ1–EQ6); their levels form a "macrovector" whose score FIRST's experts fixed in
//! a 270-entry table. A vector's score is its macrovector's score minus the mean, over the
//! classes that have a lower macrovector, of (score gap to that lower macrovector) ×
//! (the vector's severity distance from the class's highest-severity vectors ÷ the class's
//! depth). The arithmetic below follows FIRST's reference calculator step by step, in the
//! same floating-point order, so results round identically.

// The tables below read as (metric, value) pairs, as the specification lists them.
#![allow(clippy::unnested_or_patterns)]

use std::collections::HashMap;

/// Macrovector scores (FIRST's table: 270 entries), keyed by the six EQ levels.
const LOOKUP: &[(&str, f64)] = &[
    ("000000", 10.0),
    ("000001", 9.9),
    ("000010", 9.8),
    ("000011", 9.5),
    ("000020", 9.5),
    ("000021", 9.2),
    ("000100", 10.0),
    ("000101", 9.6),
    ("000110", 9.3),
    ("000111", 8.7),
    ("000120", 9.1),
    ("000121", 8.1),
    ("000200", 9.3),
    ("000201", 9.0),
    ("000210", 8.9),
    ("000211", 8.0),
    ("000220", 8.1),
    ("000221", 6.8),
    ("001000", 9.8),
    ("001001", 9.5),
    ("001010", 9.5),
    ("001011", 9.2),
    ("001020", 9.0),
    ("001021", 8.4),
    ("001100", 9.3),
    ("001101", 9.2),
    ("001110", 8.9),
    ("001111", 8.1),
    ("001120", 8.1),
    ("001121", 6.5),
    ("001200", 8.8),
    ("001201", 8.0),
    ("001210", 7.8),
    ("001211", 7.0),
    ("001220", 6.9),
    ("001221", 4.8),
    ("002001", 9.2),
    ("002011", 8.2),
    ("002021", 7.2),
    ("002101", 7.9),
    ("002111", 6.9),
    ("002121", 5.0),
    ("002201", 6.9),
    ("002211", 5.5),
    ("002221", 2.7),
    ("010000", 9.9),
    ("010001", 9.7),
    ("010010", 9.5),
    ("010011", 9.2),
    ("010020", 9.2),
    ("010021", 8.5),
    ("010100", 9.5),
    ("010101", 9.1),
    ("010110", 9.0),
    ("010111", 8.3),
    ("010120", 8.4),
    ("010121", 7.1),
    ("010200", 9.2),
    ("010201", 8.1),
    ("010210", 8.2),
    ("010211", 7.1),
    ("010220", 7.2),
    ("010221", 5.3),
    ("011000", 9.5),
    ("011001", 9.3),
    ("011010", 9.2),
    ("011011", 8.5),
    ("011020", 8.5),
    ("011021", 7.3),
    ("011100", 9.2),
    ("011101", 8.2),
    ("011110", 8.0),
    ("011111", 7.2),
    ("011120", 7.0),
    ("011121", 5.9),
    ("011200", 8.4),
    ("011201", 7.0),
    ("011210", 7.1),
    ("011211", 5.2),
    ("011220", 5.0),
    ("011221", 3.0),
    ("012001", 8.6),
    ("012011", 7.5),
    ("012021", 5.2),
    ("012101", 7.1),
    ("012111", 5.2),
    ("012121", 2.9),
    ("012201", 6.3),
    ("012211", 2.9),
    ("012221", 1.7),
    ("100000", 9.8),
    ("100001", 9.5),
    ("100010", 9.4),
    ("100011", 8.7),
    ("100020", 9.1),
    ("100021", 8.1),
    ("100100", 9.4),
    ("100101", 8.9),
    ("100110", 8.6),
    ("100111", 7.4),
    ("100120", 7.7),
    ("100121", 6.4),
    ("100200", 8.7),
    ("100201", 7.5),
    ("100210", 7.4),
    ("100211", 6.3),
    ("100220", 6.3),
    ("100221", 4.9),
    ("101000", 9.4),
    ("101001", 8.9),
    ("101010", 8.8),
    ("101011", 7.7),
    ("101020", 7.6),
    ("101021", 6.7),
    ("101100", 8.6),
    ("101101", 7.6),
    ("101110", 7.4),
    ("101111", 5.8),
    ("101120", 5.9),
    ("101121", 5.0),
    ("101200", 7.2),
    ("101201", 5.7),
    ("101210", 5.7),
    ("101211", 5.2),
    ("101220", 5.2),
    ("101221", 2.5),
    ("102001", 8.3),
    ("102011", 7.0),
    ("102021", 5.4),
    ("102101", 6.5),
    ("102111", 5.8),
    ("102121", 2.6),
    ("102201", 5.3),
    ("102211", 2.1),
    ("102221", 1.3),
    ("110000", 9.5),
    ("110001", 9.0),
    ("110010", 8.8),
    ("110011", 7.6),
    ("110020", 7.6),
    ("110021", 7.0),
    ("110100", 9.0),
    ("110101", 7.7),
    ("110110", 7.5),
    ("110111", 6.2),
    ("110120", 6.1),
    ("110121", 5.3),
    ("110200", 7.7),
    ("110201", 6.6),
    ("110210", 6.8),
    ("110211", 5.9),
    ("110220", 5.2),
    ("110221", 3.0),
    ("111000", 8.9),
    ("111001", 7.8),
    ("111010", 7.6),
    ("111011", 6.7),
    ("111020", 6.2),
    ("111021", 5.8),
    ("111100", 7.4),
    ("111101", 5.9),
    ("111110", 5.7),
    ("111111", 5.7),
    ("111120", 4.7),
    ("111121", 2.3),
    ("111200", 6.1),
    ("111201", 5.2),
    ("111210", 5.7),
    ("111211", 2.9),
    ("111220", 2.4),
    ("111221", 1.6),
    ("112001", 7.1),
    ("112011", 5.9),
    ("112021", 3.0),
    ("112101", 5.8),
    ("112111", 2.6),
    ("112121", 1.5),
    ("112201", 2.3),
    ("112211", 1.3),
    ("112221", 0.6),
    ("200000", 9.3),
    ("200001", 8.7),
    ("200010", 8.6),
    ("200011", 7.2),
    ("200020", 7.5),
    ("200021", 5.8),
    ("200100", 8.6),
    ("200101", 7.4),
    ("200110", 7.4),
    ("200111", 6.1),
    ("200120", 5.6),
    ("200121", 3.4),
    ("200200", 7.0),
    ("200201", 5.4),
    ("200210", 5.2),
    ("200211", 4.0),
    ("200220", 4.0),
    ("200221", 2.2),
    ("201000", 8.5),
    ("201001", 7.5),
    ("201010", 7.4),
    ("201011", 5.5),
    ("201020", 6.2),
    ("201021", 5.1),
    ("201100", 7.2),
    ("201101", 5.7),
    ("201110", 5.5),
    ("201111", 4.1),
    ("201120", 4.6),
    ("201121", 1.9),
    ("201200", 5.3),
    ("201201", 3.6),
    ("201210", 3.4),
    ("201211", 1.9),
    ("201220", 1.9),
    ("201221", 0.8),
    ("202001", 6.4),
    ("202011", 5.1),
    ("202021", 2.0),
    ("202101", 4.7),
    ("202111", 2.1),
    ("202121", 1.1),
    ("202201", 2.4),
    ("202211", 0.9),
    ("202221", 0.4),
    ("210000", 8.8),
    ("210001", 7.5),
    ("210010", 7.3),
    ("210011", 5.3),
    ("210020", 6.0),
    ("210021", 5.0),
    ("210100", 7.3),
    ("210101", 5.5),
    ("210110", 5.9),
    ("210111", 4.0),
    ("210120", 4.1),
    ("210121", 2.0),
    ("210200", 5.4),
    ("210201", 4.3),
    ("210210", 4.5),
    ("210211", 2.2),
    ("210220", 2.0),
    ("210221", 1.1),
    ("211000", 7.5),
    ("211001", 5.5),
    ("211010", 5.8),
    ("211011", 4.5),
    ("211020", 4.0),
    ("211021", 2.1),
    ("211100", 6.1),
    ("211101", 5.1),
    ("211110", 4.8),
    ("211111", 1.8),
    ("211120", 2.0),
    ("211121", 0.9),
    ("211200", 4.6),
    ("211201", 1.8),
    ("211210", 1.7),
    ("211211", 0.7),
    ("211220", 0.8),
    ("211221", 0.2),
    ("212001", 5.3),
    ("212011", 2.4),
    ("212021", 1.4),
    ("212101", 2.4),
    ("212111", 1.2),
    ("212121", 0.5),
    ("212201", 1.0),
    ("212211", 0.3),
    ("212221", 0.1),
];

fn lookup(eq: [u32; 6]) -> Option<f64> {
    let key: String = eq.iter().map(u32::to_string).collect();
    LOOKUP.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The highest-severity vectors of each class level (metric values as `(name, value)`).
fn maxes(class: usize, level: u32, eq6: u32) -> &'static [&'static [(&'static str, &'static str)]] {
    match (class, level) {
        (1, 0) => &[&[("AV", "N"), ("PR", "N"), ("UI", "N")]],
        (1, 1) => &[
            &[("AV", "A"), ("PR", "N"), ("UI", "N")],
            &[("AV", "N"), ("PR", "L"), ("UI", "N")],
            &[("AV", "N"), ("PR", "N"), ("UI", "P")],
        ],
        (1, _) => &[
            &[("AV", "P"), ("PR", "N"), ("UI", "N")],
            &[("AV", "A"), ("PR", "L"), ("UI", "P")],
        ],
        (2, 0) => &[&[("AC", "L"), ("AT", "N")]],
        (2, _) => &[&[("AC", "H"), ("AT", "N")], &[("AC", "L"), ("AT", "P")]],
        (3, 0) if eq6 == 0 => &[&[
            ("VC", "H"),
            ("VI", "H"),
            ("VA", "H"),
            ("CR", "H"),
            ("IR", "H"),
            ("AR", "H"),
        ]],
        (3, 0) => &[
            &[
                ("VC", "H"),
                ("VI", "H"),
                ("VA", "L"),
                ("CR", "M"),
                ("IR", "M"),
                ("AR", "H"),
            ],
            &[
                ("VC", "H"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "M"),
                ("IR", "M"),
                ("AR", "M"),
            ],
        ],
        (3, 1) if eq6 == 0 => &[
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "H"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "H"),
            ],
        ],
        (3, 1) => &[
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "L"),
                ("CR", "H"),
                ("IR", "M"),
                ("AR", "H"),
            ],
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "M"),
                ("AR", "M"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "M"),
                ("IR", "H"),
                ("AR", "M"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "L"),
                ("CR", "M"),
                ("IR", "H"),
                ("AR", "H"),
            ],
            &[
                ("VC", "L"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "M"),
            ],
        ],
        (3, _) => &[&[
            ("VC", "L"),
            ("VI", "L"),
            ("VA", "L"),
            ("CR", "H"),
            ("IR", "H"),
            ("AR", "H"),
        ]],
        (4, 0) => &[&[("SC", "H"), ("SI", "S"), ("SA", "S")]],
        (4, 1) => &[&[("SC", "H"), ("SI", "H"), ("SA", "H")]],
        (4, _) => &[&[("SC", "L"), ("SI", "L"), ("SA", "L")]],
        _ => &[&[]],
    }
}

/// Severity depth (+1) of each class level.
fn depth(class: usize, level: u32, eq6: u32) -> f64 {
    f64::from(match (class, level) {
        (1, 0) | (2, 0) => 1,
        (1, 1) => 4,
        (1, _) => 5,
        (2, _) => 2,
        (3, 0) => {
            if eq6 == 0 {
                7
            } else {
                6
            }
        }
        (3, 1) => 8,
        (3, _) => 10,
        (4, 0) => 6,
        (4, 1) => 5,
        (4, _) => 4,
        _ => 1,
    })
}

/// A metric value's severity level, in tenths as the reference calculator writes them.
fn level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SC", "H") => 0.1,
        ("SC", "L") => 0.2,
        ("SC", "N") => 0.3,
        ("SI" | "SA", "S") => 0.0,
        ("SI" | "SA", "H") => 0.1,
        ("SI" | "SA", "L") => 0.2,
        ("SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        _ => 0.0,
    }
}

const BASE: [(&str, &[&str]); 11] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["H", "L", "N"]),
    ("VI", &["H", "L", "N"]),
    ("VA", &["H", "L", "N"]),
    ("SC", &["H", "L", "N"]),
    ("SI", &["H", "L", "N"]),
    ("SA", &["H", "L", "N"]),
];

/// The base score of a `CVSS:4.0/…` vector; `None` if malformed.
pub fn base_score(vector: &str) -> Option<f64> {
    let rest = vector.trim().strip_prefix("CVSS:4.0/")?;
    let mut given: HashMap<&str, &str> = HashMap::new();
    for part in rest.split('/') {
        let (k, v) = part.split_once(':')?;
        if given.insert(k, v).is_some() {
            return None;
        }
    }
    for (k, allowed) in BASE {
        if !allowed.contains(given.get(k)?) {
            return None;
        }
    }
    // The effective value of a metric: modified environmental values override base ones;
    // undefined threat/requirement metrics take their worst case.
    let m = |k: &str| -> &str {
        match (k, given.get(k).copied()) {
            ("E", None | Some("X")) => return "A",
            ("CR" | "IR" | "AR", None | Some("X")) => return "H",
            _ => {}
        }
        let modified = format!("M{k}");
        match given.get(modified.as_str()).copied() {
            Some(v) if v != "X" => v,
            _ => given.get(k).copied().unwrap_or("X"),
        }
    };
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|k| m(k) == "N")
    {
        return Some(0.0);
    }
    let (av, pr, ui) = (m("AV"), m("PR"), m("UI"));
    let eq1 = if av == "N" && pr == "N" && ui == "N" {
        0
    } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
        1
    } else {
        2
    };
    let eq2 = u32::from(!(m("AC") == "L" && m("AT") == "N"));
    let (vc, vi, va) = (m("VC"), m("VI"), m("VA"));
    let eq3 = if vc == "H" && vi == "H" {
        0
    } else if vc == "H" || vi == "H" || va == "H" {
        1
    } else {
        2
    };
    let eq4 = if m("MSI") == "S" || m("MSA") == "S" {
        0
    } else if m("SC") == "H" || m("SI") == "H" || m("SA") == "H" {
        1
    } else {
        2
    };
    let eq5 = match m("E") {
        "A" => 0,
        "P" => 1,
        _ => 2,
    };
    let eq6 = u32::from(
        !((m("CR") == "H" && vc == "H")
            || (m("IR") == "H" && vi == "H")
            || (m("AR") == "H" && va == "H")),
    );
    let eq = [eq1, eq2, eq3, eq4, eq5, eq6];
    let value = lookup(eq)?;

    let lower = |i: usize| {
        let mut e = eq;
        e[i] += 1;
        lookup(e)
    };
    let lower_eq3eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => lower(2),
        (1, 0) => lower(5),
        (0, 0) => match (lower(5), lower(2)) {
            (Some(l), Some(r)) => Some(if l > r { l } else { r }),
            (l, r) => l.or(r),
        },
        _ => {
            let mut e = eq;
            e[2] += 1;
            e[5] += 1;
            lookup(e)
        }
    };
    let lowers = [lower(0), lower(1), lower_eq3eq6, lower(3), lower(4)];

    // Severity distance from the first highest-severity vector the vector does not exceed.
    let metrics = [
        "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR",
    ];
    let mut dist: HashMap<&str, f64> = HashMap::new();
    'search: for a in maxes(1, eq1, eq6) {
        for b in maxes(2, eq2, eq6) {
            for c in maxes(3, eq3, eq6) {
                for d in maxes(4, eq4, eq6) {
                    let max: HashMap<&str, &str> =
                        a.iter().chain(*b).chain(*c).chain(*d).copied().collect();
                    dist.clear();
                    for k in metrics {
                        let mv = max.get(k).copied().unwrap_or("");
                        dist.insert(k, level(k, m(k)) - level(k, mv));
                    }
                    if dist.values().all(|d| *d >= 0.0) {
                        break 'search;
                    }
                }
            }
        }
    }
    let d = |k: &str| dist.get(k).copied().unwrap_or(0.0);
    let current = [
        d("AV") + d("PR") + d("UI"),
        d("AC") + d("AT"),
        d("VC") + d("VI") + d("VA") + d("CR") + d("IR") + d("AR"),
        d("SC") + d("SI") + d("SA"),
        0.0,
    ];
    let step = 0.1;
    let depths = [
        depth(1, eq1, eq6) * step,
        depth(2, eq2, eq6) * step,
        depth(3, eq3, eq6) * step,
        depth(4, eq4, eq6) * step,
        1.0 * step,
    ];
    let mut n = 0;
    let mut sum = 0.0;
    for i in 0..5 {
        if let Some(l) = lowers[i] {
            n += 1;
            let available = value - l;
            let percent = if i == 4 { 0.0 } else { current[i] / depths[i] };
            sum += available * percent;
        }
    }
    let mean = if n == 0 { 0.0 } else { sum / f64::from(n) };
    let score = (value - mean).clamp(0.0, 10.0);
    Some((score * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::base_score;

    #[test]
    fn known_scores() {
        // Scores as FIRST's calculator and NVD/GitHub publish them.
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
                8.7,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
                6.9,
            ),
            // GitHub's usual stored-XSS vector.
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
                5.1,
            ),
            // Same macrovector, at its highest-severity vector: the table value itself.
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
                5.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v), Some(want), "{v}");
        }
        assert_eq!(base_score("CVSS:4.0/AV:N/AC:L"), None);
        assert_eq!(
            base_score("CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"),
            None
        );
    }
}
