//! `vouch verify`: one submodule per thing verified.

pub mod artifact;
pub mod blob;
pub mod bundle;
pub mod dsse;
pub mod image;
pub mod workloads;

use crate::args::verify::{VerifyArgs, VerifyCommand};
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: VerifyArgs) -> anyhow::Result<Status> {
    match args.command {
        VerifyCommand::Blob(a) => blob::run(ctx, a),
        VerifyCommand::Bundle(a) => bundle::run(ctx, a),
        VerifyCommand::Dsse(a) => dsse::run(ctx, a),
        VerifyCommand::Artifact(a) => artifact::run(ctx, a),
        VerifyCommand::Image(a) => image::run(ctx, a),
        VerifyCommand::Workloads(a) => workloads::run(ctx, a),
    }
}
