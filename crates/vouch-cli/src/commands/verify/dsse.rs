//! `vouch verify dsse`: a standalone DSSE envelope checked with a public key; the verified
//! payload (the exact signed bytes) goes to standard output or `-o`.

use vouch_sign::Envelope;

use crate::args::verify::DsseArgs;
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: DsseArgs) -> anyhow::Result<Status> {
    let public = crate::support::keys::load_public(&args.key)?;
    let text = std::fs::read(&args.envelope)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", args.envelope.display()))?;
    let envelope = Envelope::from_json(&text)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", args.envelope.display()))?;
    if let Some(t) = &args.payload_type {
        if *t != envelope.payload_type {
            return Ok(super::blob::fail(
                ctx,
                format!(
                    "envelope `{}` has payload type `{}`, expected `{t}`",
                    args.envelope.display(),
                    envelope.payload_type
                ),
            ));
        }
    }
    match vouch_sign::verify_envelope_with_key(&envelope, &public) {
        Ok(payload) => {
            crate::support::output::emit(ctx, payload)?;
            ctx.note("Verified OK");
            Ok(Status::Ok)
        }
        Err(e) => Ok(super::blob::fail(
            ctx,
            format!("envelope `{}`: {e}", args.envelope.display()),
        )),
    }
}
