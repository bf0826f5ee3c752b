//! What every command gets besides its own arguments.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::args::GlobalArgs;

/// Settings derived once from the global flags and the environment.
#[derive(Debug, Clone)]
pub struct Context {
    /// `--format` as given; each command validates it against what it supports.
    pub format: Option<String>,
    /// `-o FILE`, or standard output.
    pub output: Option<PathBuf>,
    pub quiet: bool,
    /// Draw progress bars (stderr is a terminal, not `--quiet`/`--no-progress`).
    pub progress: bool,
    /// Colour on stderr/stdout (a terminal and no `NO_COLOR`).
    pub color: bool,
    /// Standard output is a terminal (tables by default there, JSON otherwise).
    pub stdout_tty: bool,
}

impl Context {
    pub fn from_args(g: &GlobalArgs) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stderr_tty = std::io::stderr().is_terminal();
        Self {
            format: g.format.clone(),
            output: g.output.clone(),
            quiet: g.quiet,
            progress: stderr_tty && !g.quiet && !g.no_progress,
            color: stderr_tty && !no_color,
            stdout_tty: std::io::stdout().is_terminal(),
        }
    }

    /// The chosen format among `allowed`, or `default` when none was given.
    pub fn format<'a>(&self, allowed: &[&'a str], default: &'a str) -> anyhow::Result<&'a str> {
        match &self.format {
            None => Ok(default),
            Some(f) => allowed.iter().copied().find(|a| a == f).ok_or_else(|| {
                crate::error::hinted(
                    anyhow::anyhow!("unknown output format `{f}`"),
                    format!("supported formats: {}", allowed.join(", ")),
                )
            }),
        }
    }

    /// A note on stderr unless `--quiet`.
    pub fn note(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A warning on stderr (shown even with `--quiet`).
    pub fn warn(&self, msg: &str) {
        if self.color {
            eprintln!("\x1b[33mwarning:\x1b[0m {msg}");
        } else {
            eprintln!("warning: {msg}");
        }
    }
}
