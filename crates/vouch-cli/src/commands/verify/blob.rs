//! `vouch verify blob`.

use clap::Args;

use crate::commands::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct BlobArgs {
    /// Arguments (not yet defined).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

pub fn run(_ctx: &Context, _args: BlobArgs) -> anyhow::Result<Status> {
    Err(crate::commands::not_yet("verify blob"))
}
