//! The apk database `lib/apk/db/installed`: stanzas of one-letter fields.

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub package: String,
    pub version: String,
    pub architecture: Option<String>,
    /// `o:` origin, the source package advisories name.
    pub origin: Option<String>,
    pub license: Option<String>,
    /// `D:` dependencies (names, `so:` and `cmd:` provides; `!conflicts` dropped).
    pub depends: Vec<String>,
    /// `p:` provides, plus the package name itself.
    pub provides: Vec<String>,
    /// Files the package owns (`F:` directory + `R:` file), relative to `/`.
    pub files: Vec<String>,
    /// 1-based line of the stanza's first field.
    pub line: u32,
}

impl Entry {
    /// The source package (origin, or the package itself).
    pub fn source_name(&self) -> &str {
        self.origin.as_deref().unwrap_or(&self.package)
    }
}

fn strip_constraint(dep: &str) -> &str {
    let end = dep.find(['<', '>', '=', '~']).unwrap_or(dep.len());
    &dep[..end]
}

/// Parses an installed database. A stanza without `P:` is skipped; one without `V:` is kept
/// with an empty version (not reported as a component).
pub fn parse(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut cur: Option<Entry> = None;
    let mut dir = String::new();
    let blank = |line: u32| Entry {
        package: String::new(),
        version: String::new(),
        architecture: None,
        origin: None,
        license: None,
        depends: Vec::new(),
        provides: Vec::new(),
        files: Vec::new(),
        line,
    };
    let mut finish = |cur: &mut Option<Entry>| {
        if let Some(e) = cur.take() {
            if !e.package.is_empty() {
                out.push(e);
            }
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            finish(&mut cur);
            dir.clear();
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let e = cur.get_or_insert_with(|| blank(i as u32 + 1));
        let v = v.trim();
        match k {
            "P" => v.clone_into(&mut e.package),
            "V" => v.clone_into(&mut e.version),
            "A" => e.architecture = Some(v.to_owned()),
            "o" => e.origin = Some(v.to_owned()),
            "L" => e.license = Some(v.to_owned()),
            "D" => e.depends.extend(
                v.split_whitespace()
                    .filter(|d| !d.starts_with('!'))
                    .map(|d| strip_constraint(d).to_owned()),
            ),
            "F" => v.clone_into(&mut dir),
            "R" => e.files.push(if dir.is_empty() {
                v.to_owned()
            } else {
                format!("{dir}/{v}")
            }),
            "p" => e
                .provides
                .extend(v.split_whitespace().map(|d| strip_constraint(d).to_owned())),
            _ => {}
        }
    }
    finish(&mut cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_database() {
        let text = std::fs::read_to_string(
            vouch_testkit::shared().join("os-vulns/rootfs/alpine-3.17-cdxgen/lib/apk/db/installed"),
        )
        .unwrap();
        let e = parse(&text);
        assert_eq!(e.len(), 15);
        let musl = e.iter().find(|p| p.package == "musl-utils").unwrap();
        assert_eq!(musl.version, "1.2.3-r4");
        assert_eq!(musl.source_name(), "musl");
        assert!(
            musl.files.iter().any(|f| f == "usr/bin/ldd"),
            "{:?}",
            musl.files
        );
    }
}
