//! A small YAML document tree with line numbers, built from `yaml-rust2`'s marked events.
//!
//! The checks only need scalars, sequences and mappings and the line each node starts on;
//! anchors are resolved by copying the anchored node, tags are ignored.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One YAML node and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub value: Value,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    /// A `|` or `>` block.
    Block,
}

/// The shape of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar and how it was written.
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Null,
}

impl Node {
    /// The scalar's text (plain or quoted), or `None`.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// The 1-based line a scalar's text starts on (`yaml-rust2` marks a `|`/`>` block at
    /// its first content line already).
    pub fn text_line(&self) -> u32 {
        self.line
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries of a mapping (empty otherwise).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The entries of the mapping under `key` (empty when absent or not a mapping).
    pub fn entries_at(&self, key: &str) -> &[(Node, Node)] {
        self.get(key).map_or(&[], Node::entries)
    }

    /// The items of a sequence (empty otherwise).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct YamlError {
    pub line: u32,
    pub message: String,
}

enum Frame {
    Seq(u32, usize, Vec<Node>),
    Map(u32, usize, Vec<(Node, Node)>, Option<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: HashMap<usize, Node>,
}

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

fn line(mark: Marker) -> u32 {
    mark.line() as u32
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                let style = match style {
                    TScalarStyle::Plain => Style::Plain,
                    TScalarStyle::Literal | TScalarStyle::Folded => Style::Block,
                    _ => Style::Quoted,
                };
                let value = if style == Style::Plain
                    && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Scalar(text, style)
                };
                self.push(
                    Node {
                        line: line(mark),
                        value,
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(line(mark), anchor, Vec::new()));
            }
            Event::MappingStart(anchor, _) => {
                self.stack
                    .push(Frame::Map(line(mark), anchor, Vec::new(), None));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(l, a, items)) => (
                        Node {
                            line: l,
                            value: Value::Seq(items),
                        },
                        a,
                    ),
                    Some(Frame::Map(l, a, entries, _)) => (
                        Node {
                            line: l,
                            value: Value::Map(entries),
                        },
                        a,
                    ),
                    None => return,
                };
                self.push(node, anchor);
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node {
                    line: line(mark),
                    value: Value::Null,
                });
                self.push(node, 0);
            }
            _ => {}
        }
    }
}

fn parse_strict(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| YamlError {
        line: e.marker().line() as u32,
        message: e.info().to_owned(),
    })?;
    Ok(builder.docs)
}

