//! `vouch attest`: signed in-toto statements about artifacts (files) or images.

pub mod artifact;
pub mod image;

use crate::args::attest::{AttestArgs, AttestCommand};
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: AttestArgs) -> anyhow::Result<Status> {
    match args.command {
        Some(AttestCommand::Image(a)) => image::run(ctx, a),
        None => match args.artifact {
            Some(a) => artifact::run(ctx, a),
            None => Err(anyhow::anyhow!(
                "`vouch attest` needs an artifact (or the `image` subcommand)"
            )),
        },
    }
}
