//! The arguments of `vouch sign` (blob, dsse, image): clap-derive types only.

use crate::args::registry::{RegistryArgs, SchemeArgs};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(subcommand)]
    pub command: SignCommand,
}

#[derive(Debug, Subcommand)]
pub enum SignCommand {
    /// Sign a file the way `cosign sign-blob` does (signature and/or Sigstore bundle).
    Blob(BlobArgs),
    /// Sign a payload in a DSSE envelope.
    Dsse(DsseArgs),
    /// Sign a container image in its registry (cosign `.sig` tag and OCI referrer).
    Image(ImageArgs),
}

#[derive(Debug, Args)]
pub struct BlobArgs {
    /// The file to sign (`-` for standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The cosign private key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Write the base64 signature to SIG instead of standard output.
    #[arg(long, value_name = "SIG")]
    pub output_signature: Option<PathBuf>,
    /// Also write a Sigstore bundle (v0.3, key-based, no transparency-log entry).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DsseArgs {
    /// The payload file (`-` for standard input); signed byte for byte.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The payload's media type, e.g. `application/vnd.in-toto+json`.
    #[arg(long, value_name = "TYPE")]
    pub payload_type: String,
    /// The cosign private key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Also write a Sigstore bundle (v0.3, key-based, no transparency-log entry).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image to sign (`registry/repo:tag` or `…@sha256:<hex>`).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// The cosign private key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Extra `key=value` claims for the payload's `optional` section (cosign `-a`).
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// For a multi-platform index, also sign each platform's manifest.
    #[arg(long)]
    pub recursive: bool,
    #[command(flatten)]
    pub schemes: SchemeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
}
