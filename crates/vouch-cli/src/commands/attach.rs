//! `vouch attach`.

use clap::Args;

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Arguments (not yet defined).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

pub fn run(_ctx: &Context, _args: AttachArgs) -> anyhow::Result<Status> {
    Err(super::not_yet("attach"))
}