/// Parses every document of a YAML stream.
///
/// What the common loaders (PyYAML, the `yaml` npm package, Go's yaml.v3) accept is accepted
/// here too: a flow collection whose continuation lines (often the closing `]`) sit at or left
/// of the indentation of the key that opened it. When the strict parse fails, such lines are
/// indented past the key and the text parsed again (line numbers unchanged); if that fails as
/// well, the first error stands.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    match parse_strict(text) {
        Ok(docs) => Ok(docs),
        Err(e) => match indent_flow_continuations(text) {
            Some(fixed) => parse_strict(&fixed).map_err(|_| e),
            None => Err(e),
        },
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Indents the lines inside a flow collection (`[`…`]`, `{`…`}`) that started on an earlier
/// line to one column past that line's indentation. `None` when nothing needed it.
fn indent_flow_continuations(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut changed = false;
    // Nesting depth of flow collections, and the indentation of the line that opened the
    // outermost one.
    let mut depth = 0usize;
    let mut opener_indent = 0usize;
    // Inside a `|`/`>` block scalar whose key line was indented this much.
    let mut block: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = indent_of(body);
        if let Some(key_indent) = block {
            if body.trim().is_empty() || indent > key_indent {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        if depth > 0 && !body.trim().is_empty() && indent <= opener_indent {
            out.push_str(&" ".repeat(opener_indent + 1 - indent));
            changed = true;
        } else if depth == 0 {
            opener_indent = indent;
        }
        out.push_str(line);
        let (d, opens_block) = scan_flow(body, depth);
        depth = d;
        if depth == 0 && opens_block {
            block = Some(indent);
        }
    }
    changed.then_some(out)
}

/// The flow depth after `line`, starting at `depth`, skipping quoted text and comments; and
/// whether the line (in block context) ends by opening a `|`/`>` block scalar.
fn scan_flow(line: &str, mut depth: usize) -> (usize, bool) {
    let bytes = line.as_bytes();
    let mut i = 0;
    // In block context a flow collection starts only where a value starts: after `key: `,
    // `- `, or at the start of the line.
    let mut value_start = true;
    let mut last_token = 0u8;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            b'#' if i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => break,
            b'\'' | b'"' if depth > 0 || value_start => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\\' && b == b'"' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b {
                        if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                value_start = false;
            }
            b'[' | b'{' if depth > 0 || value_start => {
                depth += 1;
                value_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                value_start = false;
            }
            b',' if depth > 0 => value_start = true,
            b'-' if depth == 0 && value_start && matches!(bytes.get(i + 1), None | Some(b' ')) => {
                value_start = true;
            }
            b':' if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t'))
                || (depth > 0 && matches!(bytes.get(i + 1), Some(b',' | b']' | b'}'))) =>
            {
                value_start = true;
            }
            // Anything else starts (or continues) a plain scalar, where brackets are text.
            _ => value_start = false,
        }
        last_token = b;
        i += 1;
    }
    let opens_block = depth == 0
        && matches!(last_token, b'|' | b'>' | b'-' | b'+')
        && line.trim_end().rsplit(' ').next().is_some_and(|w| {
            w.starts_with(['|', '>'])
                && w[1..]
                    .bytes()
                    .all(|c| matches!(c, b'-' | b'+' | b'0'..=b'9'))
        });
    (depth, opens_block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_anchors() {
        let docs = parse("a: 1\nb:\n  - &x {c: d}\n  - *x\n---\ne: f\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").unwrap();
        assert_eq!(b.items().len(), 2);
        assert_eq!(b.items()[1].get("c").unwrap().as_str(), Some("d"));
        assert_eq!(docs[0].get("a").unwrap().line, 1);
        assert_eq!(b.items()[0].get("c").unwrap().line, 3);
        assert_eq!(docs[1].get("e").unwrap().line, 6);
        let block = parse("a: |\n  x\n  y\nb: >-\n  z\n").unwrap();
        assert_eq!(block[0].get("a").unwrap().text_line(), 2);
        assert_eq!(block[0].get("b").unwrap().text_line(), 5);
    }

    #[test]
    fn flow_sequences_closed_at_the_key_indent_are_read() {
        // PyYAML and the `yaml` npm package read this; a strict reader calls it bad indentation.
        let t = "services:\n  web:\n    image: nginx:1.25\n    command: [\n      \"nginx\", \"-g\", \"daemon off;\"\n    ]\n  db:\n    image: postgres:16\n    ports: [\n    \"5432:5432\"\n    ]\n    environment: {\n    A: \"[b\"\n    }\n";
        let docs = parse(t).unwrap();
        let services = docs[0].get("services").unwrap();
        let web = services.get("web").unwrap();
        assert_eq!(web.get("command").unwrap().items().len(), 3);
        let db = services.get("db").unwrap();
        assert_eq!(db.get("image").unwrap().line, 8);
        assert_eq!(
            db.get("ports").unwrap().items()[0].as_str(),
            Some("5432:5432")
        );
        assert_eq!(
            db.get("environment").unwrap().get("A").unwrap().as_str(),
            Some("[b")
        );
        // Block scalars are left alone, brackets in them included.
        let t = "a: |\n  [x\nb: [\n1]\n";
        let docs = parse(t).unwrap();
        assert_eq!(docs[0].get("a").unwrap().as_str(), Some("[x\n"));
        assert_eq!(docs[0].get("b").unwrap().items().len(), 1);
        // What is broken stays broken, with the first error.
        let e = parse("a: [\n  b: c: d\n").unwrap_err();
        assert!(e.line >= 1, "{e}");
    }
}
