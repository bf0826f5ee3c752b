//! Maven versions as `org.apache.maven.artifact.versioning.ComparableVersion` orders them.
//!
//! A version is a tree: `.` separates items of a list, `-` (and a switch between digits and
//! letters) opens a sub-list. Trailing "null" items (`0`, `""`, `final`, `ga`, `release`,
//! empty lists) are dropped. Known qualifiers order
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp`, and
//! unknown qualifiers sort after them, alphabetically.

use std::cmp::Ordering;

use super::digits::cmp_digits;

#[derive(Debug, Clone)]
enum Item {
    Int(String),
    Str(String),
    List(Vec<Item>),
}

#[derive(Debug, Clone)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// The sortable key of a string qualifier (a string comparison, like Maven's).
fn qualifier_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

const RELEASE: &str = "5";

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut v = value;
    if followed_by_digit && v.len() == 1 {
        v = match v {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(v.to_owned())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit {
        let t = buf.trim_start_matches('0');
        Item::Int(if t.is_empty() {
            "0".to_owned()
        } else {
            t.to_owned()
        })
    } else {
        string_item(buf, false)
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => v == "0",
        Item::Str(v) => qualifier_key(v) == RELEASE,
        Item::List(l) => l.is_empty(),
    }
}

fn normalize(list: &mut Vec<Item>) {
    // `1-ga-1` is `1-1`: a release qualifier that only opens a sub-list is no level at all.
    if let [Item::Str(q), Item::List(_)] = list.as_slice() {
        if q.is_empty() {
            let Some(Item::List(inner)) = list.pop() else {
                unreachable!()
            };
            *list = inner;
        }
    }
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl MavenVersion {
    pub(crate) fn parse(s: &str) -> Self {
        let v = s.trim().to_ascii_lowercase();
        // A stack of open lists; each new list is pushed and later attached to its parent.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        let bytes = v.as_bytes();
        let close_all = |stack: &mut Vec<Vec<Item>>| {
            while stack.len() > 1 {
                let mut l = stack.pop().expect("non-empty");
                normalize(&mut l);
                stack.last_mut().expect("parent").push(Item::List(l));
            }
            let root = stack.last_mut().expect("root");
            normalize(root);
        };
        for (i, &c) in bytes.iter().enumerate() {
            if c == b'.' {
                let item = if i == start {
                    Item::Int("0".to_owned())
                } else {
                    parse_item(is_digit, &v[start..i])
                };
                stack.last_mut().expect("list").push(item);
                start = i + 1;
            } else if c == b'-' {
                let item = if i == start {
                    Item::Int("0".to_owned())
                } else {
                    parse_item(is_digit, &v[start..i])
                };
                stack.last_mut().expect("list").push(item);
                start = i + 1;
                stack.push(Vec::new());
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    stack
                        .last_mut()
                        .expect("list")
                        .push(string_item(&v[start..i], true));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    stack
                        .last_mut()
                        .expect("list")
                        .push(parse_item(true, &v[start..i]));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if v.len() > start {
            stack
                .last_mut()
                .expect("list")
                .push(parse_item(is_digit, &v[start..]));
        }
        // Lists are attached to their parents innermost first, normalising each, as Maven
        // normalises every list on the stack from the top.
        close_all(&mut stack);
        let items = stack.pop().unwrap_or_default();
        Self { items }
    }
}

/// `a.compareTo(b)` where `b` may be absent (Maven's `null`).
fn cmp_item(a: &Item, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (Item::Int(v), None) => {
            if v == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Int(x), Some(Item::Int(y))) => cmp_digits(x, y),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(v), None) => qualifier_key(v).as_str().cmp(RELEASE),
        (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::Str(x), Some(Item::Str(y))) => qualifier_key(x).cmp(&qualifier_key(y)),
        (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
        (Item::List(l), None) => match l.first() {
            None => Ordering::Equal,
            Some(first) => cmp_item(first, None),
        },
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(x), Some(Item::List(y))) => cmp_lists(x, y),
    }
}

fn cmp_lists(x: &[Item], y: &[Item]) -> Ordering {
    let n = x.len().max(y.len());
    for i in 0..n {
        let o = match (x.get(i), y.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => cmp_item(r, None).reverse(),
            (Some(l), r) => cmp_item(l, r),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}
