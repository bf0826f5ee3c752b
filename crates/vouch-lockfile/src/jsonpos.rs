//! Line numbers for JSON lockfiles: serde gives values without positions, so keys are found
//! again in the text, in document order.

use crate::line_of;

/// Finds object keys in `text` in the order a depth-first walk of the document meets them.
pub(crate) struct KeyCursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> KeyCursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    /// The 1-based line of the next occurrence of `"key":` after the cursor, moving the
    /// cursor past it; `None` (cursor unmoved) when not found.
    pub(crate) fn next_key(&mut self, key: &str) -> Option<u32> {
        let quoted = serde_json::to_string(key).ok()?;
        let mut from = self.pos;
        while let Some(i) = self.text.get(from..)?.find(&quoted) {
            let at = from + i;
            let after = at + quoted.len();
            let rest = self.text[after..].trim_start();
            if rest.starts_with(':') {
                self.pos = after;
                return Some(line_of(self.text, at));
            }
            from = after;
        }
        None
    }
}
