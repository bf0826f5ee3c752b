//! The workspace's module graph, checked: no import cycle inside any crate, and the `vouch`
//! binary's commands never reach into each other (ARCHITECTURE.md, "Invariants").
//!
//! A module is a source file. Module A depends on module B when A's code names a path into B
//! (`crate::b::…`, `super::…`, `self::…`, or a child module by name, in `use` lines or
//! inline); `mod b;` declarations and `pub use` re-exports (a crate root's facade) are not
//! dependencies, nor is code in `#[cfg(test)]` modules. Paths resolve to the longest module
//! prefix that exists; a name a module re-exports resolves to the module it comes from, so
//! `crate::Sbom` in a crate whose root says `pub use model::Sbom` depends on `model`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Known exceptions, each waiting on named work. One that no longer occurs fails the test as
/// well, so these lists only shrink.
const KNOWN_CYCLES: &[&str] = &[];
/// - `support::release` catalogs the project with `vouch sbom`'s own function until the catalog
///   issue's `vouch-catalog` crate takes SBOM building out of the CLI.
const KNOWN_CROSSINGS: &[&str] =
    &["support::release -> commands::sbom (support sits below the commands)"];

/// Fails listing the unexpected `found` and the `known` ones that no longer occur.
fn check_against(found: &[String], known: &[&str], what: &str) {
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !known.contains(&f.as_str()))
        .collect();
    let gone: Vec<&&str> = known
        .iter()
        .filter(|k| !found.iter().any(|f| f == *k))
        .collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "{what}:\n  {}\nknown exceptions that no longer occur (remove them from the list):\n  {}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        gone.iter().map(|s| **s).collect::<Vec<_>>().join("\n  ")
    );
}

/// Module path (`a::b`, root = ``) of a source file below `src`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    match stem {
        "lib" | "main" if parts.is_empty() => {}
        "mod" => {}
        s => parts.push(s.to_owned()),
    }
    Some(parts.join("::"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code without comments, string and char literals, `#[cfg(test)]` items and `pub use`
/// lines.
fn code_of(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b[i + 1..].starts_with(b"\"") || b[i + 1..].starts_with(b"#")) {
            // Raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j < b.len() && b[j] == b'"' && (i == 0 || !(b[i - 1] as char).is_alphanumeric()) {
                let end: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&end) {
                    j += 1;
                }
                i = j + end.len();
                out.push_str("\"\"");
            } else {
                out.push('r');
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal (not a lifetime).
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    strip_test_items(&out)
}

/// `code` without its `pub use` re-exports, and the re-exports' texts.
fn split_pub_use(code: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut uses = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("pub use ") {
        let before_ok = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        out.push_str(&rest[..at]);
        if before_ok {
            let end = rest[at..].find(';').map_or(rest.len(), |e| at + e + 1);
            uses.push(rest[at + 8..end].to_owned());
            rest = &rest[end..];
        } else {
            out.push_str("pub use ");
            rest = &rest[at + 8..];
        }
    }
    out.push_str(rest);
    (out, uses)
}

/// Drops the item after each `#[cfg(test)]` (a `mod tests { … }` or a single item).
fn strip_test_items(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let brace = after.find('{');
        let semi = after.find(';');
        let end = match (brace, semi) {
            (Some(b), Some(s)) if s < b => s + 1,
            (Some(b), _) => {
                let mut depth = 0;
                let mut end = after.len();
                for (k, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(s)) => s + 1,
            (None, None) => after.len(),
        };
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths named in `code`: each as its segments, starting at `crate`, `super`, `self` or
/// an identifier followed by `::`. A `{…}` group after `::` yields one path per member.
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = is_ident(chars[i])
            && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':'))
            && !chars[i].is_ascii_digit();
        if !starts {
            i += 1;
            continue;
        }
        let (segs, next) = path_at(&chars, i, &mut out);
        if segs.len() > 1 {
            out.push(segs);
        }
        i = next.max(i + 1);
    }
    out
}

/// Reads `ident(::ident)*` at `i`; groups push their expansions to `out` directly.
fn path_at(chars: &[char], mut i: usize, out: &mut Vec<Vec<String>>) -> (Vec<String>, usize) {
    let mut segs = Vec::new();
    loop {
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        if i == start {
            break;
        }
        segs.push(chars[start..i].iter().collect::<String>());
        if i + 1 < chars.len() && chars[i] == ':' && chars[i + 1] == ':' {
            i += 2;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '{' {
                // A use group: each member extends the prefix.
                i += 1;
                loop {
                    while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ',') {
                        i += 1;
                    }
                    if i >= chars.len() || chars[i] == '}' {
                        i += 1;
                        break;
                    }
                    let (member, next) = path_at(chars, i, out);
                    let mut full = segs.clone();
                    full.extend(member);
                    out.push(full);
                    i = next.max(i + 1);
                    // Skip `as alias`, `*`.
                    while i < chars.len() && chars[i] != ',' && chars[i] != '}' {
                        i += 1;
                    }
                }
                return (Vec::new(), i);
            }
        } else {
            break;
        }
    }
    (segs, i)
}

fn parent(m: &str) -> String {
    m.rsplit_once("::")
        .map_or(String::new(), |(p, _)| p.to_owned())
}

fn join(base: &str, seg: &str) -> String {
    if base.is_empty() {
        seg.to_owned()
    } else {
        format!("{base}::{seg}")
    }
}

/// Names each module re-exports (`pub use`), and the module each comes from.
type Reexports = BTreeMap<String, BTreeMap<String, String>>;

