//! PEP 440 versions, ordered like Python's `packaging.version.Version`.
//!
//! Strings PEP 440 rejects fall back to the "legacy" ordering `packaging` used before 22.0
//! (setuptools' old scheme): they sort before every valid version, and are marked so
//! callers can report them.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Local {
    Str(String),
    Num(u128),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pre {
    /// A dev release with no pre/post: before every pre-release.
    DevOnly,
    Some(u8, u128),
    /// No pre-release: after every pre-release.
    None,
}

/// The sortable key, field order = comparison order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    epoch: u128,
    release: Vec<u128>,
    pre: Pre,
    /// `None` sorts below any post release.
    post: Option<u128>,
    /// `None` (no dev release) sorts above any dev release: stored as `u128::MAX` sentinel.
    dev: (bool, u128),
    /// `None` sorts below any local version.
    local: Option<Vec<Local>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pep440 {
    /// Sorted before every valid version.
    Legacy(Vec<String>),
    Valid(Key),
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Legacy(a), Self::Legacy(b)) => a.cmp(b),
            (Self::Legacy(_), Self::Valid(_)) => Ordering::Less,
            (Self::Valid(_), Self::Legacy(_)) => Ordering::Greater,
            (Self::Valid(a), Self::Valid(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }
    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.pos += prefix.len();
            true
        } else {
            false
        }
    }
    fn sep(&mut self) -> bool {
        self.eat("-") || self.eat("_") || self.eat(".")
    }
    fn number(&mut self) -> Option<u128> {
        let n = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let digits = &self.rest()[..n];
        self.pos += n;
        // Absurdly long numbers saturate; they still order above every realistic one.
        Some(digits.parse().unwrap_or(u128::MAX))
    }
    /// Optional separator then a word from `words`; restores the position if absent.
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let save = self.pos;
        self.sep();
        for w in words {
            if self.eat(w) {
                return Some(w);
            }
        }
        self.pos = save;
        None
    }
    /// Optional separator then an optional number.
    fn opt_number(&mut self) -> u128 {
        let save = self.pos;
        self.sep();
        if let Some(n) = self.number() {
            n
        } else {
            self.pos = save;
            0
        }
    }
}

fn parse_strict(s: &str) -> Option<Key> {
    let mut c = Cursor { s, pos: 0 };
    c.eat("v");
    // Epoch.
    let save = c.pos;
    let epoch = match c.number() {
        Some(n) if c.eat("!") => n,
        _ => {
            c.pos = save;
            0
        }
    };
    // Release.
    let mut release = vec![c.number()?];
    loop {
        let save = c.pos;
        if c.eat(".") {
            if let Some(n) = c.number() {
                release.push(n);
                continue;
            }
        }
        c.pos = save;
        break;
    }
    // Pre-release.
    let pre_word = c.word(&["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"]);
    let pre = pre_word.map(|w| {
        let n = c.opt_number();
        let rank = match w {
            "alpha" | "a" => 0,
            "beta" | "b" => 1,
            _ => 2,
        };
        (rank, n)
    });
    // Post-release: `-N` or `[sep](post|rev|r)[sep][N]`.
    let save = c.pos;
    let mut post = None;
    if c.eat("-") {
        if let Some(n) = c.number() {
            post = Some(n);
        } else {
            c.pos = save;
        }
    }
    if post.is_none() && c.word(&["post", "rev", "r"]).is_some() {
        post = Some(c.opt_number());
    }
    // Dev release.
    let dev = c.word(&["dev"]).map(|_| c.opt_number());
    // Local version.
    let local = if c.eat("+") {
        let text = c.rest();
        let mut parts = Vec::new();
        for p in text.split(['-', '_', '.']) {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            parts.push(if p.bytes().all(|b| b.is_ascii_digit()) {
                Local::Num(p.parse().unwrap_or(u128::MAX))
            } else {
                Local::Str(p.to_owned())
            });
        }
        c.pos = s.len();
        Some(parts)
    } else {
        None
    };
    if c.pos != s.len() {
        return None;
    }
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    let pre = match (pre, post, dev) {
        (None, None, Some(_)) => Pre::DevOnly,
        (None, _, _) => Pre::None,
        (Some((r, n)), _, _) => Pre::Some(r, n),
    };
    Some(Key {
        epoch,
        release,
        pre,
        post,
        dev: match dev {
            Some(n) => (false, n),
            None => (true, 0),
        },
        local,
    })
}

/// `packaging`'s `LegacyVersion` key.
fn legacy_key(s: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else if c.is_ascii_lowercase() {
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
        } else if c == b'.' || c == b'-' {
            i += 1;
        } else {
            while i < b.len()
                && !(b[i].is_ascii_digit()
                    || b[i].is_ascii_lowercase()
                    || b[i] == b'.'
                    || b[i] == b'-')
            {
                i += 1;
            }
        }
        tokens.push(s[start..i].to_owned());
    }
    let mut parts: Vec<String> = Vec::new();
    let mapped = tokens.into_iter().filter_map(|t| {
        let t = match t.as_str() {
            "pre" | "preview" | "rc" => "c".to_owned(),
            "-" => "final-".to_owned(),
            "dev" => "@".to_owned(),
            _ => t,
        };
        if t.is_empty() || t == "." {
            None
        } else if t.as_bytes()[0].is_ascii_digit() {
            Some(format!("{t:0>8}"))
        } else {
            Some(format!("*{t}"))
        }
    });
    for part in mapped.chain(std::iter::once("*final".to_owned())) {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

impl Pep440 {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let t = s.trim().to_ascii_lowercase();
        if t.is_empty() {
            return None;
        }
        Some(match parse_strict(&t) {
            Some(k) => Self::Valid(k),
            None => Self::Legacy(legacy_key(&t)),
        })
    }

    /// Whether PEP 440 rejects the string (it is ordered by the legacy rules).
    pub(crate) fn is_legacy(&self) -> bool {
        matches!(self, Self::Legacy(_))
    }
}
