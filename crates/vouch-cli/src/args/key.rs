//! The arguments of `vouch key`: clap-derive types only.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an ECDSA P-256 key pair in cosign's format (PREFIX.key, PREFIX.pub).
    ///
    /// The password comes from VOUCH_PASSWORD or COSIGN_PASSWORD, else a terminal prompt.
    Generate(GenerateArgs),
    /// Import an unencrypted PEM private key (PKCS#8, SEC1 or PKCS#1) into cosign's format.
    Import(ImportArgs),
    /// Print the public key (SPKI PEM) of a cosign key file.
    PublicKey(PublicKeyArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: String,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The unencrypted PEM private key.
    #[arg(value_name = "PEM")]
    pub key: PathBuf,
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "import-cosign")]
    pub output_key_prefix: String,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PublicKeyArgs {
    /// A cosign key file (or a public key, printed as SPKI PEM).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}
