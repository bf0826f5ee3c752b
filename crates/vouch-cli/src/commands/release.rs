//! `vouch release`.

use clap::Args;

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// Arguments (not yet defined).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

pub fn run(_ctx: &Context, _args: ReleaseArgs) -> anyhow::Result<Status> {
    Err(super::not_yet("release"))
}
