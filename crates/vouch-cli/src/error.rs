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

/// The `caused by:` lines of an error: each source's message once (`Hinted` repeats its inner
/// error's). A chain that ends in an operating-system error below layers of transport
/// plumbing (a refused connection: "error sending request" → "client error (Connect)" →
/// "tcp connect error" → "Connection refused") is one line: the first cause, then the OS's
/// word for what happened.
fn causes(err: &anyhow::Error) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let msg = cause.to_string();
        if msg != last {
            out.push(msg.clone());
        }
        last = msg;
    }
    let root_is_os = err
        .chain()
        .last()
        .is_some_and(|c| c.downcast_ref::<std::io::Error>().is_some());
    if root_is_os && out.len() > 2 {
        let root = out.pop().unwrap_or_default();
        out.truncate(1);
        if let Some(first) = out.first_mut() {
            first.push_str(": ");
            first.push_str(&root);
        }
    }
    out
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
    for msg in causes(err) {
        eprintln!("{bold}caused by:{reset} {msg}");
    }
    if let Some(h) = hint {
        eprintln!("{bold}hint:{reset} {h}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer {
        msg: &'static str,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    }

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.msg)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.source
                .as_deref()
                .map(|s| s as &(dyn std::error::Error + 'static))
        }
    }

    fn layer(msg: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Layer {
        Layer {
            msg,
            source: Some(Box::new(source)),
        }
    }

    #[test]
    fn a_refused_connection_is_one_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let e = anyhow::Error::new(layer(
            "registry `127.0.0.1:1` is not reachable",
            layer(
                "error sending request",
                layer("client error (Connect)", layer("tcp connect error", io)),
            ),
        ))
        .context("could not list what is attached to `127.0.0.1:1/app:v1`");
        assert_eq!(
            causes(&e),
            vec!["registry `127.0.0.1:1` is not reachable: Connection refused"]
        );
        // Short chains, and chains that do not end in the OS, are printed as they are.
        let e = anyhow::Error::new(std::io::Error::other("disk full")).context("failed to write");
        assert_eq!(causes(&e), vec!["disk full"]);
        let e = hinted(anyhow::anyhow!("x"), "h").context("top");
        assert_eq!(causes(&e), vec!["x"]);
    }
}
