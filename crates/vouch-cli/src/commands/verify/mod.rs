//! `vouch verify`: one submodule per thing verified.

pub mod artifact;
pub mod blob;
pub mod bundle;
pub mod dsse;
pub mod image;
pub mod workloads;

use clap::{Args, Subcommand};

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(subcommand)]
    pub command: VerifyCommand,
}

#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Verify a blob's signature or Sigstore bundle with a public key.
    Blob(blob::BlobArgs),
    /// Verify a Sigstore bundle (key or keyless) offline against a trusted root.
    #[command(alias = "verify-bundle")]
    Bundle(bundle::BundleArgs),
    /// Verify a standalone DSSE envelope with a public key; prints the verified payload.
    Dsse(dsse::DsseArgs),
    /// Verify an artifact's attestations against a policy (deploy-time check).
    Artifact(artifact::ArtifactArgs),
    /// Verify an image's signatures and attestations in its registry against a policy.
    Image(image::ImageArgs),
    /// Audit a cluster's workloads (`kubectl get … -o json`) against the webhook's policy.
    Workloads(workloads::WorkloadsArgs),
}

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
