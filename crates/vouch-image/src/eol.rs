//! End of life of the distribution release an image runs, from endoflife.date's product
//! files (`products/<product>.md`: YAML front matter with a `releases:` list).
//!
//! Only the flat `releases:` entries are read (`releaseCycle`, `codename`, `releaseDate`,
//! `eol`, `eoes`, `latest`), line by line: the files are generated with one key per line,
//! and a general YAML parser is not worth a dependency for five scalar keys.

use std::path::Path;

use serde::Serialize;

use crate::osrelease::Distro;

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

/// A package's security support in a Debian release (`debian-security-support`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportStatus {
    /// Supported (an explicit exception to a pattern).
    Supported,
    /// Supported only in some uses (trusted input, client side, ...).
    Limited,
    /// Security support has ended.
    Ended,
}

/// One line of a `debian-security-support` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportEntry {
    /// A source package name, or a regular expression (`golang.*`) matching whole names.
    pub pattern: String,
    pub status: SupportStatus,
    /// For ended support: the last supported version and the date support ended.
    pub last_version: Option<String>,
    pub date: Option<String>,
    pub details: String,
}

fn is_pattern(name: &str) -> bool {
    name.contains(['*', '.', '[', '(', '?', '+', '|', '^', '$'])
        && !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Parses a `debian-security-support` list: the unified format of 13+
/// (`security-support.debN`: `name  supported|limited|non-supported  [version date] details`),
/// or the older separate lists (`status` given: `security-support-ended.debN` lines are
/// `name  version  date  details`, `security-support-limited` lines `name  details`).
pub fn parse_security_support(text: &str, old_format: Option<SupportStatus>) -> Vec<SupportEntry> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else { continue };
        let rest: Vec<&str> = words.collect();
        let (status, rest) = match old_format {
            Some(s) => (s, rest.as_slice()),
            None => match rest.first().copied() {
                Some("supported") => (SupportStatus::Supported, &rest[1..]),
                Some("limited") => (SupportStatus::Limited, &rest[1..]),
                Some("non-supported" | "ended" | "unsupported") => {
                    (SupportStatus::Ended, &rest[1..])
                }
                _ => continue,
            },
        };
        let (last_version, date, details) = if status == SupportStatus::Ended {
            let date_like = |s: &&str| s.len() == 10 && s.as_bytes()[4] == b'-';
            match rest {
                [v, d, tail @ ..] if date_like(d) => {
                    (Some((*v).to_owned()), Some((*d).to_owned()), tail.join(" "))
                }
                _ => (None, None, rest.join(" ")),
            }
        } else {
            (None, None, rest.join(" "))
        };
        out.push(SupportEntry {
            pattern: name.to_owned(),
            status,
            last_version,
            date,
            details,
        });
    }
    out
}

/// The entry that applies to source package `name`: an exact name wins over a pattern.
pub fn security_support<'a>(entries: &'a [SupportEntry], name: &str) -> Option<&'a SupportEntry> {
    if let Some(e) = entries.iter().find(|e| e.pattern == name) {
        return Some(e);
    }
    entries.iter().filter(|e| is_pattern(&e.pattern)).find(|e| {
        regex::Regex::new(&format!("^(?:{})$", e.pattern)).is_ok_and(|r| r.is_match(name))
    })
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

    fn source_packages(root: &str) -> std::collections::BTreeSet<String> {
        let status =
            vouch_testkit::shared_path(&format!("os-vulns/rootfs/{root}/var/lib/dpkg/status"));
        crate::dpkg::parse(&std::fs::read_to_string(status).unwrap())
            .iter()
            .map(|e| e.source_name().to_owned())
            .collect()
    }

    #[test]
    fn debian_security_support_lists_explicit_names_win_over_patterns() {
        let dir = vouch_testkit::shared_path("os-vulns/eol");
        let deb13 = parse_security_support(
            &std::fs::read_to_string(dir.join("debian-security-support-13/security-support.deb13"))
                .unwrap(),
            None,
        );
        let hits: Vec<(String, SupportStatus)> = source_packages("debian-13-trixie")
            .iter()
            .filter_map(|s| security_support(&deb13, s).map(|e| (s.clone(), e.status)))
            .collect();
        // `rust.*  limited` and `rust-sequoia-sqv  supported` both match: the explicit line wins.
        assert_eq!(
            hits,
            [("rust-sequoia-sqv".to_owned(), SupportStatus::Supported)]
        );
        assert_eq!(
            security_support(&deb13, "golang-1.24").unwrap().status,
            SupportStatus::Limited
        );
        let consul = security_support(&deb13, "consul").unwrap();
        assert_eq!(consul.status, SupportStatus::Ended);
        assert_eq!(consul.last_version.as_deref(), Some("1.10.12+dfsg1-1"));
        assert_eq!(consul.date.as_deref(), Some("2023-09-20"));
        // bookworm's old-format lists name none of the minbase packages.
        let d12 = dir.join("debian-security-support-12");
        let mut deb12 = parse_security_support(
            &std::fs::read_to_string(d12.join("security-support-ended.deb12")).unwrap(),
            Some(SupportStatus::Ended),
        );
        deb12.extend(parse_security_support(
            &std::fs::read_to_string(d12.join("security-support-limited")).unwrap(),
            Some(SupportStatus::Limited),
        ));
        let wpe = security_support(&deb12, "wpewebkit").unwrap();
        assert_eq!(wpe.date.as_deref(), Some("2023-05-09"));
        assert!(source_packages("debian-12-bookworm")
            .iter()
            .all(|s| security_support(&deb12, s).is_none()));
    }
}
