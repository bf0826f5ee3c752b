//! A YAML tree that remembers the line of every node, built from yaml-rust2's marked events.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML node with its 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub kind: Kind,
}

/// Node content. Scalars keep their text and whether they were quoted.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar { text: String, quoted: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A YAML syntax error at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

enum Frame {
    Seq(usize, Vec<Node>),
    Map(usize, Vec<(Node, Node)>, Option<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
    error: Option<SyntaxError>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(text, style, _, _) => self.push(Node {
                line,
                kind: Kind::Scalar {
                    text,
                    quoted: matches!(
                        style,
                        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                    ),
                },
            }),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(line, Vec::new())),
            Event::MappingStart(..) => self.stack.push(Frame::Map(line, Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(l, items)) => Node {
                        line: l,
                        kind: Kind::Seq(items),
                    },
                    Some(Frame::Map(l, entries, _)) => Node {
                        line: l,
                        kind: Kind::Map(entries),
                    },
                    None => return,
                };
                self.push(node);
            }
            Event::Alias(_) => {
                self.error.get_or_insert(SyntaxError {
                    line,
                    message: "YAML aliases are not supported in policy files".to_owned(),
                });
                self.push(Node {
                    line,
                    kind: Kind::Scalar {
                        text: String::new(),
                        quoted: true,
                    },
                });
            }
            _ => {}
        }
    }
}

/// Parses the documents of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, true).map_err(|e| SyntaxError {
        line: e.marker().line(),
        message: e.info().to_owned(),
    })?;
    if let Some(e) = b.error {
        return Err(e);
    }
    Ok(b.docs)
}

impl Node {
    /// A short description of the node's kind, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The node as JSON (scalars typed like YAML 1.2 core: null, bool, int, float, string).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Scalar { text, quoted } => {
                if *quoted {
                    return Value::String(text.clone());
                }
                match text.as_str() {
                    "~" | "null" | "Null" | "NULL" | "" => Value::Null,
                    "true" | "True" | "TRUE" => Value::Bool(true),
                    "false" | "False" | "FALSE" => Value::Bool(false),
                    t => t
                        .parse::<i64>()
                        .map(Value::from)
                        .ok()
                        .or_else(|| {
                            t.parse::<f64>()
                                .ok()
                                .filter(|f| f.is_finite() && t.chars().any(|c| c.is_ascii_digit()))
                                .map(Value::from)
                        })
                        .unwrap_or_else(|| Value::String(t.to_owned())),
                }
            }
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match &k.kind {
                            Kind::Scalar { text, .. } => text.clone(),
                            _ => String::new(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let docs = parse("a: 1\nb:\n  - x\n  - y\n").unwrap();
        let Kind::Map(entries) = &docs[0].kind else {
            panic!()
        };
        assert_eq!(entries[0].0.line, 1);
        assert_eq!(entries[1].0.line, 2);
        let Kind::Seq(items) = &entries[1].1.kind else {
            panic!()
        };
        assert_eq!(items[1].line, 4);
        let err = parse("a: [1\n").unwrap_err();
        assert!(err.line >= 1, "{err:?}");
    }
}

#[cfg(test)]
mod block_tests {
    #[test]
    fn block_scalar_mark_is_first_content_line() {
        let docs = super::parse("a:\n  b: |\n    one\n    two\n    three\n  c: 1\n").unwrap();
        let super::Kind::Map(e) = &docs[0].kind else {
            panic!()
        };
        let super::Kind::Map(inner) = &e[0].1.kind else {
            panic!()
        };
        assert_eq!(inner[0].1.line, 3);
    }
}
