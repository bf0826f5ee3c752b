//! Java: Gradle's `gradle.lockfile` and Maven's `pom.xml` (dependencies with explicit
//! versions).
//!
//! Names are `groupId:artifactId`, as OSV's Maven ecosystem spells them. A `pom.xml` is a
//! manifest, not a lockfile: only dependencies whose version is written out (literally or
//! through a `${property}` of the same pom) are listed; managed versions from a parent or a
//! BOM need Maven's resolver and are left out rather than guessed.

use std::collections::BTreeMap;

use crate::format::{package, FileFormat, Parsed};
use crate::{ParseError, Source};

/// Maven Central.
pub const MAVEN_CENTRAL: &str = "https://repo.maven.apache.org/maven2";

#[allow(clippy::unnecessary_wraps)] // the `source` field is an Option
fn central() -> Option<Source> {
    Some(Source::Registry {
        url: MAVEN_CENTRAL.to_owned(),
    })
}

/// Parses a `gradle.lockfile`: `group:artifact:version=configuration,…` lines. A package
/// used only by test configurations is a dev dependency.
pub fn parse_gradle(text: &str, file: &str) -> Result<Parsed, ParseError> {
    let mut packages = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("empty=") {
            continue;
        }
        let (coord, confs) = l.split_once('=').unwrap_or((l, ""));
        let parts: Vec<&str> = coord.split(':').collect();
        let [group, artifact, version] = parts[..] else {
            return Err(ParseError::Syntax {
                file: file.to_owned(),
                message: format!(
                    "line {line}: expected `group:artifact:version=configurations`, got `{l}`"
                ),
            });
        };
        let mut p = package(format!("{group}:{artifact}"), version, Some(line));
        p.source = central();
        p.dev = !confs.is_empty() && confs.split(',').all(|c| c.trim().starts_with("test"));
        packages.push(p);
    }
    Ok(Parsed {
        format: FileFormat::GradleLockfile,
        format_version: None,
        packages,
        includes: Vec::new(),
        project: None,
    })
}

/// A parsed XML element (enough of XML for a pom: elements, text, comments, CDATA-free).
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    line: u32,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

