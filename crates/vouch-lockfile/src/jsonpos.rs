//! Line numbers for JSON lockfiles: serde gives values without positions, so keys are found
//! again in the text, in document order.

/// Finds object keys in `text` in the order a depth-first walk of the document meets them.
pub(crate) struct KeyCursor<'a> {
    text: &'a str,
    pos: usize,
    /// Newlines counted up to `counted` (lines are counted incrementally, so a walk over a
    /// large file stays linear).
    counted: usize,
    newlines: u32,
}

impl<'a> KeyCursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            counted: 0,
            newlines: 0,
        }
    }

    fn line_at(&mut self, at: usize) -> u32 {
        let at = at.min(self.text.len());
        if at < self.counted {
            self.counted = 0;
            self.newlines = 0;
        }
        // Line counting is a simple byte scan; clippy's `naive_bytecount` wants a crate.
        #[allow(clippy::naive_bytecount)]
        let n = self.text.as_bytes()[self.counted..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.newlines += n;
        self.counted = at;
        self.newlines + 1
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
                return Some(self.line_at(at));
            }
            from = after;
        }
        None
    }
}
