//! `vouch sign dsse`: a DSSE envelope (signature over the PAE of the payload), written as
//! JSON, and optionally as a Sigstore bundle v0.3: key-based (logged in Rekor and timestamped
//! unless `--tlog-upload=false`), or keyless (a Fulcio certificate, a Rekor `dsse` entry, a
//! timestamp) when no key is given.

use vouch_sign::bundle::Bundle;
use vouch_sign::keys::Signer as _;

use crate::args::sign::DsseArgs;
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: DsseArgs) -> anyhow::Result<Status> {
    if args.payload_type.is_empty() {
        anyhow::bail!("--payload-type must not be empty");
    }
    if args.key.is_none() && args.bundle.is_none() {
        anyhow::bail!(
            "keyless signing needs --bundle FILE (the certificate and log entry live there), or pass --key"
        );
    }
    let key = args
        .key
        .as_deref()
        .map(super::sigstore::load_key)
        .transpose()?;
    let payload = crate::support::input::read_input(&args.file)?;
    let what = vouch_sigstore::Payload::Dsse {
        payload_type: &args.payload_type,
        payload: &payload,
    };
    let bundle = match (&key, &args.bundle) {
        (Some(key), None) => {
            let envelope = vouch_sign::sign_envelope(&args.payload_type, &payload, key)?;
            return emit_envelope(ctx, &envelope.to_json());
        }
        (Some(key), Some(_)) if !args.sigstore.tlog_upload => {
            ctx.warn(super::sigstore::NO_TLOG_WARNING);
            let envelope = vouch_sign::sign_envelope(&args.payload_type, &payload, key)?;
            Bundle::for_dsse(envelope, key.public_key())
        }
        (Some(key), Some(_)) => {
            let session = args.sigstore.session(false)?;
            let signed = session.sign_with_key(key, what)?;
            super::sigstore::report(ctx, &session, &signed);
            signed.bundle
        }
        (None, _) => {
            let session = args.sigstore.session(true)?;
            let token = args.sigstore.token(&session)?;
            let signed = session.sign_keyless(&token, what)?;
            super::sigstore::report(ctx, &session, &signed);
            signed.bundle
        }
    };
    let bundle_path = args.bundle.as_ref().expect("a bundle was asked for");
    crate::support::output::write_atomic(bundle_path, &bundle.to_json())?;
    ctx.note(&format!("Wrote bundle to {}", bundle_path.display()));
    let envelope = bundle
        .dsse_envelope
        .as_ref()
        .expect("a DSSE bundle holds its envelope");
    emit_envelope(ctx, &envelope.to_json())
}

fn emit_envelope(ctx: &Context, json: &[u8]) -> anyhow::Result<Status> {
    let mut out = json.to_vec();
    out.push(b'\n');
    crate::support::output::emit(ctx, &out)?;
    Ok(Status::Ok)
}
