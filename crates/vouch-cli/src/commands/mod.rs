//! One module per command, each a `run(ctx, args) -> Status`: resolve the arguments into a
//! library call's options, call it, render, return. No command imports another; what several
//! share lives in [`crate::support`], their arguments in [`crate::args`].

pub mod attach;
pub mod attest;
pub mod db;
pub mod key;
pub mod pins;
pub mod release;
pub mod sbom;
pub mod scan;
pub mod sign;
pub mod tree;
pub mod verify;
pub mod webhook;

use crate::args::Command;
use crate::context::Context;
use crate::status::Status;

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
