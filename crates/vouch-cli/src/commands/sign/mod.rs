//! `vouch sign`: one submodule per thing signed.

pub mod blob;
pub mod dsse;
pub mod image;
pub mod sigstore;

use clap::{Args, Subcommand};

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(subcommand)]
    pub command: SignCommand,
}

#[derive(Debug, Subcommand)]
pub enum SignCommand {
    /// Sign a file the way `cosign sign-blob` does (signature and/or Sigstore bundle).
    Blob(blob::BlobArgs),
    /// Sign a payload in a DSSE envelope.
    Dsse(dsse::DsseArgs),
    /// Sign a container image in its registry (cosign `.sig` tag and OCI referrer).
    Image(image::ImageArgs),
}

pub fn run(ctx: &Context, args: SignArgs) -> anyhow::Result<Status> {
    match args.command {
        SignCommand::Blob(a) => blob::run(ctx, a),
        SignCommand::Dsse(a) => dsse::run(ctx, a),
        SignCommand::Image(a) => image::run(ctx, a),
    }
}
