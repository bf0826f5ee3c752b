//! Dockerfiles and Containerfiles: `FROM`, `COPY --from`, `RUN --mount=from=`, and `RUN` scripts.
//!
//! Before judging an image the way a build would see it: `ARG` defaults are substituted
//! (`$VAR`, `${VAR}`, `${VAR:-default}`), and a name that is an earlier stage's alias takes that
//! stage's state (an alias of a pinned stage is pinned, of an unpinned one is not). `scratch` is
//! no image at all. A digest must be a well-formed `sha256:<64 hex>`.

use std::collections::HashMap;

use crate::workflow::{image_findings, Checked, Script};
use crate::{image, Code, Finding, PinState, Reference, ReferenceKind};

/// One instruction: keyword, arguments (continuations joined), first line, and raw lines.
#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: String,
    pub args: String,
    pub line: u32,
    /// The instruction's physical lines after the keyword, comment lines blanked, so that a
    /// shell check keeps line numbers; plus any heredoc bodies.
    pub script: String,
}

/// Splits a Dockerfile into instructions.
pub fn instructions(text: &str) -> Vec<Instruction> {
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    for l in &lines {
        let t = l.trim();
        if let Some(d) = t.strip_prefix('#') {
            let d = d.trim().to_ascii_lowercase();
            if let Some(v) = d.strip_prefix("escape=") {
                if v.trim() == "`" {
                    escape = '`';
                }
            }
            continue;
        }
        break;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i].trim_start();
        if first.is_empty() || first.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        let mut joined = String::new();
        let mut script_lines: Vec<String> = Vec::new();
        loop {
            let raw = lines[i];
            let t = raw.trim_end();
            let is_comment = i != start && raw.trim_start().starts_with('#');
            if is_comment {
                script_lines.push(String::new());
                i += 1;
                if i >= lines.len() {
                    break;
                }
                continue;
            }
            script_lines.push(raw.to_owned());
            i += 1;
            if let Some(body) = t.strip_suffix(escape) {
                joined.push_str(body);
                joined.push(' ');
                if i >= lines.len() {
                    break;
                }
            } else {
                joined.push_str(t);
                break;
            }
        }
        let joined = joined.trim().to_owned();
        let (keyword, args) = match joined.split_once(char::is_whitespace) {
            Some((k, a)) => (k.to_ascii_uppercase(), a.trim().to_owned()),
            None => (joined.to_ascii_uppercase(), String::new()),
        };
        // Heredocs: `<<EOF`, `<<-EOF`, `<<"EOF"`.
        let mut heredoc_body = String::new();
        for word in args.split_whitespace() {
            let Some(rest) = word.strip_prefix("<<") else {
                continue;
            };
            let dash = rest.starts_with('-');
            let delim = rest.trim_start_matches('-').trim_matches(['"', '\'']);
            if delim.is_empty() || !delim.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                let check = if dash { l.trim_start() } else { l };
                if check.trim_end() == delim {
                    heredoc_body.push('\n');
                    break;
                }
                heredoc_body.push('\n');
                heredoc_body.push_str(l);
            }
        }
        // Strip the keyword from the first script line.
        if let Some(first) = script_lines.first_mut() {
            let trimmed = first.trim_start();
            let after = trimmed
                .split_once(char::is_whitespace)
                .map_or("", |(_, a)| a);
            *first = after.to_owned();
        }
        let mut script = script_lines.join("\n");
        script.push_str(&heredoc_body);
        out.push(Instruction {
            keyword,
            args,
            line: (start + 1) as u32,
            script,
        });
    }
    out
}

