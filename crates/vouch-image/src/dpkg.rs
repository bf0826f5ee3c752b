//! The dpkg database: `var/lib/dpkg/status` and distroless `var/lib/dpkg/status.d/*`
//! (deb822 stanzas). Also reads opkg's `status`, which has the same shape.

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub package: String,
    /// Empty when the stanza has none (such entries are not reported as components).
    pub version: String,
    pub architecture: Option<String>,
    /// `Source:` name, when the stanza has one (else the source is the binary itself).
    pub source: Option<String>,
    /// The version in `Source: name (version)`, when it differs from the binary's.
    pub source_version: Option<String>,
    /// opkg's `License:`.
    pub license: Option<String>,
    /// 1-based line of the stanza's first field.
    pub line: u32,
}

impl Entry {
    /// The source package name (`Source:` or the binary name).
    pub fn source_name(&self) -> &str {
        self.source.as_deref().unwrap_or(&self.package)
    }

    /// The source package version (`Source: name (version)` or the binary version).
    pub fn source_version(&self) -> &str {
        self.source_version.as_deref().unwrap_or(&self.version)
    }
}

/// Parses a status file. Stanzas whose `Status:` says the package is not installed
/// (`deinstall ok config-files`, `purge ok not-installed`, ...) are skipped; a stanza
/// without `Status:` (distroless `status.d`) counts as installed.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut start = 0u32;
    let flush = |fields: &mut Vec<(String, String)>, start: u32, out: &mut Vec<Entry>| {
        if fields.is_empty() {
            return;
        }
        let get = |k: &str| {
            fields
                .iter()
                .find(|(f, _)| f.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.trim().to_owned())
        };
        let installed = get("Status").is_none_or(|s| {
            s.split_whitespace()
                .nth(2)
                .is_some_and(|state| state == "installed")
        });
        if let (Some(package), true) = (get("Package").filter(|p| !p.is_empty()), installed) {
            let version = get("Version").unwrap_or_default();
            let (source, source_version) = match get("Source") {
                Some(s) => match s.split_once('(') {
                    Some((name, ver)) => {
                        let ver = ver.trim_end_matches(')').trim().to_owned();
                        let ver = (ver != version && !ver.is_empty()).then_some(ver);
                        (Some(name.trim().to_owned()), ver)
                    }
                    None => (Some(s), None),
                },
                None => (None, None),
            };
            out.push(Entry {
                package,
                version,
                architecture: get("Architecture"),
                source,
                source_version,
                license: get("License"),
                line: start,
            });
        }
        fields.clear();
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            flush(&mut fields, start, &mut out);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            if fields.is_empty() {
                start = i as u32 + 1;
            }
            fields.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    flush(&mut fields, start, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_with_version_and_deinstalled_stanzas() {
        let text = "Package: login\r\nStatus: install ok installed\r\nVersion: 1:4.16.0-2+really2.41.5-0+deb13u1\r\nSource: util-linux (2.41.5-0+deb13u1)\r\nArchitecture: amd64\r\n\r\nPackage: gone\r\nStatus: deinstall ok config-files\r\nVersion: 1\r\n\r\nPackage: passwd\nStatus: install ok installed\nVersion: 1:4.17.4-2\nSource: shadow\nArchitecture: amd64\nDescription: x\n more\n";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].source_name(), "util-linux");
        assert_eq!(e[0].source_version(), "2.41.5-0+deb13u1");
        assert_eq!(e[1].source_name(), "shadow");
        assert_eq!(e[1].source_version(), "1:4.17.4-2");
        assert_eq!(e[1].line, 11);
    }
}
