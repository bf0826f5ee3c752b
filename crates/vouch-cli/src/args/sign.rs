//! The arguments of `vouch sign` (blob, dsse, image): clap-derive types only.

use crate::args::registry::{RegistryArgs, SchemeArgs};
use clap::{ArgAction, Args, Subcommand};
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
    /// The cosign private key file, or `env://VAR` (the key's PEM in a variable).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Write the base64 signature to SIG instead of standard output.
    #[arg(long, value_name = "SIG")]
    pub output_signature: Option<PathBuf>,
    /// Also write a Sigstore bundle (v0.3); required without a key.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub sigstore: SigstoreArgs,
}

#[derive(Debug, Args)]
pub struct DsseArgs {
    /// The payload file (`-` for standard input); signed byte for byte.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The payload's media type, e.g. `application/vnd.in-toto+json`.
    #[arg(long, value_name = "TYPE")]
    pub payload_type: String,
    /// The cosign private key file, or `env://VAR` (the key's PEM in a variable).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Also write a Sigstore bundle (v0.3); required without a key.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub sigstore: SigstoreArgs,
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

#[derive(Debug, Clone, Args)]
pub struct SigstoreArgs {
    /// Sign without a key: a short-lived Fulcio certificate for your OIDC identity (the
    /// default when no `--key` is given).
    #[arg(long, conflicts_with = "key")]
    pub keyless: bool,
    /// The OIDC identity token (or `@FILE`); else `SIGSTORE_ID_TOKEN`, else GitHub Actions'.
    #[arg(long, value_name = "TOKEN|@FILE")]
    pub identity_token: Option<String>,
    /// A Sigstore signing config v0.2 naming the services (default: the public-good one).
    #[arg(long, value_name = "FILE")]
    pub signing_config: Option<PathBuf>,
    /// The Fulcio base URL (replaces the signing config's).
    #[arg(long, value_name = "URL")]
    pub fulcio_url: Option<String>,
    /// A Rekor v1 base URL (replaces the signing config's logs).
    #[arg(long, value_name = "URL")]
    pub rekor_url: Option<String>,
    /// An RFC 3161 timestamp URL (replaces the signing config's).
    #[arg(long, value_name = "URL")]
    pub timestamp_server_url: Option<String>,
    /// The Sigstore trusted root service answers are checked against (default: the embedded
    /// public-good root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Write the signature to the transparency log (key-based signing; keyless always does).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = ArgAction::Set)]
    pub tlog_upload: bool,
}
