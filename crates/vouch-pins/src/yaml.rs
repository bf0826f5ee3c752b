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

/// Parses every document of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| YamlError {
        line: e.marker().line() as u32,
        message: e.info().to_owned(),
    })?;
    Ok(builder.docs)
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
}
