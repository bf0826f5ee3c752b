//! Install commands in shell text (`run:` steps, Dockerfile `RUN`, shell scripts).
//!
//! The text is split into logical lines (backslash continuations joined) and then into simple
//! commands at `;`, `&&`, `||`, `|` and newlines, keeping track of pipes. A download is
//! accepted when its URL is commit-pinned (`raw.githubusercontent.com/o/r/<40 hex>/…`) or when
//! the downloaded file is verified before it runs (`sha256sum -c`, `cosign verify-blob`,
//! `vouch verify blob`).

use std::collections::HashMap;

use crate::{is_commit_sha, Code, Finding};

/// What the shell check needs from outside: whether a requirements file carries `--hash` lines.
pub trait Files {
    /// `true` when `path` (as written in the script) is a requirements file whose every
    /// requirement has a `--hash`.
    fn requirements_hashed(&self, path: &str) -> bool;
}

/// A [`Files`] that knows no files.
pub struct NoFiles;

impl Files for NoFiles {
    fn requirements_hashed(&self, _path: &str) -> bool {
        false
    }
}

/// Whether requirements text pins every requirement with `--hash`.
pub fn requirements_text_hashed(text: &str) -> bool {
    let mut any = false;
    let mut logical = String::new();
    for line in text.lines() {
        let l = line.split(" #").next().unwrap_or(line).trim_end();
        if let Some(body) = l.strip_suffix('\\') {
            logical.push_str(body);
            logical.push(' ');
            continue;
        }
        logical.push_str(l);
        let t = logical.trim().to_owned();
        logical.clear();
        if t.is_empty() || t.starts_with('#') || t.starts_with('-') {
            continue;
        }
        any = true;
        if !t.contains("--hash=") && !t.contains("--hash ") {
            return false;
        }
    }
    any
}

#[derive(Debug)]
struct Cmd {
    words: Vec<String>,
    /// Output of the previous command is piped into this one.
    piped: bool,
    /// `> file` redirect target.
    redirect: Option<String>,
    line: u32,
    /// The whole logical line (for mentions of a file by a verification).
    text: String,
}

/// Splits a logical line into simple commands.
fn split_commands(line: &str, starts: &[(usize, u32)], out: &mut Vec<Cmd>) {
    let phys = |pos: usize| -> u32 {
        starts
            .iter()
            .rev()
            .find(|(off, _)| *off <= pos)
            .map_or(starts.first().map_or(1, |s| s.1), |s| s.1)
    };
    let mut cmd_start: Option<usize> = None;
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut redirect = None;
    let mut want_redirect = false;
    let mut piped = false;
    let mut quote: Option<char> = None;
    let flush_word =
        |cur: &mut String, words: &mut Vec<String>, want: &mut bool, red: &mut Option<String>| {
            if !cur.is_empty() {
                if *want {
                    *red = Some(std::mem::take(cur));
                    *want = false;
                } else {
                    words.push(std::mem::take(cur));
                }
            }
        };
    let end_cmd = |words: &mut Vec<String>,
                   red: &mut Option<String>,
                   piped: bool,
                   start: &mut Option<usize>,
                   out: &mut Vec<Cmd>| {
        if !words.is_empty() || red.is_some() {
            out.push(Cmd {
                words: std::mem::take(words),
                piped,
                redirect: red.take(),
                line: phys(start.unwrap_or(0)),
                text: line.to_owned(),
            });
        }
        *start = None;
    };
    let mut chars = line.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        if cmd_start.is_none() && !c.is_whitespace() && !matches!(c, ';' | '&' | '|') {
            cmd_start = Some(pos);
        }
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '#' if cur.is_empty() => break,
            ' ' | '\t' => flush_word(&mut cur, &mut words, &mut want_redirect, &mut redirect),
            ';' | '&' | '|' | '(' | ')' | '`' => {
                flush_word(&mut cur, &mut words, &mut want_redirect, &mut redirect);
                let pipe = c == '|' && !matches!(chars.peek(), Some((_, '|')));
                if c == '&' && matches!(chars.peek(), Some((_, '>'))) {
                    continue;
                }
                if matches!(c, '&' | '|') && chars.peek().is_some_and(|(_, n)| *n == c) {
                    chars.next();
                }
                // `$(` and `<(` start a nested command; keep a marker word.
                if c == '(' {
                    if let Some(last) = words.last_mut() {
                        if last == "$" || last == "<" {
                            *last = format!("{last}(");
                        }
                    }
                }
                end_cmd(&mut words, &mut redirect, piped, &mut cmd_start, out);
                piped = pipe;
            }
            '$' if matches!(chars.peek(), Some((_, '('))) => {
                flush_word(&mut cur, &mut words, &mut want_redirect, &mut redirect);
                words.push("$(".into());
                chars.next();
                end_cmd(&mut words, &mut redirect, piped, &mut cmd_start, out);
                piped = false;
            }
            '<' if matches!(chars.peek(), Some((_, '('))) => {
                flush_word(&mut cur, &mut words, &mut want_redirect, &mut redirect);
                words.push("<(".into());
                chars.next();
                end_cmd(&mut words, &mut redirect, piped, &mut cmd_start, out);
                piped = false;
            }
            '>' => {
                // `2>`, `>>`, `>&2`
                if cur.chars().all(|d| d.is_ascii_digit()) {
                    cur.clear();
                }
                flush_word(&mut cur, &mut words, &mut want_redirect, &mut redirect);
                if matches!(chars.peek(), Some((_, '>'))) {
                    chars.next();
                }
                if matches!(chars.peek(), Some((_, '&'))) {
                    chars.next();
                    // `>&2`: not a file.
                    while chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
                        chars.next();
                    }
                } else {
                    want_redirect = true;
                }
            }
            _ => cur.push(c),
        }
    }
    flush_word(&mut cur, &mut words, &mut want_redirect, &mut redirect);
    end_cmd(&mut words, &mut redirect, piped, &mut cmd_start, out);
}

