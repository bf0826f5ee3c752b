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

/// The command's name as typed, and whether it takes the global `--format` and `-o`.
fn globals_taken(command: &Command) -> (&'static str, bool, bool) {
    match command {
        Command::Sbom(_) => ("sbom", true, true),
        Command::Scan(_) => ("scan", true, true),
        Command::Db(a) => match a.command {
            crate::args::db::DbCommand::Import(_) => ("db import", false, false),
            crate::args::db::DbCommand::Update(_) => ("db update", false, false),
            crate::args::db::DbCommand::Info(_) => ("db info", true, true),
        },
        Command::Pins(a) => match a.command {
            Some(crate::args::pins::PinsCommand::Fix(_)) => ("pins fix", false, true),
            Some(crate::args::pins::PinsCommand::Diff(_)) => ("pins diff", true, true),
            None => ("pins", true, true),
        },
        Command::Key(a) => match a.command {
            crate::args::key::KeyCommand::Generate(_) => ("key generate", false, false),
            crate::args::key::KeyCommand::Import(_) => ("key import", false, false),
            crate::args::key::KeyCommand::PublicKey(_) => ("key public-key", false, true),
        },
        Command::Sign(a) => match a.command {
            crate::args::sign::SignCommand::Blob(_) => ("sign blob", false, true),
            crate::args::sign::SignCommand::Dsse(_) => ("sign dsse", false, true),
            crate::args::sign::SignCommand::Image(_) => ("sign image", true, true),
        },
        Command::Attest(_) => ("attest", true, true),
        Command::Verify(a) => match a.command {
            crate::args::verify::VerifyCommand::Blob(_) => ("verify blob", false, false),
            crate::args::verify::VerifyCommand::Dsse(_) => ("verify dsse", false, true),
            crate::args::verify::VerifyCommand::Bundle(_) => ("verify bundle", true, true),
            crate::args::verify::VerifyCommand::Artifact(_) => ("verify artifact", true, true),
            crate::args::verify::VerifyCommand::Image(_) => ("verify image", true, true),
            crate::args::verify::VerifyCommand::Workloads(_) => ("verify workloads", true, true),
        },
        // `release` refuses `-o` itself, saying which files it writes instead.
        Command::Release(_) => ("release", true, true),
        Command::Attach(_) => ("attach", false, true),
        Command::Tree(_) => ("tree", true, true),
        Command::Webhook(_) => ("webhook", false, false),
        Command::VerifyBundle(_) => ("verify-bundle", true, true),
    }
}

/// Refuses a global option the command would silently ignore (`verify blob --format xyz`,
/// `key generate -o x`), before anything is done.
fn check_globals(ctx: &Context, command: &Command) -> anyhow::Result<()> {
    let (name, format, output) = globals_taken(command);
    let refuse = |flag: &str| {
        crate::error::hinted(
            anyhow::anyhow!("`vouch {name}` does not take {flag}"),
            format!("see `vouch {name} --help` for what it writes and where"),
        )
    };
    if ctx.format.is_some() && !format {
        return Err(refuse("--format"));
    }
    if ctx.output.is_some() && !output {
        return Err(refuse("-o/--output"));
    }
    Ok(())
}

pub fn run(ctx: &Context, command: Command) -> anyhow::Result<Status> {
    check_globals(ctx, &command)?;
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
