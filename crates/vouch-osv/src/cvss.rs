//! CVSS base scores, computed from vector strings as the FIRST specifications define them.
//!
//! v3.0 and v3.1 use the published formulas (v3.1's `Roundup` avoids floating-point
//! artefacts; v3.0 rounds up to one decimal). v4.0 is not a formula but a lookup of
//! "macrovector" equivalence classes with interpolation: see [`crate::cvss4`].

use std::collections::HashMap;

fn metrics(vector: &str, prefix: &str) -> Option<HashMap<String, String>> {
    let rest = vector.trim().strip_prefix(prefix)?;
    let mut m = HashMap::new();
    for part in rest.split('/') {
        let (k, v) = part.split_once(':')?;
        if m.insert(k.to_owned(), v.to_owned()).is_some() {
            return None;
        }
    }
    Some(m)
}

fn roundup_31(x: f64) -> f64 {
    let i = (x * 100_000.0).round() as i64;
    if i % 10_000 == 0 {
        i as f64 / 100_000.0
    } else {
        ((i / 10_000) + 1) as f64 / 10.0
    }
}

fn roundup_30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// The base score of a `CVSS:3.0/…` or `CVSS:3.1/…` vector; `None` if malformed.
pub fn v3_base_score(vector: &str) -> Option<f64> {
    let (m, v31) = if let Some(m) = metrics(vector, "CVSS:3.1/") {
        (m, true)
    } else {
        (metrics(vector, "CVSS:3.0/")?, false)
    };
    let get = |k: &str| m.get(k).map(String::as_str);
    let scope_changed = match get("S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match get("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match get("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (get("PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match get("UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |k: &str| -> Option<f64> {
        Some(match get(k)? {
            "H" => 0.56,
            "L" => 0.22,
            "N" => 0.0,
            _ => return None,
        })
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(if v31 {
        roundup_31(raw)
    } else {
        roundup_30(raw)
    })
}

/// The base score of a `CVSS:4.0/…` vector; `None` if malformed.
pub fn v4_base_score(vector: &str) -> Option<f64> {
    crate::cvss4::base_score(vector)
}

#[cfg(test)]
mod tests {
    use super::v3_base_score;

    #[test]
    fn v3_scores_match_nvd() {
        // Scores as published by NVD for these vectors.
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ];
        for (v, want) in cases {
            let got = v3_base_score(v).unwrap();
            assert!((got - want).abs() < 1e-9, "{v}: got {got}, want {want}");
        }
        assert_eq!(v3_base_score("CVSS:3.1/AV:X/AC:L"), None);
        assert_eq!(v3_base_score("CVSS:2.0/AV:N"), None);
    }
}
