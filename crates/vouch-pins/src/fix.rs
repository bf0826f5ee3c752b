//! Rewriting tags to immutable identities, surgically.
//!
//! `uses: owner/repo@v4` becomes `uses: owner/repo@<40-hex sha> # v4` and `image: name:tag`
//! becomes `image: name:tag@sha256:<digest>`. Only the reference itself changes (and a
//! version comment is appended when the line has none): every other byte of the file stays as
//! it was, so a second run finds everything pinned and changes nothing.
//!
//! Resolution is behind two traits so the edit logic stays pure: the CLI passes the GitHub REST
//! client ([`crate::github`]) and the OCI registry client (`vouch-oci`).

use std::fmt::Write as _;

use crate::scan::FileKind;
use crate::workflow::{self, Checked};
use crate::{dockerfile, manifest, PinState, ReferenceKind};

/// Resolves an action's tag or branch to a commit id.
pub trait ActionResolver {
    /// `repo` is `owner/repo`; returns the 40-hex commit id `git_ref` points at.
    fn resolve(&self, repo: &str, git_ref: &str) -> Result<String, String>;
}

/// Resolves an image reference (with a tag, or none for `latest`) to its manifest digest.
pub trait ImageResolver {
    /// Returns `sha256:<hex>`.
    fn resolve(&self, image: &str) -> Result<String, String>;
}

/// One rewritten reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub line: u32,
    pub from: String,
    pub to: String,
}

/// What could not be fixed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: u32,
    pub reference: String,
    pub reason: String,
}

/// The outcome for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFix {
    pub text: String,
    pub edits: Vec<Edit>,
    pub skipped: Vec<Skipped>,
}

fn checked(kind: FileKind, file: &str, text: &str) -> Checked {
    match kind {
        FileKind::Workflow => workflow::check_workflow(file, text, None),
        FileKind::Action => workflow::check_action(file, text, None),
        FileKind::Dockerfile => dockerfile::check(file, text),
        FileKind::Compose => manifest::check_compose(file, text),
        FileKind::Kubernetes => manifest::check_kubernetes(file, text),
        _ => Checked::default(),
    }
}

/// Replaces the first occurrence of `from` on 1-based `line` (as a whole token) with `to`;
/// appends ` # comment` when given and the line has no comment after the reference.
fn edit_line(text: &mut String, line: u32, from: &str, to: &str, comment: Option<&str>) -> bool {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(p) => start += p + 1,
            None => return false,
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |p| start + p);
    let body_end = if text[start..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    let l = &text[start..body_end];
    let boundary = |c: Option<char>| {
        c.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ',' | ']' | '['))
    };
    let mut search = 0;
    let pos = loop {
        let Some(p) = l[search..].find(from).map(|p| p + search) else {
            return false;
        };
        let before = l[..p].chars().next_back();
        let after = l[p + from.len()..].chars().next();
        if boundary(before) && (boundary(after) || after == Some('#')) {
            break p;
        }
        search = p + 1;
    };
    let rest = &l[pos + from.len()..];
    let mut new_line = format!("{}{to}{rest}", &l[..pos]);
    if let Some(c) = comment {
        if !rest.contains(" #") && !rest.trim_start().starts_with('#') {
            new_line.push_str(" # ");
            new_line.push_str(c);
        }
    }
    text.replace_range(start..body_end, &new_line);
    true
}