fn parse_xml(text: &str, file: &str) -> Result<Element, ParseError> {
    let err = |line: u32, m: &str| ParseError::Syntax {
        file: file.to_owned(),
        message: format!("line {line}: {m}"),
    };
    let b = text.as_bytes();
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut i = 0;
    let mut line = 1u32;
    #[allow(clippy::naive_bytecount)] // a small file; no crate for this
    let count = |s: &[u8]| s.iter().filter(|&&c| c == b'\n').count() as u32;
    while i < b.len() {
        if b[i] == b'<' {
            let rest = &text[i..];
            let (skip_to, kind) = if rest.starts_with("<!--") {
                (rest.find("-->").map(|e| e + 3), 0)
            } else if rest.starts_with("<?") {
                (rest.find("?>").map(|e| e + 2), 0)
            } else if rest.starts_with("<!") {
                (rest.find('>').map(|e| e + 1), 0)
            } else {
                (rest.find('>').map(|e| e + 1), 1)
            };
            let Some(end) = skip_to else {
                return Err(err(line, "unterminated tag (truncated XML?)"));
            };
            let tag = &rest[..end];
            if kind == 1 {
                let inner = tag.trim_start_matches('<').trim_end_matches('>');
                if let Some(close) = inner.strip_prefix('/') {
                    let close = close.trim();
                    let Some(el) = stack.pop() else {
                        return Err(err(line, "unbalanced closing tag"));
                    };
                    if el.name != close || stack.is_empty() {
                        return Err(err(
                            line,
                            &format!("closing `</{close}>` does not match `<{}>`", el.name),
                        ));
                    }
                    stack.last_mut().expect("checked").children.push(el);
                } else {
                    let self_closing = inner.ends_with('/');
                    let name = inner
                        .trim_end_matches('/')
                        .split(|c: char| c.is_whitespace())
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    let el = Element {
                        name,
                        line,
                        ..Element::default()
                    };
                    if self_closing {
                        stack.last_mut().expect("root").children.push(el);
                    } else {
                        stack.push(el);
                    }
                }
            }
            line += count(tag.as_bytes());
            i += end;
        } else {
            let end = text[i..].find('<').map_or(b.len(), |e| i + e);
            let chunk = &text[i..end];
            line += count(chunk.as_bytes());
            if let Some(top) = stack.last_mut() {
                top.text.push_str(chunk);
            }
            i = end;
        }
    }
    if stack.len() != 1 {
        let open = stack
            .last()
            .map(|e| (e.name.clone(), e.line))
            .unwrap_or_default();
        return Err(err(
            open.1,
            &format!("`<{}>` is never closed (truncated XML?)", open.0),
        ));
    }
    stack
        .pop()
        .and_then(|d| d.children.into_iter().next())
        .ok_or_else(|| err(1, "no root element"))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `${name}` from the pom's properties (and `project.version`/`project.groupId`); `None` if
/// anything stays unresolved.
fn resolve(value: &str, props: &BTreeMap<String, String>) -> Option<String> {
    let mut out = unescape(value);
    for _ in 0..8 {
        let Some(start) = out.find("${") else {
            return Some(out);
        };
        let end = out[start..].find('}')? + start;
        let key = &out[start + 2..end];
        let v = props.get(key)?.clone();
        out.replace_range(start..=end, &v);
    }
    None
}

/// Parses a `pom.xml`: the project and its `<dependencies>` with explicit versions.
pub fn parse_pom(text: &str, file: &str) -> Result<Parsed, ParseError> {
    let project = parse_xml(text, file)?;
    if project.name != "project" {
        return Err(ParseError::Syntax {
            file: file.to_owned(),
            message: format!(
                "line {}: root element is `<{}>`, not `<project>`: not a Maven pom.xml",
                project.line, project.name
            ),
        });
    }
    let parent = project.child("parent");
    let group = project
        .text_of("groupId")
        .or_else(|| parent.and_then(|p| p.text_of("groupId")))
        .map(unescape);
    let version = project
        .text_of("version")
        .or_else(|| parent.and_then(|p| p.text_of("version")))
        .map(unescape);
    let mut props = BTreeMap::new();
    if let Some(ps) = project.child("properties") {
        for p in &ps.children {
            props.insert(p.name.clone(), unescape(p.text.trim()));
        }
    }
    for (k, v) in [
        ("project.groupId", &group),
        ("project.version", &version),
        ("pom.version", &version),
    ] {
        if let Some(v) = v {
            props.insert(k.to_owned(), v.clone());
        }
    }
    if let Some(pv) = parent.and_then(|p| p.text_of("version")) {
        props.insert("project.parent.version".to_owned(), pv.to_owned());
    }
    let artifact = project.text_of("artifactId").map(unescape);
    let mut packages = Vec::new();
    if let Some(deps) = project.child("dependencies") {
        for d in deps.children.iter().filter(|d| d.name == "dependency") {
            let (Some(g), Some(a)) = (d.text_of("groupId"), d.text_of("artifactId")) else {
                continue;
            };
            let Some(v) = d.text_of("version").and_then(|v| resolve(v, &props)) else {
                continue;
            };
            let (Some(g), Some(a)) = (resolve(g, &props), resolve(a, &props)) else {
                continue;
            };
            // A version range is not one version.
            if v.starts_with('[') || v.starts_with('(') {
                continue;
            }
            let mut p = package(format!("{g}:{a}"), v, Some(d.line));
            p.source = central();
            p.dev = d.text_of("scope") == Some("test");
            packages.push(p);
        }
    }
    Ok(Parsed {
        format: FileFormat::PomXml,
        format_version: None,
        packages,
        includes: Vec::new(),
        project: artifact.map(|a| {
            (
                match &group {
                    Some(g) => format!("{g}:{a}"),
                    None => a,
                },
                version,
            )
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradle_lines_and_test_configurations() {
        let p = parse_gradle("# c\na:b:1.0=compileClasspath,testCompileClasspath\njunit:junit:4.12=testCompileClasspath\nempty=x\n", "gradle.lockfile").unwrap();
        assert_eq!(p.packages.len(), 2);
        assert_eq!(p.packages[0].name, "a:b");
        assert!(!p.packages[0].dev);
        assert!(p.packages[1].dev);
        assert_eq!(p.packages[1].line, Some(3));
        assert!(parse_gradle("nonsense\n", "gradle.lockfile").is_err());
    }

    #[test]
    fn pom_explicit_versions_and_properties() {
        let text = "<?xml version=\"1.0\"?>\n<project>\n<groupId>g</groupId><artifactId>app</artifactId><version>1</version>\n<properties><x.v>2.0</x.v></properties>\n<dependencies>\n<!-- <dependency><groupId>no</groupId></dependency> -->\n<dependency><groupId>a</groupId><artifactId>b</artifactId><version>${x.v}</version></dependency>\n<dependency><groupId>c</groupId><artifactId>d</artifactId></dependency>\n<dependency><groupId>t</groupId><artifactId>t</artifactId><version>3</version><scope>test</scope></dependency>\n</dependencies>\n</project>\n";
        let p = parse_pom(text, "pom.xml").unwrap();
        let got: Vec<_> = p
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.dev, p.line))
            .collect();
        assert_eq!(
            got,
            [("a:b", "2.0", false, Some(7)), ("t:t", "3", true, Some(9))]
        );
        assert_eq!(p.project, Some(("g:app".to_owned(), Some("1".to_owned()))));
        let e = parse_pom("<project>\n<dependencies>\n", "pom.xml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("never closed"), "{e}");
    }
}
