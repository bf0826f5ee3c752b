//! `vouch attest`.

use clap::Args;

use crate::commands::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct ArtifactArgs {
    /// Arguments (not yet defined).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

pub fn run(_ctx: &Context, _args: ArtifactArgs) -> anyhow::Result<Status> {
    Err(crate::commands::not_yet("attest"))
}
