//! The `vouch` binary: clap arguments, one module per command, rendering and progress.
//!
//! Only this crate prints, and only this crate uses `anyhow`. Libraries hand back typed
//! errors and data; [`render`] turns data into text, JSON or SARIF; [`progress`] draws the
//! libraries' reporter callbacks with indicatif.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod context;
mod error;
mod output;
mod progress;
mod support;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let ctx = context::Context::from_args(&cli.global);
    match commands::run(&ctx, cli.command) {
        Ok(status) => status.into(),
        Err(err) => {
            error::print(&ctx, &err);
            ExitCode::from(2)
        }
    }
}
