//! Distribution advisories in their native formats, converted to OSV records so the normal
//! matcher evaluates them. osv.dev makes its `ALPINE-CVE-*` records from the same data; a
//! user without the osv.dev export may have only the native feed.
//!
//! Alpine's secdb (`secdb.alpinelinux.org/vX.Y/{main,community}.yaml`): for each origin
//! package, `secfixes: {fixed-version: [CVE, ...]}`. Each (package, CVE) becomes a record
//! `ALPINE-<CVE>` (alias the CVE) affecting `Alpine:vX.Y` below the fixed version. The file
//! is read line by line (it is generated with a fixed layout); `0` as a fixed version (a CVE
//! that never affected the package) is skipped.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// An Alpine secdb file that does not have the expected layout.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{file}` is not an Alpine secdb file: {reason}")]
pub struct SecdbError {
    pub file: String,
    pub reason: String,
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix(['"', '\''])
        .and_then(|x| x.strip_suffix(['"', '\'']))
        .unwrap_or(s)
}

/// Converts one secdb file into OSV records (JSON values, for [`crate::db::Builder::add_json`]).
pub fn alpine_secdb_to_osv(text: &str, file: &str) -> Result<Vec<Value>, SecdbError> {
    let err = |reason: &str| SecdbError {
        file: file.to_owned(),
        reason: reason.to_owned(),
    };
    let mut branch = None;
    // (package, CVE) → fixed versions
    let mut fixes: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut name: Option<String> = None;
    let mut in_secfixes = false;
    let mut version: Option<String> = None;
    for raw in text.lines() {
        let line = raw.split(" #").next().unwrap_or(raw).trim_end();
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(v) = t.strip_prefix("distroversion:") {
            branch = Some(unquote(v).to_owned());
            continue;
        }
        if t == "- pkg:" {
            name = None;
            in_secfixes = false;
            version = None;
            continue;
        }
        if let Some(n) = t.strip_prefix("name:") {
            name = Some(unquote(n).to_owned());
            continue;
        }
        if t == "secfixes:" {
            in_secfixes = true;
            continue;
        }
        if !in_secfixes {
            continue;
        }
        if let Some(cve) = t.strip_prefix("- ") {
            let (Some(n), Some(v)) = (&name, &version) else {
                continue;
            };
            for id in unquote(cve).split_whitespace() {
                fixes
                    .entry((n.clone(), id.to_owned()))
                    .or_default()
                    .push(v.clone());
            }
        } else if let Some(v) = t.strip_suffix(':') {
            version = Some(unquote(v).to_owned());
        }
    }
    let branch = branch.ok_or_else(|| err("no `distroversion`"))?;
    let ecosystem = format!("Alpine:{branch}");
    Ok(fixes
        .into_iter()
        .filter_map(|((package, cve), versions)| {
            let ranges: Vec<Value> = versions
                .iter()
                .filter(|v| v.as_str() != "0")
                .map(|v| json!({"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": v}]}))
                .collect();
            if ranges.is_empty() {
                return None;
            }
            Some(json!({
                "schema_version": "1.6.0",
                "id": format!("ALPINE-{cve}"),
                "modified": "1970-01-01T00:00:00Z",
                "aliases": [cve],
                "summary": format!("{package}: {cve} (Alpine secdb {branch})"),
                "affected": [{
                    "package": {"ecosystem": ecosystem, "name": package},
                    "ranges": ranges
                }],
                "references": [{"type": "ADVISORY", "url": format!("https://security.alpinelinux.org/vuln/{cve}")}]
            }))
        })
        .collect())
}

/// Debian release numbers by codename (the tracker's `[release]` tags).
fn debian_release(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "forky" => "14",
        "trixie" => "13",
        "bookworm" => "12",
        "bullseye" => "11",
        "buster" => "10",
        "stretch" => "9",
        "jessie" => "8",
        "wheezy" => "7",
        "squeeze" => "6",
        "lenny" => "5",
        "etch" => "4",
        "sarge" => "3.1",
        "woody" => "3.0",
        _ => return None,
    })
}

