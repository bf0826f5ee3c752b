//! End of life of the distribution release an image runs, from endoflife.date's product
//! files (`products/<product>.md`: YAML front matter with a `releases:` list).
//!
//! Only the flat `releases:` entries are read (`releaseCycle`, `codename`, `releaseDate`,
//! `eol`, `eoes`, `latest`), line by line: the files are generated with one key per line,
//! and a general YAML parser is not worth a dependency for five scalar keys.

use std::path::Path;

use serde::Serialize;

use crate::Distro;

/// One release cycle of a product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cycle {
    pub cycle: String,
    pub codename: Option<String>,
    pub release_date: Option<String>,
    /// End of (security) support: a date, or `true`/`false` when the product gives no date.
    pub eol: Option<String>,
    /// End of extended support (Debian LTS, Ubuntu ESM), when the product has one.
    pub eoes: Option<String>,
    pub latest: Option<String>,
}

/// Whether a release is still supported on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Support {
    /// endoflife.date's product (`debian`, `ubuntu`, `alpine-linux`, ...).
    pub product: String,
    pub cycle: Cycle,
    /// `eol` is a date on or before `today`, or `true`.
    pub ended: bool,
    /// Extended support (`eoes`) still runs on `today`.
    pub extended: bool,
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(v)
        .to_owned()
}

/// The `releases:` entries of an endoflife.date product file.
pub fn parse_product(text: &str) -> Vec<Cycle> {
    let mut out = Vec::new();
    let mut in_releases = false;
    let mut cur: Option<Cycle> = None;
    for line in text.lines() {
        if line == "releases:" {
            in_releases = true;
            continue;
        }
        if !in_releases {
            continue;
        }
        if line == "---" || (!line.is_empty() && !line.starts_with(' ')) {
            break;
        }
        let t = line.trim();
        let (key, value) = match t.strip_prefix("- ") {
            Some(rest) => {
                if let Some(c) = cur.take() {
                    out.push(c);
                }
                cur = Some(Cycle::default());
                match rest.split_once(':') {
                    Some(kv) => kv,
                    None => continue,
                }
            }
            None => match t.split_once(':') {
                Some(kv) => kv,
                None => continue,
            },
        };
        let Some(c) = cur.as_mut() else { continue };
        let value = unquote(value);
        let value = (!value.is_empty()).then_some(value);
        match key.trim() {
            "releaseCycle" => c.cycle = value.unwrap_or_default(),
            "codename" => c.codename = value,
            "releaseDate" => c.release_date = value,
            "eol" => c.eol = value,
            "eoes" => c.eoes = value,
            "latest" => c.latest = value,
            _ => {}
        }
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out.retain(|c| !c.cycle.is_empty());
    out
}

/// endoflife.date's product and the release cycle name of a distribution.
pub fn product_and_cycle(d: &Distro) -> Option<(&'static str, String)> {
    let v = d.version_id.as_deref()?;
    let mut parts = v.split('.');
    let major = parts.next()?;
    let minor = parts.next();
    Some(match d.id.as_str() {
        "debian" => ("debian", major.to_owned()),
        "ubuntu" => ("ubuntu", format!("{major}.{}", minor?)),
        "alpine" => ("alpine-linux", format!("{major}.{}", minor?)),
        "almalinux" => ("almalinux", major.to_owned()),
        "rocky" => ("rocky-linux", major.to_owned()),
        _ => return None,
    })
}

fn passed(date_or_bool: Option<&str>, today: &str) -> bool {
    match date_or_bool {
        Some("true") => true,
        Some("false") | None => false,
        Some(d) => d <= today,
    }
}

/// The support status of `distro` on `today` (`YYYY-MM-DD`), from the product files in
/// `dir` (endoflife.date's `products/`). `Ok(None)` when the distribution or its release
/// is not listed.
pub fn distro_support(
    distro: &Distro,
    dir: &Path,
    today: &str,
) -> Result<Option<Support>, crate::ImageError> {
    let Some((product, cycle)) = product_and_cycle(distro) else {
        return Ok(None);
    };
    let path = dir.join(format!("{product}.md"));
    let text = std::fs::read_to_string(&path).map_err(|e| crate::ImageError::io(&path, e))?;
    let Some(c) = parse_product(&text).into_iter().find(|c| c.cycle == cycle) else {
        return Ok(None);
    };
    Ok(Some(Support {
        product: product.to_owned(),
        ended: passed(c.eol.as_deref(), today),
        extended: c.eoes.is_some() && !passed(c.eoes.as_deref(), today),
        cycle: c,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_12_support_ended_with_lts_running() {
        let dir = vouch_testkit::shared_path("os-vulns/eol/endoflife.date");
        let root =
            vouch_testkit::shared_path("os-vulns/rootfs/debian-12-bookworm/usr/lib/os-release");
        let d = crate::osrelease::parse(&std::fs::read_to_string(root).unwrap()).unwrap();
        let s = distro_support(&d, &dir, "2026-12-06").unwrap().unwrap();
        assert_eq!(s.cycle.cycle, "12");
        assert_eq!(s.cycle.codename.as_deref(), Some("Bookworm"));
        assert_eq!(s.cycle.eol.as_deref(), Some("2026-07-11"));
        assert_eq!(s.cycle.eoes.as_deref(), Some("2028-06-30"));
        assert!(s.ended && s.extended);
        // The day before, still supported.
        let s = distro_support(&d, &dir, "2026-07-10").unwrap().unwrap();
        assert!(!s.ended);
        let trixie = crate::osrelease::parse("ID=debian\nVERSION_ID=\"13\"\n").unwrap();
        let s = distro_support(&trixie, &dir, "2026-12-06")
            .unwrap()
            .unwrap();
        assert_eq!(s.cycle.eol.as_deref(), Some("2028-08-09"));
        assert!(!s.ended);
        let alpine = crate::osrelease::parse("ID=alpine\nVERSION_ID=3.17.0\n").unwrap();
        let s = distro_support(&alpine, &dir, "2026-12-06")
            .unwrap()
            .unwrap();
        assert_eq!(s.product, "alpine-linux");
        assert!(s.ended);
        let ubuntu = crate::osrelease::parse("ID=ubuntu\nVERSION_ID=\"22.04\"\n").unwrap();
        let s = distro_support(&ubuntu, &dir, "2026-12-06")
            .unwrap()
            .unwrap();
        assert_eq!(s.cycle.cycle, "22.04");
        assert_eq!(s.cycle.eol.as_deref(), Some("2027-04-01"));
        assert!(!s.ended);
    }
}