/// The module a path in module `at` leads into, if any (not `at` itself). A name a module
/// re-exports leads into the module it comes from.
fn resolve(
    modules: &BTreeSet<String>,
    reexports: &Reexports,
    at: &str,
    segs: &[String],
) -> Option<String> {
    let mut base = match segs[0].as_str() {
        "crate" => String::new(),
        "self" => at.to_owned(),
        "super" => parent(at),
        first => {
            // A child module named directly.
            let child = join(at, first);
            if !modules.contains(&child) {
                return None;
            }
            child
        }
    };
    let mut found = base.clone();
    for s in &segs[1..] {
        if s == "super" {
            base = parent(&base);
            found.clone_from(&base);
            continue;
        }
        let next = join(&base, s);
        if modules.contains(&next) {
            found.clone_from(&next);
            base = next;
        } else {
            if let Some(from) = reexports.get(&base).and_then(|r| r.get(s)) {
                found.clone_from(from);
            }
            break;
        }
    }
    (found != at).then_some(found)
}

fn crate_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut by_module = BTreeMap::new();
    for f in files {
        if let Some(m) = module_of(src, &f) {
            by_module.insert(m, f);
        }
    }
    let modules: BTreeSet<String> = by_module.keys().cloned().collect();
    let mut code = BTreeMap::new();
    let mut reexports = Reexports::new();
    for (m, f) in &by_module {
        let (rest, uses) = split_pub_use(&code_of(&std::fs::read_to_string(f).unwrap()));
        let names = reexports.entry(m.clone()).or_default();
        for u in uses {
            for p in paths(&u) {
                let (name, path) = p.split_last().unwrap();
                let mut full = path.to_vec();
                full.push(name.clone());
                if let Some(from) = resolve(&modules, &Reexports::new(), m, &full) {
                    names.insert(name.clone(), from);
                }
            }
        }
        code.insert(m.clone(), rest);
    }
    let mut graph = Graph::new();
    for (m, text) in &code {
        let deps = graph.entry(m.clone()).or_default();
        for p in paths(text) {
            if let Some(target) = resolve(&modules, &reexports, m, &p) {
                deps.insert(target);
            }
        }
    }
    graph
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn crates() -> Vec<(String, PathBuf)> {
    let dir = vouch_testkit::repo_root().join("crates");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("src").is_dir())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.path().join("src"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn no_crate_has_an_import_cycle() {
    let mut problems = Vec::new();
    for (name, src) in crates() {
        for c in cycles(&crate_graph(&src)) {
            let shown: Vec<String> = c
                .iter()
                .map(|m| {
                    if m.is_empty() {
                        "(root)".to_owned()
                    } else {
                        m.clone()
                    }
                })
                .collect();
            problems.push(format!("{name}: {}", shown.join(" <-> ")));
        }
    }
    check_against(&problems, KNOWN_CYCLES, "module import cycles");
}

#[test]
fn commands_do_not_reach_into_each_other_and_args_into_none() {
    let src = vouch_testkit::repo_root().join("crates/vouch-cli/src");
    let graph = crate_graph(&src);
    let command_of = |m: &str| -> Option<String> {
        let rest = m.strip_prefix("commands::")?;
        Some(rest.split("::").next().unwrap().to_owned())
    };
    let mut problems = Vec::new();
    for (from, deps) in &graph {
        for to in deps {
            let (a, b) = (command_of(from), command_of(to));
            if let (Some(a), Some(b)) = (&a, &b) {
                if a != b {
                    problems.push(format!("{from} -> {to}"));
                }
            }
            if a.is_some() && to == "commands" {
                problems.push(format!("{from} -> commands (the dispatcher)"));
            }
            let from_args = from == "args" || from.starts_with("args::");
            if from_args && (to == "commands" || b.is_some()) {
                problems.push(format!(
                    "{from} -> {to} (argument definitions import no command)"
                ));
            }
            // Below the commands: shared support imports no command.
            if (from == "support" || from.starts_with("support::"))
                && (to == "commands" || b.is_some())
            {
                problems.push(format!("{from} -> {to} (support sits below the commands)"));
            }
        }
    }
    check_against(&problems, KNOWN_CROSSINGS, "imports across commands");
}

#[test]
fn the_checker_sees_a_cycle_and_a_cross_command_import() {
    // The checker itself, on a made-up crate: it must not pass vacuously.
    let dir = std::env::temp_dir().join(format!("vouch-modgraph-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("commands")).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "mod a;\nmod b;\nmod c;\nmod commands;\npub use b::Thing;\n",
    )
    .unwrap();
    std::fs::write(src.join("c.rs"), "fn f(_: crate::Thing) {}\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::Thing;\n").unwrap();
    std::fs::write(
        src.join("b.rs"),
        "// crate::a in a comment is not an edge\npub struct Thing;\nfn f() { crate::a::g(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("commands/mod.rs"), "pub mod x;\npub mod y;\n").unwrap();
    std::fs::write(
        src.join("commands/x.rs"),
        "use crate::commands::{y::Args, Status};\n",
    )
    .unwrap();
    std::fs::write(
        src.join("commands/y.rs"),
        "pub struct Args;\n#[cfg(test)]\nmod tests { use crate::commands::x::*; }\n",
    )
    .unwrap();
    let graph = crate_graph(&src);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(cycles(&graph), vec![vec!["a".to_owned(), "b".to_owned()]]);
    assert_eq!(
        graph["commands::x"],
        BTreeSet::from(["commands".to_owned(), "commands::y".to_owned()])
    );
    assert!(
        graph["commands::y"].is_empty(),
        "test modules are not edges"
    );
}