/// Drops `sudo` and friends, their flags, and leading `VAR=value` assignments.
fn program(words: &[String]) -> &[String] {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if matches!(
            w,
            "sudo" | "env" | "time" | "exec" | "command" | "nohup" | "RUN"
        ) || w.starts_with('-') && i > 0 && matches!(words[i - 1].as_str(), "sudo" | "env")
            || (w.contains('=') && !w.starts_with('-') && i == 0)
        {
            i += 1;
            // `sudo -u user`
            if w == "-u" && i < words.len() {
                i += 1;
            }
            continue;
        }
        break;
    }
    &words[i..]
}

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python2", "python3", "perl", "ruby",
    "node", "php", "pwsh", "iex", "source", ".",
];

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn is_interpreter(w: &str) -> bool {
    INTERPRETERS.contains(&base(w))
}

/// A URL whose content is fixed by a commit id in its path.
pub fn url_commit_pinned(url: &str) -> bool {
    let u = url.split("://").nth(1).unwrap_or(url);
    let parts: Vec<&str> = u.split('/').collect();
    match parts.first().copied() {
        Some("raw.githubusercontent.com") => parts.get(3).is_some_and(|s| is_commit_sha(s)),
        Some("github.com" | "gitlab.com") => {
            (parts.get(3) == Some(&"raw") || parts.get(3) == Some(&"blob"))
                && parts.get(4).is_some_and(|s| is_commit_sha(s))
                || parts.get(3) == Some(&"-")
                    && parts.get(4) == Some(&"raw")
                    && parts.get(5).is_some_and(|s| is_commit_sha(s))
        }
        Some("gist.githubusercontent.com") => parts.get(4).is_some_and(|s| is_commit_sha(s)),
        _ => false,
    }
}

struct Download {
    url: Option<String>,
    /// Output file (or `None` for stdout).
    out: Option<String>,
}

