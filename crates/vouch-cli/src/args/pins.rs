//! The arguments of `vouch pins`: clap-derive types only.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PinsArgs {
    #[command(subcommand)]
    pub command: Option<PinsCommand>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum PinsCommand {
    /// Record lockfile changes between two git revisions (added, removed, upgraded,
    /// downgraded, source changed, hash changed at the same version).
    Diff(DiffArgs),
    /// Rewrite action tags to `@<sha> # <tag>` and image tags to digests.
    Fix(FixArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A repository directory or a single file (workflow, action.yml, Dockerfile, compose
    /// file, Kubernetes manifest, shell script, lockfile).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Skip lockfile records (references and install commands only).
    #[arg(long)]
    pub no_lockfiles: bool,
    /// Don't walk below this path (relative to PATH); repeatable.
    #[arg(long, value_name = "PATH")]
    pub exclude: Vec<String>,
    /// Also check, through the GitHub API, that `# vX.Y.Z` comments beside commit ids name
    /// tags of those commits.
    #[arg(long)]
    pub online: bool,
    /// GitHub REST API base URL for `--online`.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    pub github_api: String,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older revision.
    #[arg(long, value_name = "REV")]
    pub from: String,
    /// The newer revision.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub to: String,
    /// The git work tree (or a directory inside it) whose lockfiles are compared.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// A repository directory or a single workflow/Dockerfile/compose/manifest file.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Print a unified diff instead of writing the files.
    #[arg(long)]
    pub dry_run: bool,
    /// GitHub REST API base URL.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    pub github_api: String,
    /// Only rewrite actions.
    #[arg(long)]
    pub actions_only: bool,
    /// Only rewrite images.
    #[arg(long)]
    pub images_only: bool,
}
