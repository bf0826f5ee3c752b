//! `vouch sign dsse`: a DSSE envelope (signature over the PAE of the payload), written as
//! JSON, and optionally as a key-based Sigstore bundle v0.3.

use vouch_sign::bundle::Bundle;
use vouch_sign::keys::Signer as _;

use crate::args::sign::DsseArgs;
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: DsseArgs) -> anyhow::Result<Status> {
    if args.payload_type.is_empty() {
        anyhow::bail!("--payload-type must not be empty");
    }
    let key = crate::support::keys::load_private(&args.key)?;
    let payload = crate::support::input::read_input(&args.file)?;
    let envelope = vouch_sign::sign_envelope(&args.payload_type, &payload, &key)?;
    let json = envelope.to_json();
    if let Some(bundle_path) = &args.bundle {
        let bundle = Bundle::for_dsse(envelope, key.public_key());
        crate::support::output::write_atomic(bundle_path, &bundle.to_json())?;
        ctx.note(&format!("Wrote bundle to {}", bundle_path.display()));
    }
    let mut out = json;
    out.push(b'\n');
    crate::support::output::emit(ctx, &out)?;
    Ok(Status::Ok)
}
