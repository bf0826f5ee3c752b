//! `error:` / `caused by:` / `hint:` printing.

use std::fmt;

/// An error with advice on how to fix it.
#[derive(Debug)]
pub struct Hinted {
    pub error: anyhow::Error,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// Attaches a hint to an error.
pub fn hinted(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted {
        error: error.into(),
        hint: hint.into(),
    })
}

/// Prints an error chain, one `caused by:` per source, and the first hint found.
pub fn print(color: bool, err: &anyhow::Error) {
    let (red, bold, reset) = if color {
        ("\x1b[31m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    eprintln!("{red}{bold}error:{reset} {err}");
    let mut hint = None;
    for cause in err.chain() {
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            hint.get_or_insert_with(|| h.hint.clone());
        }
    }
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let msg = cause.to_string();
        // `Hinted` repeats its inner error's message; print each message once.
        if msg != last {
            eprintln!("{bold}caused by:{reset} {msg}");
        }
        last = msg;
    }
    if let Some(h) = hint {
        eprintln!("{bold}hint:{reset} {h}");
    }
}
