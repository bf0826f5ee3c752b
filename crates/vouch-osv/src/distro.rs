//! Distribution packages: which OSV ecosystem and package name a `deb`/`apk` purl is
//! matched under.
//!
//! Distribution advisories (Debian DSA/DLA, Ubuntu USN, Alpine secdb) name *source*
//! packages, per release: `Ubuntu:22.04:LTS` / `shadow`, not `Ubuntu` / `login`. An image
//! cataloger writes what it knows into the purl, as Syft does:
//! `pkg:deb/ubuntu/login@1:4.8.1-2ubuntu2.1?arch=amd64&distro=ubuntu-22.04&upstream=shadow`.
//! From that purl this module derives the release ecosystem (`distro` qualifier), the source
//! package (`upstream`, optionally `name@version`) and its version. A purl without `distro`
//! keeps the old lenient behaviour (any release of the distribution).

use vouch_core::Package;

/// What a distribution package is looked up and evaluated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistroQuery {
    /// OSV ecosystem with release (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.18`).
    pub ecosystem: String,
    /// The source package (dpkg `Source:`, apk origin).
    pub source: String,
    /// The source package's version (the binary's version unless the purl says otherwise).
    pub version: String,
}

/// The release ecosystem of a `distro` qualifier (`debian-12`, `ubuntu-22.04`,
/// `alpine-3.18.4`) for a purl type, as OSV names it. `None` for distributions without a
/// release-qualified OSV ecosystem vouch knows.
pub fn release_ecosystem(purl_type: &str, distro: &str) -> Option<String> {
    let (id, version) = distro.split_once('-')?;
    let mut parts = version.split('.');
    let major = parts.next().filter(|m| !m.is_empty())?;
    let minor = parts.next();
    match (purl_type, id) {
        ("deb", "debian") => Some(format!("Debian:{major}")),
        ("deb", "ubuntu") => {
            let minor = minor?;
            // LTS releases are the April releases of even years (YY.04).
            let lts = minor == "04" && major.parse::<u32>().is_ok_and(|y| y % 2 == 0);
            Some(if lts {
                format!("Ubuntu:{major}.{minor}:LTS")
            } else {
                format!("Ubuntu:{major}.{minor}")
            })
        }
        ("apk", "alpine") => Some(format!("Alpine:v{major}.{}", minor?)),
        ("rpm", "almalinux") => Some(format!("AlmaLinux:{major}")),
        ("rpm", "rocky") => Some(format!("Rocky Linux:{major}")),
        _ => None,
    }
}

/// The release-qualified query for a distribution package, when its purl carries a
/// `distro` qualifier vouch can map.
pub fn query_for(package: &Package) -> Option<DistroQuery> {
    let purl = package.purl.as_ref()?;
    let distro = purl.qualifiers().get("distro")?;
    let ecosystem = release_ecosystem(purl.ty(), distro)?;
    let (source, version) = match purl.qualifiers().get("upstream") {
        Some(u) => match u.split_once('@') {
            Some((n, v)) if !n.is_empty() && !v.is_empty() => (n.to_owned(), v.to_owned()),
            _ => (u.clone(), package.version.clone()),
        },
        None => (purl.name().to_owned(), package.version.clone()),
    };
    Some(DistroQuery {
        ecosystem,
        source,
        version,
    })
}

/// Whether a record's `affected[].package.ecosystem` applies to a query's ecosystem: equal
/// bases, and equal in full when both name a release (`Ubuntu:Pro:18.04:LTS` is not
/// `Ubuntu:18.04:LTS`). A record or query without a release matches any release.
pub fn ecosystem_applies(record: &str, query: &str) -> bool {
    match (record.split_once(':'), query.split_once(':')) {
        (Some(_), Some(_)) => record == query,
        _ => record.split(':').next() == query.split(':').next(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_map_to_osv_ecosystems() {
        assert_eq!(release_ecosystem("deb", "debian-12").unwrap(), "Debian:12");
        assert_eq!(
            release_ecosystem("deb", "debian-11.5").unwrap(),
            "Debian:11"
        );
        assert_eq!(
            release_ecosystem("deb", "ubuntu-22.04").unwrap(),
            "Ubuntu:22.04:LTS"
        );
        assert_eq!(
            release_ecosystem("deb", "ubuntu-23.10").unwrap(),
            "Ubuntu:23.10"
        );
        assert_eq!(
            release_ecosystem("deb", "ubuntu-21.04").unwrap(),
            "Ubuntu:21.04"
        );
        assert_eq!(
            release_ecosystem("apk", "alpine-3.18.4").unwrap(),
            "Alpine:v3.18"
        );
        assert_eq!(
            release_ecosystem("rpm", "rocky-9.3").unwrap(),
            "Rocky Linux:9"
        );
        assert_eq!(release_ecosystem("deb", "debian"), None);
        assert_eq!(release_ecosystem("apk", "debian-12"), None);
    }

    #[test]
    fn pro_and_other_releases_do_not_apply() {
        assert!(ecosystem_applies("Ubuntu:18.04:LTS", "Ubuntu:18.04:LTS"));
        assert!(!ecosystem_applies(
            "Ubuntu:Pro:18.04:LTS",
            "Ubuntu:18.04:LTS"
        ));
        assert!(!ecosystem_applies("Debian:11", "Debian:12"));
        assert!(ecosystem_applies("Debian", "Debian:12"));
        assert!(ecosystem_applies("Debian:12", "Debian"));
        assert!(!ecosystem_applies("Ubuntu:22.04:LTS", "Debian"));
    }

    #[test]
    fn upstream_names_the_source_package() {
        let purl = "pkg:deb/ubuntu/login@1:4.8.1-2ubuntu2.1?arch=amd64&distro=ubuntu-22.04&upstream=shadow"
            .parse()
            .unwrap();
        let p = Package {
            ecosystem: vouch_core::Ecosystem::Debian,
            name: "login".into(),
            version: "1:4.8.1-2ubuntu2.1".into(),
            purl: Some(purl),
            hashes: Vec::new(),
        };
        let q = query_for(&p).unwrap();
        assert_eq!(q.ecosystem, "Ubuntu:22.04:LTS");
        assert_eq!(q.source, "shadow");
        assert_eq!(q.version, "1:4.8.1-2ubuntu2.1");
    }
}