/// Pins the references of one file.
pub fn fix_text(
    kind: FileKind,
    file: &str,
    text: &str,
    actions: Option<&dyn ActionResolver>,
    images: Option<&dyn ImageResolver>,
) -> FileFix {
    let mut out = FileFix {
        text: text.to_owned(),
        ..FileFix::default()
    };
    for r in checked(kind, file, text).references {
        if r.state != PinState::Unpinned {
            continue;
        }
        let skip = |out: &mut FileFix, reason: String| {
            out.skipped.push(Skipped {
                line: r.line,
                reference: r.reference.clone(),
                reason,
            });
        };
        match r.kind {
            ReferenceKind::Action | ReferenceKind::ReusableWorkflow => {
                let Some(resolver) = actions else { continue };
                let Some((name, git_ref)) = r.reference.rsplit_once('@') else {
                    skip(&mut out, "no `@ref` to resolve".to_owned());
                    continue;
                };
                let repo: Vec<&str> = name.splitn(3, '/').take(2).collect();
                if repo.len() != 2 {
                    skip(&mut out, "not an `owner/repo` action".to_owned());
                    continue;
                }
                match resolver.resolve(&repo.join("/"), git_ref) {
                    Ok(sha) => {
                        let to = format!("{name}@{sha}");
                        if edit_line(&mut out.text, r.line, &r.reference, &to, Some(git_ref)) {
                            out.edits.push(Edit {
                                line: r.line,
                                from: r.reference.clone(),
                                to,
                            });
                        }
                    }
                    Err(e) => skip(&mut out, e),
                }
            }
            ReferenceKind::DockerAction | ReferenceKind::Image => {
                let Some(resolver) = images else { continue };
                if r.resolved.is_some() {
                    skip(
                        &mut out,
                        "the reference is built from variables (ARG, `${VAR:-default}`) or names a \
                         build stage; pin the default or the stage's FROM"
                            .to_owned(),
                    );
                    continue;
                }
                let image = r
                    .reference
                    .strip_prefix("docker://")
                    .unwrap_or(&r.reference);
                match resolver.resolve(image) {
                    Ok(digest) => {
                        let to = format!("{}@{digest}", r.reference);
                        if edit_line(&mut out.text, r.line, &r.reference, &to, None) {
                            out.edits.push(Edit {
                                line: r.line,
                                from: r.reference.clone(),
                                to,
                            });
                        }
                    }
                    Err(e) => skip(&mut out, e),
                }
            }
        }
    }
    // What is still not pinned after the edits (a stage built on a now-pinned image is fine).
    // Only what `vouch pins` itself reports: `COPY --from=build` names a stage, whose own
    // `FROM` line is the one reported.
    let reasons = std::mem::take(&mut out.skipped);
    let after = checked(kind, file, &out.text);
    for r in after.references {
        if !matches!(r.state, PinState::Unpinned | PinState::Malformed) {
            continue;
        }
        let reported = after
            .findings
            .iter()
            .any(|f| f.line == Some(r.line) && f.subject.as_deref() == Some(r.reference.as_str()));
        if !reported {
            continue;
        }
        let resolver_given = match r.kind {
            ReferenceKind::Action | ReferenceKind::ReusableWorkflow => actions.is_some(),
            ReferenceKind::DockerAction | ReferenceKind::Image => images.is_some(),
        };
        if !resolver_given {
            continue;
        }
        let reason = reasons
            .iter()
            .find(|s| s.line == r.line && s.reference == r.reference)
            .map_or_else(
                || {
                    if r.state == PinState::Malformed {
                        "the digest is malformed; fix it by hand".to_owned()
                    } else {
                        "it is built from variables or names an unpinned build stage".to_owned()
                    }
                },
                |s| s.reason.clone(),
            );
        out.skipped.push(Skipped {
            line: r.line,
            reference: r.reference,
            reason,
        });
    }
    out
}