/// Converts the Debian security tracker's `data/DSA/list` or `data/DLA/list` into OSV
/// records: one per advisory (aliases: its CVEs), affecting each `[release] - source
/// fixed-version` below the fixed version under `Debian:<release number>`. Lines whose
/// version is a tag (`<not-affected>`, `<end-of-life>`, `<unfixed>`, ...) and notes add
/// nothing.
pub fn debian_tracker_to_osv(text: &str) -> Vec<Value> {
    struct Advisory {
        id: String,
        date: String,
        summary: String,
        cves: Vec<String>,
        fixed: Vec<(String, String, String)>,
    }
    let mut out: Vec<Advisory> = Vec::new();
    for raw in text.lines() {
        if let Some(rest) = raw.strip_prefix('[') {
            // `[14 Feb 2023] DSA-5349-1 gnutls28 - security update`
            let Some((date, tail)) = rest.split_once(']') else {
                continue;
            };
            let mut words = tail.split_whitespace();
            let Some(id) = words.next() else { continue };
            out.push(Advisory {
                id: id.to_owned(),
                date: date.to_owned(),
                summary: words.collect::<Vec<_>>().join(" "),
                cves: Vec::new(),
                fixed: Vec::new(),
            });
            continue;
        }
        let Some(adv) = out.last_mut() else { continue };
        let t = raw.trim();
        if let Some(list) = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            adv.cves.extend(list.split_whitespace().map(str::to_owned));
        } else if let Some(rest) = t.strip_prefix('[') {
            let Some((release, tail)) = rest.split_once(']') else {
                continue;
            };
            let mut words = tail.split_whitespace();
            let (Some("-"), Some(source), Some(version)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            if version.starts_with('<') {
                continue;
            }
            if let Some(n) = debian_release(release) {
                adv.fixed
                    .push((n.to_owned(), source.to_owned(), version.to_owned()));
            }
        }
    }
    out.into_iter()
        .filter(|a| !a.fixed.is_empty())
        .map(|a| {
            let affected: Vec<Value> = a
                .fixed
                .iter()
                .map(|(release, source, version)| {
                    json!({
                        "package": {"ecosystem": format!("Debian:{release}"), "name": source},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": version}]}]
                    })
                })
                .collect();
            json!({
                "schema_version": "1.6.0",
                "id": a.id,
                "modified": "1970-01-01T00:00:00Z",
                "aliases": a.cves,
                "summary": a.summary,
                "database_specific": {"date": a.date},
                "affected": affected,
                "references": [{"type": "ADVISORY", "url": format!("https://security-tracker.debian.org/tracker/{}", a.id)}]
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secfixes_become_records_per_package_and_cve() {
        let text = "---\ndistroversion: v3.4\npackages:\n  - pkg:\n      name: musl\n      secfixes:\n        1.1.14-r13:\n          - CVE-2016-8859\n        \"1.1.14-r16\":\n        - CVE-2017-15650\n  - pkg:\n      name: other\n      secfixes:\n        0:\n          - CVE-2000-1\n";
        let r = alpine_secdb_to_osv(text, "main.yaml").unwrap();
        let ids: Vec<&str> = r.iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["ALPINE-CVE-2016-8859", "ALPINE-CVE-2017-15650"]);
        assert_eq!(r[1]["affected"][0]["package"]["ecosystem"], "Alpine:v3.4");
        assert_eq!(
            r[1]["affected"][0]["ranges"][0]["events"][1]["fixed"],
            "1.1.14-r16"
        );
        assert!(alpine_secdb_to_osv("packages:\n", "x").is_err());
    }

    #[test]
    fn tracker_lists_become_records_per_advisory() {
        let text = "[14 Feb 2023] DSA-5349-1 gnutls28 - security update\n\t{CVE-2023-0361}\n\t[bullseye] - gnutls28 3.7.1-5+deb11u3\n[01 Jan 2010] DSA-1-1 x - y\n\t[squeeze] - x <not-affected> (vulnerable code not present)\n\tNOTE: note\n";
        let r = debian_tracker_to_osv(text);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0]["id"], "DSA-5349-1");
        assert_eq!(r[0]["aliases"][0], "CVE-2023-0361");
        assert_eq!(r[0]["affected"][0]["package"]["ecosystem"], "Debian:11");
        assert_eq!(
            r[0]["affected"][0]["ranges"][0]["events"][1]["fixed"],
            "3.7.1-5+deb11u3"
        );
    }
}