fn download(p: &[String]) -> Option<Download> {
    let prog = base(p.first()?);
    let args = &p[1..];
    match prog {
        "curl" => {
            let mut url = None;
            let mut out = None;
            let mut remote_name = false;
            let mut i = 0;
            while i < args.len() {
                let a = args[i].as_str();
                if a == "-o" || a == "--output" {
                    out = args.get(i + 1).cloned();
                    i += 1;
                } else if let Some(f) = a
                    .strip_prefix("-o")
                    .filter(|f| !f.is_empty() && !a.starts_with("--"))
                {
                    out = Some(f.to_owned());
                } else if a == "-O" || a == "--remote-name" {
                    remote_name = true;
                } else if a.starts_with('-')
                    && !a.starts_with("--")
                    && a.ends_with('o')
                    && a.len() > 2
                {
                    out = args.get(i + 1).cloned();
                    i += 1;
                } else if a.starts_with('-') && !a.starts_with("--") && a.contains('O') {
                    remote_name = true;
                } else if matches!(
                    a,
                    "-H" | "--header"
                        | "-u"
                        | "--user"
                        | "-d"
                        | "--data"
                        | "-X"
                        | "--request"
                        | "-A"
                        | "--user-agent"
                        | "-e"
                        | "--retry"
                        | "--connect-timeout"
                        | "-m"
                        | "--max-time"
                        | "-w"
                ) {
                    i += 1;
                } else if !a.starts_with('-') && url.is_none() {
                    url = Some(a.to_owned());
                }
                i += 1;
            }
            if remote_name {
                out = url
                    .as_deref()
                    .map(|u| base(u.split('?').next().unwrap_or(u)).to_owned());
            }
            Some(Download { url, out })
        }
        "wget" => {
            let mut url = None;
            let mut out: Option<String> = None;
            let mut stdout = false;
            let mut i = 0;
            while i < args.len() {
                let a = args[i].as_str();
                if a == "-O" || a == "--output-document" {
                    let f = args.get(i + 1).cloned().unwrap_or_default();
                    if f == "-" {
                        stdout = true;
                    } else {
                        out = Some(f);
                    }
                    i += 1;
                } else if let Some(f) = a.strip_prefix("--output-document=") {
                    if f == "-" {
                        stdout = true;
                    } else {
                        out = Some(f.to_owned());
                    }
                } else if a.starts_with('-') && !a.starts_with("--") && a.contains('O') {
                    let f = a.split_once('O').map_or("", |(_, f)| f);
                    if f == "-" {
                        stdout = true;
                    } else if f.is_empty() {
                        let f = args.get(i + 1).cloned().unwrap_or_default();
                        if f == "-" {
                            stdout = true;
                        } else {
                            out = Some(f);
                        }
                        i += 1;
                    } else {
                        out = Some(f.to_owned());
                    }
                } else if !a.starts_with('-') && url.is_none() {
                    url = Some(a.to_owned());
                }
                i += 1;
            }
            if out.is_none() && !stdout {
                out = url
                    .as_deref()
                    .map(|u| base(u.split('?').next().unwrap_or(u)).to_owned());
            }
            Some(Download { url, out })
        }
        "gsutil" if args.first().is_some_and(|a| a == "cp" || a == "cat") => {
            let pos: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
            Some(Download {
                url: pos.first().map(|s| (*s).clone()),
                out: if args[0] == "cp" {
                    pos.get(1).map(|s| (*s).clone())
                } else {
                    None
                },
            })
        }
        "aws" if args.first().is_some_and(|a| a == "s3" || a == "s3api") => {
            let sub = args.get(1).map(String::as_str);
            let pos: Vec<&String> = args[2..]
                .iter()
                .enumerate()
                .filter(|(i, a)| {
                    !a.starts_with('-') && (*i == 0 || !args[2 + i - 1].starts_with("--"))
                })
                .map(|(_, a)| a)
                .collect();
            match sub {
                Some("cp") => Some(Download {
                    url: pos.first().map(|s| (*s).clone()),
                    out: pos.get(1).map(|s| (*s).clone()).filter(|o| o != "-"),
                }),
                Some("get-object") => Some(Download {
                    url: None,
                    out: pos.last().map(|s| (*s).clone()),
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_verification(p: &[String]) -> bool {
    let Some(prog) = p.first().map(|w| base(w)) else {
        return false;
    };
    let has = |f: &str| p.iter().any(|w| w == f);
    match prog {
        "sha256sum" | "sha512sum" | "sha384sum" | "shasum" | "b2sum" => {
            has("-c")
                || has("--check")
                || p.iter()
                    .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('c'))
        }
        "cosign" => has("verify-blob") || has("verify-blob-attestation"),
        "vouch" => p.get(1).is_some_and(|w| w == "verify") && p.get(2).is_some_and(|w| w == "blob"),
        "gpg" | "gpgv" => has("--verify") || prog == "gpgv",
        "minisign" => has("-V"),
        _ => false,
    }
}

/// Splits shell text into commands (continuations joined, comments dropped).
fn commands(text: &str, first_line: u32) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    let mut logical = String::new();
    let mut starts: Vec<(usize, u32)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() && raw.trim_start().starts_with('#') {
            continue;
        }
        starts.push((logical.len(), first_line + i as u32));
        let t = raw.trim_end();
        if let Some(body) = t.strip_suffix('\\') {
            logical.push_str(body);
            logical.push(' ');
            continue;
        }
        logical.push_str(t);
        split_commands(&logical, &starts, &mut cmds);
        logical.clear();
        starts.clear();
    }
    if !logical.is_empty() {
        split_commands(&logical, &starts, &mut cmds);
    }
    cmds
}

/// Relative paths of scripts a shell text runs (`bash ci/build.sh`, `./scripts/x`,
/// `source env.sh`), so a repository walk can check them too.
pub fn invoked_scripts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for cmd in commands(text, 1) {
        let p = program(&cmd.words);
        let Some(first) = p.first() else { continue };
        let target = if matches!(
            base(first),
            "sh" | "bash" | "zsh" | "dash" | "ksh" | "source" | "."
        ) {
            p[1..]
                .iter()
                .find(|a| !a.starts_with('-'))
                .map(String::as_str)
        } else if first.starts_with("./") {
            Some(first.as_str())
        } else {
            None
        };
        if let Some(t) = target {
            let t = t.trim_start_matches("./");
            if !t.is_empty() && !t.starts_with('/') && !t.contains('$') && !t.contains("..") {
                out.push(t.to_owned());
            }
        }
    }
    out
}

/// Checks shell text. `first_line` is the 1-based line of the text's first line in `file`.
pub fn check_script(file: &str, text: &str, first_line: u32, files: &dyn Files) -> Vec<Finding> {
    let cmds = commands(text, first_line);

    let mut findings = Vec::new();
    // Downloaded files not yet verified: basename → (line, url pinned).
    let mut downloaded: HashMap<String, (u32, bool)> = HashMap::new();
    let mut last_download_to_stdout: Option<(bool, u32)> = None;
    for (idx, cmd) in cmds.iter().enumerate() {
        let p = program(&cmd.words);
        // Pipe from a download into an interpreter.
        if cmd.piped {
            if let Some((pinned, _)) = last_download_to_stdout {
                if p.first().is_some_and(|w| is_interpreter(w)) && !pinned {
                    findings.push(
                        Finding::new(
                            Code::DownloadThenRun,
                            file,
                            Some(cmd.line),
                            "a download is piped into an interpreter without verification",
                        )
                        .subject(cmd.text.trim()),
                    );
                }
            }
        }
        // `bash <(curl …)` / `sh -c "$(curl …)"`: the next command is the download.
        if p.first().is_some_and(|w| is_interpreter(w))
            && p.last().is_some_and(|w| w == "<(" || w == "$(")
        {
            if let Some(next) = cmds.get(idx + 1) {
                if let Some(d) = download(program(&next.words)) {
                    if !d.url.as_deref().is_some_and(url_commit_pinned) {
                        findings.push(
                            Finding::new(
                                Code::DownloadThenRun,
                                file,
                                Some(cmd.line),
                                "a download is executed by an interpreter without verification",
                            )
                            .subject(cmd.text.trim()),
                        );
                    }
                }
            }
        }
        last_download_to_stdout = None;
        if let Some(d) = download(p) {
            let pinned = d.url.as_deref().is_some_and(url_commit_pinned);
            match d.out.or_else(|| cmd.redirect.clone()) {
                Some(out) if out != "-" && out != "/dev/null" => {
                    downloaded.insert(base(&out).to_owned(), (cmd.line, pinned));
                }
                _ => last_download_to_stdout = Some((pinned, cmd.line)),
            }
            continue;
        }
        if is_verification(p) {
            let names: Vec<String> = downloaded.keys().cloned().collect();
            let reads_list = p.iter().skip(1).any(|w| !w.starts_with('-'));
            for n in names {
                if cmd.text.contains(n.as_str()) || reads_list {
                    downloaded.remove(&n);
                }
            }
            continue;
        }
        // Running a downloaded file.
        let run_target = match p.first().map(String::as_str) {
            Some(w) if is_interpreter(w) => p[1..]
                .iter()
                .find(|a| !a.starts_with('-'))
                .map(String::as_str),
            Some(w) => Some(w),
            None => None,
        };
        if let Some(t) = run_target {
            if let Some((dl_line, pinned)) = downloaded.get(base(t)).copied() {
                if !pinned && (t.contains('/') || p.first().is_some_and(|w| is_interpreter(w))) {
                    findings.push(
                        Finding::new(
                            Code::DownloadThenRun,
                            file,
                            Some(cmd.line),
                            format!(
                                "`{t}` downloaded on line {dl_line} is executed without verification"
                            ),
                        )
                        .subject(cmd.text.trim()),
                    );
                }
            }
        }
        check_package_manager(file, cmd, p, files, &mut findings);
    }
    findings
}

fn check_package_manager(
    file: &str,
    cmd: &Cmd,
    p: &[String],
    files: &dyn Files,
    findings: &mut Vec<Finding>,
) {
    let Some(prog) = p.first().map(|w| base(w)) else {
        return;
    };
    let mut push = |code: Code, msg: String| {
        findings.push(Finding::new(code, file, Some(cmd.line), msg).subject(cmd.words.join(" ")));
    };
    // pip
    let pip_args: Option<&[String]> =
        if prog.starts_with("pip") && prog[3..].chars().all(|c| c.is_ascii_digit() || c == '.') {
            Some(&p[1..])
        } else if (prog.starts_with("python") || prog == "py")
            && p.get(1).is_some_and(|w| w == "-m")
            && p.get(2).is_some_and(|w| w.starts_with("pip"))
        {
            Some(&p[3..])
        } else {
            None
        };
    if let Some(args) = pip_args {
        if args.first().is_some_and(|a| a == "install") {
            let args = &args[1..];
            if pip_install_pinned(args, files) {
                return;
            }
            push(
                Code::UnpinnedPipInstall,
                "`pip install` without hashes (use `--require-hashes` with a hashed requirements file)".into(),
            );
        }
        return;
    }
    match prog {
        "npm"
            if p.get(1).is_some_and(|s| {
                matches!(
                    s.as_str(),
                    "install"
                        | "i"
                        | "add"
                        | "isntall"
                        | "in"
                        | "ins"
                        | "inst"
                        | "insta"
                        | "instal"
                )
            }) =>
        {
            push(
                Code::NpmInstall,
                "`npm install` resolves versions afresh; use `npm ci` to install the lockfile"
                    .into(),
            );
        }
        "go" => {
            let sub = p.get(1).map(String::as_str);
            if matches!(sub, Some("install" | "get")) {
                for a in p[2..].iter().filter(|a| !a.starts_with('-')) {
                    let first = a.split('/').next().unwrap_or(a);
                    if a.starts_with('.') || a.starts_with('/') || !first.contains('.') {
                        continue;
                    }
                    let (_, v) = a.rsplit_once('@').unwrap_or((a, ""));
                    let ok = v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit())
                        || is_commit_sha(v);
                    if !ok {
                        push(
                            Code::UnpinnedGoInstall,
                            format!(
                                "`go {}` of `{a}` is not pinned to an exact version",
                                sub.unwrap_or_default()
                            ),
                        );
                    }
                }
            }
        }
        "cargo" if p.get(1).is_some_and(|s| s == "install") => {
            let args = &p[2..];
            let locked = args.iter().any(|a| a == "--locked");
            let mut exact = false;
            let mut i = 0;
            let mut local = false;
            while i < args.len() {
                let a = args[i].as_str();
                if a == "--version" || a == "--vers" {
                    exact = args.get(i + 1).is_some_and(|v| exact_version(v));
                    i += 1;
                } else if let Some(v) = a.strip_prefix("--version=") {
                    exact = exact_version(v);
                } else if a == "--path" {
                    local = true;
                } else if a == "--rev" {
                    exact = args.get(i + 1).is_some_and(|v| is_commit_sha(v));
                    i += 1;
                } else if !a.starts_with('-') {
                    if let Some((_, v)) = a.split_once('@') {
                        exact = exact_version(v);
                    }
                }
                i += 1;
            }
            if !(locked && (exact || local)) {
                push(
                    Code::UnpinnedCargoInstall,
                    "`cargo install` without `--locked` and an exact version".into(),
                );
            }
        }
        _ => {}
    }
}

fn exact_version(v: &str) -> bool {
    let v = v.strip_prefix('=').unwrap_or(v);
    let parts: Vec<&str> = v.split(['-', '+']).next().unwrap_or(v).split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn pip_install_pinned(args: &[String], files: &dyn Files) -> bool {
    if args.iter().any(|a| a == "--require-hashes") {
        return true;
    }
    let mut reqs = Vec::new();
    let mut targets = Vec::new();
    let no_deps = args.iter().any(|a| a == "--no-deps");
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint" {
            if let Some(f) = args.get(i + 1) {
                if a == "-r" || a == "--requirement" {
                    reqs.push(f.clone());
                }
            }
            i += 1;
        } else if let Some(f) = a
            .strip_prefix("--requirement=")
            .or_else(|| a.strip_prefix("-r").filter(|f| !f.is_empty()))
        {
            reqs.push(f.to_owned());
        } else if matches!(a, "-e" | "--editable") {
            if let Some(t) = args.get(i + 1) {
                targets.push(t.clone());
            }
            i += 1;
        } else if matches!(
            a,
            "-i" | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "-t"
                | "--target"
                | "--prefix"
                | "--root"
        ) {
            i += 1;
        } else if !a.starts_with('-') {
            targets.push(a.to_owned());
        }
        i += 1;
    }
    if !reqs.is_empty() && targets.is_empty() {
        return reqs.iter().all(|r| files.requirements_hashed(r));
    }
    // Local paths and commit-pinned VCS URLs without dependency resolution.
    no_deps
        && reqs.is_empty()
        && !targets.is_empty()
        && targets.iter().all(|t| {
            if t.starts_with('.') || t.starts_with('/') {
                return true;
            }
            let vcs = ["git+", "hg+", "svn+", "bzr+", "git://"]
                .iter()
                .any(|p| t.starts_with(p));
            vcs && t
                .split('#')
                .next()
                .and_then(|u| u.rsplit_once('@'))
                .is_some_and(|(_, rev)| is_commit_sha(rev))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(t: &str) -> Vec<(Code, u32)> {
        check_script("s", t, 1, &NoFiles)
            .into_iter()
            .map(|f| (f.code, f.line.unwrap()))
            .collect()
    }

    #[test]
    fn downloads() {
        assert_eq!(
            codes("curl -sSL https://x.sh | sudo -E bash -"),
            vec![(Code::DownloadThenRun, 1)]
        );
        assert_eq!(codes("curl -s ifconfig.co/json | grep China"), vec![]);
        assert_eq!(
            codes("curl -o /tmp/i.sh https://x/i.sh\nbash /tmp/i.sh"),
            vec![(Code::DownloadThenRun, 2)]
        );
        assert_eq!(
            codes("curl -o /tmp/i.sh https://x/i.sh\necho \"abc  /tmp/i.sh\" | sha256sum -c -\nbash /tmp/i.sh"),
            vec![]
        );
        assert_eq!(codes("curl -LO https://x/t.sh\ncosign verify-blob --key k --signature t.sig t.sh\nsh t.sh"), vec![]);
        assert_eq!(
            codes("curl https://raw.githubusercontent.com/a/b/0123456789012345678901234567890123456789/i.sh | sh"),
            vec![]
        );
    }

    #[test]
    fn package_managers() {
        assert_eq!(codes("npm ci && npm install"), vec![(Code::NpmInstall, 1)]);
        assert_eq!(
            codes("go install example.com/x@latest\ngo install example.com/y@v1.2.3"),
            vec![(Code::UnpinnedGoInstall, 1)]
        );
        assert_eq!(
            codes("cargo install cargo-deny\ncargo install --locked cargo-deny@0.16.1\ncargo install --locked --version 0.16.1 cargo-deny\ncargo install --version 0.16.1 x"),
            vec![(Code::UnpinnedCargoInstall, 1), (Code::UnpinnedCargoInstall, 4)]
        );
        assert_eq!(
            codes("pip install --require-hashes -r r.txt\npip install x"),
            vec![(Code::UnpinnedPipInstall, 2)]
        );
        assert!(requirements_text_hashed("a==1 \\\n    --hash=sha256:00\n"));
        assert!(!requirements_text_hashed("a==1\n"));
    }
}