/// A unified diff (`---`/`+++`, three lines of context) between two texts with the same
/// number of lines, as `fix` produces.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    if a == b {
        return String::new();
    }
    let changed: Vec<usize> = (0..a.len().max(b.len()))
        .filter(|&i| a.get(i) != b.get(i))
        .collect();
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(3);
        let mut j = i;
        while j + 1 < changed.len() && changed[j + 1] <= changed[j] + 6 {
            j += 1;
        }
        let end = (changed[j] + 4).min(a.len().max(b.len()));
        let a_len = end.min(a.len()).saturating_sub(start);
        let b_len = end.min(b.len()).saturating_sub(start);
        let _ = writeln!(out, "@@ -{},{a_len} +{},{b_len} @@", start + 1, start + 1);
        for k in start..end {
            match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) if x == y => push_line(&mut out, ' ', x),
                (x, y) => {
                    if let Some(x) = x {
                        push_line(&mut out, '-', x);
                    }
                    if let Some(y) = y {
                        push_line(&mut out, '+', y);
                    }
                }
            }
        }
        i = j + 1;
    }
    out
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl ActionResolver for Fixed {
        fn resolve(&self, repo: &str, git_ref: &str) -> Result<String, String> {
            match (repo, git_ref) {
                ("actions/checkout", "v4") => Ok("11bd71901bbe5b1630ceea73d27597364c9af683".into()),
                _ => Err(format!("no tag `{git_ref}` in `{repo}`")),
            }
        }
    }
    impl ImageResolver for Fixed {
        fn resolve(&self, image: &str) -> Result<String, String> {
            Ok(format!(
                "sha256:{}",
                if image.starts_with("alpine") {
                    "a"
                } else {
                    "b"
                }
                .repeat(64)
            ))
        }
    }

    #[test]
    fn surgical_and_idempotent() {
        let wf = "on: push\r\njobs:\r\n  t:\r\n    container: \"alpine:3.20\"\r\n    steps:\r\n      - uses: actions/checkout@v4   # keep\r\n      - uses: 'actions/checkout@v4'\r\n      - uses: other/x@v1\r\n";
        let f = fix_text(FileKind::Workflow, "w.yml", wf, Some(&Fixed), Some(&Fixed));
        assert_eq!(f.edits.len(), 3);
        assert_eq!(f.skipped.len(), 1);
        let sha = "11bd71901bbe5b1630ceea73d27597364c9af683";
        let expected = wf
            .replace(
                "actions/checkout@v4   # keep",
                &format!("actions/checkout@{sha}   # keep"),
            )
            .replace(
                "'actions/checkout@v4'",
                &format!("'actions/checkout@{sha}' # v4"),
            )
            .replace(
                "alpine:3.20",
                &format!("alpine:3.20@sha256:{}", "a".repeat(64)),
            );
        assert_eq!(f.text, expected);
        let again = fix_text(
            FileKind::Workflow,
            "w.yml",
            &f.text,
            Some(&Fixed),
            Some(&Fixed),
        );
        assert!(again.edits.is_empty());
        assert_eq!(again.text, f.text);
        let d = unified_diff("w.yml", wf, &f.text);
        assert!(
            d.starts_with("--- a/w.yml\n+++ b/w.yml\n@@ -1,8 +1,8 @@\n"),
            "{d}"
        );
    }

    #[test]
    fn dockerfile_from_lines() {
        let df = "ARG V=3.20\nFROM alpine:${V} AS a\nFROM golang:1.22 AS b\nCOPY --from=a /x /y\n";
        let f = fix_text(FileKind::Dockerfile, "Dockerfile", df, None, Some(&Fixed));
        assert_eq!(f.edits.len(), 1);
        assert!(f
            .text
            .contains(&format!("FROM golang:1.22@sha256:{} AS b", "b".repeat(64))));
        // The ARG-built reference is reported; `COPY --from=a` names stage `a`, whose `FROM`
        // (line 2) is the reference to pin, as `vouch pins` says.
        let lines: Vec<u32> = f.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![2]);
    }

    #[test]
    fn copy_from_a_build_stage_is_not_flagged() {
        let df = "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /out /bin/app\nRUN --mount=from=build,target=/b true\n";
        // Without an image resolver nothing is judged; with one that fails, only the two
        // `FROM` lines are left unpinned, as `vouch pins` reports them.
        struct Down;
        impl ImageResolver for Down {
            fn resolve(&self, _: &str) -> Result<String, String> {
                Err("registry unreachable".to_owned())
            }
        }
        let f = fix_text(FileKind::Dockerfile, "Dockerfile", df, None, Some(&Down));
        let lines: Vec<u32> = f.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![1, 3], "{:?}", f.skipped);
        let pins = dockerfile::check("Dockerfile", df);
        let mut reported: Vec<u32> = pins.findings.iter().filter_map(|f| f.line).collect();
        reported.sort_unstable();
        assert_eq!(reported, lines, "fix and pins agree");
    }
}