/// Removes shell quoting from a word: `"a b"` and `'a'` lose their quotes, `\"` its backslash.
pub fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None | Some('"'), '\\') => match chars.next() {
                Some(n @ ('"' | '\'' | '\\' | '$')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+a}`, `${VAR+a}` from `vars`;
/// unknown variables are left as written.
pub fn substitute(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        if bytes[i] == b'$' {
            if s[i + 1..].starts_with('{') {
                if let Some(end) = s[i + 2..].find('}') {
                    let inner = &s[i + 2..i + 2 + end];
                    let name_end = inner
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(inner.len());
                    let (name, op) = inner.split_at(name_end);
                    let val = vars.get(name).filter(|v| !v.is_empty());
                    // The word of `${VAR:-"word"}` is quote-removed, as the shell does.
                    let replaced = if let Some(d) = op.strip_prefix(":-") {
                        Some(val.cloned().unwrap_or_else(|| unquote(d)))
                    } else if let Some(d) = op.strip_prefix('-') {
                        Some(vars.get(name).cloned().unwrap_or_else(|| unquote(d)))
                    } else if let Some(a) = op.strip_prefix(":+") {
                        Some(if val.is_some() {
                            unquote(a)
                        } else {
                            String::new()
                        })
                    } else if let Some(a) = op.strip_prefix('+') {
                        Some(if vars.contains_key(name) {
                            unquote(a)
                        } else {
                            String::new()
                        })
                    } else if op.is_empty() {
                        vars.get(name).cloned()
                    } else {
                        None
                    };
                    match replaced {
                        Some(r) => out.push_str(&r),
                        None => out.push_str(&s[i..i + 3 + end]),
                    }
                    i += 3 + end;
                    continue;
                }
            } else {
                let name_len = s[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(s.len() - i - 1);
                if name_len > 0 {
                    let name = &s[i + 1..=i + name_len];
                    match vars.get(name) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&s[i..=i + name_len]),
                    }
                    i += 1 + name_len;
                    continue;
                }
            }
        }
        let ch = s[i..].chars().next().unwrap_or('$');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn parse_args_into(args: &str, vars: &mut HashMap<String, String>) {
    for word in args.split_whitespace() {
        if let Some((k, v)) = word.split_once('=') {
            let v = substitute(&unquote(v), vars);
            vars.insert(k.to_owned(), v);
        }
    }
}

struct Stage {
    alias: Option<String>,
    /// The state of the image the stage is built on.
    state: PinState,
    base: String,
}

/// Checks a Dockerfile. `RUN` scripts are returned for the shell check.
pub fn check(file: &str, text: &str) -> Checked {
    let mut out = Checked::default();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    // `# syntax=IMAGE` pulls the BuildKit frontend: an image like any other.
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let Some((key, value)) = d.split_once('=') else {
            break;
        };
        if key.trim().eq_ignore_ascii_case("syntax") {
            let r = judge(
                file,
                (i + 1) as u32,
                value.trim(),
                &vars,
                &stages,
                &mut out.findings,
                false,
            );
            out.references.push(r);
        }
    }
    for ins in instructions(text) {
        match ins.keyword.as_str() {
            "ARG" => parse_args_into(&ins.args, &mut vars),
            "FROM" => {
                let mut words = ins.args.split_whitespace().filter(|w| !w.starts_with("--"));
                let Some(img) = words.next() else { continue };
                let alias = match (words.next(), words.next()) {
                    (Some(a), Some(name)) if a.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                let r = judge(file, ins.line, img, &vars, &stages, &mut out.findings, true);
                let state = r.state;
                let base = r.resolved.clone().unwrap_or_else(|| r.reference.clone());
                out.references.push(r);
                stages.push(Stage { alias, state, base });
            }
            "COPY" | "ADD" => {
                for w in ins.args.split_whitespace() {
                    if let Some(from) = w.strip_prefix("--from=") {
                        let r = judge(
                            file,
                            ins.line,
                            from,
                            &vars,
                            &stages,
                            &mut out.findings,
                            false,
                        );
                        out.references.push(r);
                    }
                }
            }
            "RUN" => {
                for w in ins.args.split_whitespace() {
                    let Some(mount) = w.strip_prefix("--mount=") else {
                        if !w.starts_with("--") {
                            break;
                        }
                        continue;
                    };
                    for kv in mount.split(',') {
                        if let Some(from) = kv.strip_prefix("from=") {
                            let r = judge(
                                file,
                                ins.line,
                                from,
                                &vars,
                                &stages,
                                &mut out.findings,
                                false,
                            );
                            out.references.push(r);
                        }
                    }
                }
                let script = run_script(&ins);
                out.scripts.push(Script {
                    text: script,
                    line: ins.line,
                    shell: None,
                });
            }
            _ => {}
        }
    }
    out
}

