//! `/etc/os-release` (or `/usr/lib/os-release`): which distribution and release an image
//! is, as an OSV ecosystem and as the `distro` purl qualifier.

use std::collections::BTreeMap;

use serde::Serialize;

/// The distribution of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distro {
    /// `ID` (`debian`, `ubuntu`, `alpine`, `rocky`, ...).
    pub id: String,
    /// `VERSION_ID` (`12`, `22.04`, `3.20.3`), when the release has one.
    pub version_id: Option<String>,
    /// `VERSION` (`22.04.3 LTS (Jammy Jellyfish)`).
    pub version: Option<String>,
    /// `VERSION_CODENAME`.
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split.
    pub id_like: Vec<String>,
}

/// Parses os-release text (`KEY=value`, values optionally quoted). `None` without an `ID`.
pub fn parse(text: &str) -> Option<Distro> {
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            let inner = &v[1..v.len() - 1];
            inner
                .replace("\\\"", "\"")
                .replace("\\$", "$")
                .replace("\\`", "`")
                .replace("\\\\", "\\")
        } else {
            v.to_owned()
        };
        map.insert(k.trim().to_owned(), v);
    }
    let id = map.remove("ID").filter(|s| !s.is_empty())?;
    Some(Distro {
        id: id.to_ascii_lowercase(),
        version_id: map.remove("VERSION_ID").filter(|s| !s.is_empty()),
        version: map.remove("VERSION").filter(|s| !s.is_empty()),
        codename: map.remove("VERSION_CODENAME").filter(|s| !s.is_empty()),
        pretty_name: map.remove("PRETTY_NAME").filter(|s| !s.is_empty()),
        id_like: map
            .remove("ID_LIKE")
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

impl Distro {
    /// The `distro` purl qualifier: `ID-VERSION_ID` (`debian-12`, `ubuntu-22.04`), or the
    /// bare `ID` for a release without a version (Debian testing/sid).
    pub fn purl_qualifier(&self) -> String {
        match &self.version_id {
            Some(v) => format!("{}-{v}", self.id),
            None => self.id.clone(),
        }
    }

    /// The OSV ecosystem of the release (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`,
    /// `AlmaLinux:9`, `Rocky Linux:9`, `Red Hat`), when OSV has one for this distribution.
    pub fn osv_ecosystem(&self) -> Option<String> {
        let v = self.version_id.as_deref();
        let major = v.and_then(|v| v.split('.').next());
        let minor = v.and_then(|v| v.split('.').nth(1));
        Some(match self.id.as_str() {
            "debian" => match major {
                Some(m) => format!("Debian:{m}"),
                None => "Debian".to_owned(),
            },
            "ubuntu" => {
                let v = v?;
                let lts = self.version.as_deref().is_some_and(|s| s.contains("LTS"))
                    || self
                        .pretty_name
                        .as_deref()
                        .is_some_and(|s| s.contains("LTS"));
                if lts {
                    format!("Ubuntu:{v}:LTS")
                } else {
                    format!("Ubuntu:{v}")
                }
            }
            "alpine" => format!("Alpine:v{}.{}", major?, minor?),
            "almalinux" => format!("AlmaLinux:{}", major?),
            "rocky" => format!("Rocky Linux:{}", major?),
            "rhel" => "Red Hat".to_owned(),
            "sles" | "sled" => "SUSE".to_owned(),
            "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => "openSUSE".to_owned(),
            "wolfi" => "Wolfi".to_owned(),
            "chainguard" => "Chainguard".to_owned(),
            _ => return None,
        })
    }

    /// The purl namespace of OS packages (`debian`, `ubuntu`, `alpine`, `rocky`, ...).
    pub fn purl_namespace(&self) -> &str {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_os_release_files() {
        let shared = vouch_testkit::shared();
        let ubuntu = std::fs::read_to_string(
            shared.join("os-vulns/rootfs/ubuntu-22.04-cdxgen/etc/os-release"),
        )
        .unwrap();
        let d = parse(&ubuntu).unwrap();
        assert_eq!(d.osv_ecosystem().unwrap(), "Ubuntu:22.04:LTS");
        assert_eq!(d.purl_qualifier(), "ubuntu-22.04");
        let trixie = std::fs::read_to_string(
            shared.join("os-vulns/rootfs/debian-13-trixie/usr/lib/os-release"),
        )
        .unwrap();
        let d = parse(&trixie).unwrap();
        assert_eq!(d.osv_ecosystem().unwrap(), "Debian:13");
        assert_eq!(d.purl_qualifier(), "debian-13");
        assert_eq!(d.codename.as_deref(), Some("trixie"));
        // The symlink stored as text is not os-release.
        assert!(parse("../usr/lib/os-release").is_none());
    }

    #[test]
    fn ecosystems_of_other_distributions() {
        let alpine = parse("ID=alpine\nVERSION_ID=3.20.3\n").unwrap();
        assert_eq!(alpine.osv_ecosystem().unwrap(), "Alpine:v3.20");
        let rocky = parse("ID=\"rocky\"\nVERSION_ID=\"9.3\"\n").unwrap();
        assert_eq!(rocky.osv_ecosystem().unwrap(), "Rocky Linux:9");
        let alma = parse("ID=\"almalinux\"\nVERSION_ID=\"9.4\"\n").unwrap();
        assert_eq!(alma.osv_ecosystem().unwrap(), "AlmaLinux:9");
        let interim =
            parse("ID=ubuntu\nVERSION_ID=\"23.10\"\nVERSION=\"23.10 (Mantic Minotaur)\"\n")
                .unwrap();
        assert_eq!(interim.osv_ecosystem().unwrap(), "Ubuntu:23.10");
        assert!(parse("ID=plan9\n").unwrap().osv_ecosystem().is_none());
    }
}
