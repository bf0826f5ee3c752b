//! `vouch sign dsse`: a DSSE envelope (signature over the PAE of the payload), written as
//! JSON, and optionally as a key-based Sigstore bundle v0.3.

use std::path::PathBuf;

use clap::Args;
use vouch_sign::bundle::Bundle;
use vouch_sign::keys::Signer as _;

use crate::commands::key;
use crate::commands::Status;
use crate::context::Context;

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

pub fn run(ctx: &Context, args: DsseArgs) -> anyhow::Result<Status> {
    if args.payload_type.is_empty() {
        anyhow::bail!("--payload-type must not be empty");
    }
    let key = key::load_private(&args.key)?;
    let payload = super::blob::read_input(&args.file)?;
    let envelope = vouch_sign::sign_envelope(&args.payload_type, &payload, &key)?;
    let json = envelope.to_json();
    if let Some(bundle_path) = &args.bundle {
        let bundle = Bundle::for_dsse(envelope, key.public_key());
        crate::output::write_atomic(bundle_path, &bundle.to_json())?;
        ctx.note(&format!("Wrote bundle to {}", bundle_path.display()));
    }
    let mut out = json;
    out.push(b'\n');
    crate::output::emit(ctx, &out)?;
    Ok(Status::Ok)
}
