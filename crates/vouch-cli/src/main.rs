//! The `vouch` binary: parse the arguments, call one library function per command, render,
//! and map the outcome to an exit code. The binary holds no decision.
//!
//! Only this crate prints, and only this crate uses `anyhow`. [`args`] is the grammar (it
//! imports no command); [`commands`] holds one `run(ctx, args) -> Status` per command, none
//! importing another; [`support`] is what several commands share (keys, inputs, the database
//! location, policies, registries, output writing, progress).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod context;
mod error;
mod status;
mod support;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let ctx = context::Context::from_args(&cli.global);
    match commands::run(&ctx, cli.command) {
        Ok(status) => status.into(),
        Err(err) => {
            error::print(ctx.color, &err);
            ExitCode::from(2)
        }
    }
}
