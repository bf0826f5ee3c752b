//! One module per command. Each exposes its clap `Args` and a `run` that returns a [`Status`].

pub mod attach;
pub mod attest;
pub mod db;
pub mod image;
pub mod key;
pub mod pins;
pub mod release;
pub mod sbom;
pub mod scan;
pub mod sign;
pub mod tree;
pub mod verify;
pub mod webhook;

use std::process::ExitCode;

use crate::args::Command;
use crate::context::Context;

/// How a command that ran to completion ended. Errors (exit 2) travel as `anyhow::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: nothing to report, or admitted.
    Ok,
    /// Exit 1: findings, policy denied, or a signature that does not verify.
    Failed,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> Self {
        match s {
            Status::Ok => ExitCode::SUCCESS,
            Status::Failed => ExitCode::from(1),
        }
    }
}

pub fn run(ctx: &Context, command: Command) -> anyhow::Result<Status> {
    match command {
        Command::Sbom(a) => sbom::run(ctx, a),
        Command::Scan(a) => scan::run(ctx, a),
        Command::Db(a) => db::run(ctx, a),
        Command::Pins(a) => pins::run(ctx, a),
        Command::Key(a) => key::run(ctx, a),
        Command::Sign(a) => sign::run(ctx, a),
        Command::Attest(a) => attest::run(ctx, a),
        Command::Verify(a) => verify::run(ctx, a),
        Command::Release(a) => release::run(ctx, a),
        Command::Attach(a) => attach::run(ctx, a),
        Command::Tree(a) => tree::run(ctx, a),
        Command::Webhook(a) => webhook::run(ctx, a),
        Command::VerifyBundle(a) => verify::bundle::run(ctx, a),
    }
}
