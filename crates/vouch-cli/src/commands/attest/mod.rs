//! `vouch attest`: signed in-toto statements about artifacts (files) or images.

pub mod artifact;
pub mod image;

use clap::{Args, Subcommand};

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub command: Option<AttestCommand>,
    /// Optional so that `vouch attest image …` does not need the artifact form's arguments.
    #[command(flatten)]
    pub artifact: Option<artifact::ArtifactArgs>,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Attest an image in its registry (cosign `.att` tag and OCI referrer).
    Image(image::ImageArgs),
}

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
