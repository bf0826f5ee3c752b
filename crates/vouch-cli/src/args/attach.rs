//! The arguments of `vouch attach`: clap-derive types only.

use crate::args::registry::{RegistryArgs, SchemeArgs};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AttachArgs {
    #[command(subcommand)]
    pub command: AttachCommand,
}

#[derive(Debug, Subcommand)]
pub enum AttachCommand {
    /// Attach every attestation of an `.intoto.jsonl` bundle to an image.
    Bundle(BundleArgs),
}

#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The image (`registry/repo:tag` or `…@sha256:<hex>`).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// The attestation bundle (`.intoto.jsonl`).
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    #[command(flatten)]
    pub schemes: SchemeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
}
