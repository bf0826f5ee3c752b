//! The arguments of `vouch tree`: clap-derive types only.

use crate::args::registry::RegistryArgs;
use clap::Args;

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The image (`registry/repo:tag` or `…@sha256:<hex>`).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    #[command(flatten)]
    pub registry: RegistryArgs,
}