/// The shell text of a `RUN` instruction: flags removed; exec form joined.
fn run_script(ins: &Instruction) -> String {
    let mut s = ins.script.clone();
    // Drop leading `--mount=…`/`--network=…` flags from the first line.
    let first_end = s.find('\n').unwrap_or(s.len());
    let mut first = s[..first_end].trim_start().to_owned();
    while first.starts_with("--") {
        first = first
            .split_once(char::is_whitespace)
            .map_or(String::new(), |(_, r)| r.trim_start().to_owned());
    }
    if first.starts_with('[') {
        if let Ok(argv) =
            serde_json::from_str::<Vec<String>>(ins.args.trim_start_matches(|c| c != '['))
        {
            first = match argv.as_slice() {
                [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
                _ => argv.join(" "),
            };
        }
    }
    s.replace_range(..first_end, &first);
    s
}

fn judge(
    file: &str,
    line: u32,
    written: &str,
    vars: &HashMap<String, String>,
    stages: &[Stage],
    findings: &mut Vec<Finding>,
    is_from: bool,
) -> Reference {
    let resolved = substitute(written, vars);
    let mut r = Reference {
        file: file.to_owned(),
        line,
        kind: ReferenceKind::Image,
        reference: written.to_owned(),
        resolved: (resolved != written).then(|| resolved.clone()),
        state: PinState::Unpinned,
        digest: None,
        comment: None,
    };
    let lower = resolved.to_ascii_lowercase();
    let stage = if let Ok(n) = lower.parse::<usize>() {
        stages.get(n)
    } else {
        stages
            .iter()
            .rev()
            .find(|s| s.alias.as_deref() == Some(lower.as_str()))
    };
    if let Some(stage) = stage {
        // Following the alias: the stage's base image is what this reference resolves to.
        r.resolved = Some(stage.base.clone());
        if stage.state.is_immutable() {
            r.state = PinState::Stage;
        } else if stage.state == PinState::Expression {
            r.state = PinState::Expression;
            if is_from {
                findings.push(
                    Finding::new(
                        Code::ExpressionReference,
                        file,
                        Some(line),
                        format!(
                            "stage `{resolved}` is built on `{}`, an expression only known at build time; it cannot be proven pinned",
                            stage.base
                        ),
                    )
                    .subject(written),
                );
            }
        } else {
            r.state = PinState::Unpinned;
            if is_from {
                findings.push(
                    Finding::new(
                        Code::UnpinnedImage,
                        file,
                        Some(line),
                        format!(
                            "stage `{resolved}` is built on `{}`, which is not pinned by a sha256 digest",
                            stage.base
                        ),
                    )
                    .subject(written),
                );
            }
        }
        return r;
    }
    let pin = image::classify(&resolved);
    r.state = pin.state;
    r.digest = pin.digest;
    image_findings(findings, file, &r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_directive_is_an_image() {
        let c = check(
            "Dockerfile",
            "# syntax=docker/dockerfile:1\n# escape=\\\nFROM scratch\n",
        );
        assert_eq!(c.references.len(), 2);
        assert_eq!(c.references[0].line, 1);
        assert_eq!(c.findings.len(), 1);
        let c = check(
            "Dockerfile",
            "# a comment\n# syntax=docker/dockerfile:1\nFROM scratch\n",
        );
        assert!(c.findings.is_empty(), "not a directive after a comment");
    }

    #[test]
    fn substitution() {
        let vars = HashMap::from([("A".to_owned(), "x".to_owned())]);
        assert_eq!(substitute("${A}/$A:${B:-d}", &vars), "x/x:d");
        assert_eq!(substitute("$B-${B}", &vars), "$B-${B}");
    }

    #[test]
    fn substituted_words_lose_their_quotes() {
        let vars = HashMap::from([("A".to_owned(), "x".to_owned())]);
        assert_eq!(substitute(r#"${A:+"dev"}"#, &vars), "dev");
        assert_eq!(substitute(r#"${B:-"base"}"#, &vars), "base");
        assert_eq!(substitute("${B-'base'}", &vars), "base");
        assert_eq!(substitute(r#"${A+"set"}${B+"unset"}"#, &vars), "set");
        assert_eq!(unquote(r#""a b"'c'\"d"#), r#"a bc"d"#);
        // The stage an ARG names by a quoted word is the stage, and is followed.
        let df = "ARG DEV=1\nARG STAGE=${DEV:+\"debug\"}\nFROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS debug\nFROM ${STAGE}\n";
        let c = check("Dockerfile", df);
        assert!(c.findings.is_empty(), "{:?}", c.findings);
        assert_eq!(c.references[1].state, PinState::Stage);
    }

    #[test]
    fn a_stage_built_on_an_expression_names_the_expression() {
        let df = "FROM ${BASE} AS build\nFROM build\nCOPY --from=build /a /b\n";
        let c = check("Dockerfile", df);
        let f: Vec<_> = c
            .findings
            .iter()
            .map(|f| (f.line, f.code, f.message.as_str()))
            .collect();
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[1].0, Some(2));
        assert_eq!(f[1].1, Code::ExpressionReference);
        assert!(f[1].2.contains("`${BASE}`, an expression"), "{}", f[1].2);
        assert!(!f[1].2.contains("not pinned"), "{}", f[1].2);
        assert_eq!(c.references[1].state, PinState::Expression);
    }

    #[test]
    fn continuation_lines_and_heredocs() {
        let t = "FROM a\nRUN echo \\\n# c\n  b\nRUN <<EOF\ncurl x | sh\nEOF\nCOPY --from=0 /a /b\n";
        let ins = instructions(t);
        assert_eq!(ins.len(), 4);
        assert_eq!(ins[1].line, 2);
        assert_eq!(
            ins[1].args.split_whitespace().collect::<Vec<_>>(),
            ["echo", "b"]
        );
        assert_eq!(ins[2].script, "<<EOF\ncurl x | sh\n");
        assert_eq!(ins[3].line, 8);
    }
}
