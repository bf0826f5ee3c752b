//! `vouch sign`: one submodule per thing signed.

pub mod blob;
pub mod dsse;
pub mod image;
pub mod sigstore;

use crate::args::sign::{SignArgs, SignCommand};
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: SignArgs) -> anyhow::Result<Status> {
    match args.command {
        SignCommand::Blob(a) => blob::run(ctx, a),
        SignCommand::Dsse(a) => dsse::run(ctx, a),
        SignCommand::Image(a) => image::run(ctx, a),
    }
}
