//! The arguments of `vouch db` and the database location every command shares: clap-derive types only.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// Where the database lives: `--db DIR`, else `VOUCH_DB`, else the user cache directory.
#[derive(Debug, Args, Clone)]
pub struct DbLocation {
    /// Database directory [default: $VOUCH_DB, else <user cache dir>/vouch/osv].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build the database from osv.dev exports (`<Ecosystem>/all.zip`), zip files or folders
    /// of OSV JSON records.
    Import(ImportArgs),
    /// Download osv.dev's exports over HTTP (incrementally where `modified_id.csv` allows).
    Update(UpdateArgs),
    /// Show the database's source, snapshot time and contents.
    Info(InfoArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export roots, `all.zip` files, record files or folders of records.
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Base URL of an osv.dev-style export bucket.
    #[arg(long = "from", value_name = "URL", default_value = vouch_osv::api::DEFAULT_EXPORT_URL)]
    pub from: String,
    /// Ecosystems to fetch [default: those already in the database, else crates.io, npm,
    /// PyPI, Go, Maven, RubyGems, Packagist, NuGet].
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub location: DbLocation,
}
