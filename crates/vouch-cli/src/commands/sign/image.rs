//! `vouch sign image`: signs an image in its registry the two ways cosign reads signatures.
//!
//! The reference is resolved to a digest once; everything after is by digest. The legacy form
//! appends a simple-signing layer (payload byte-exact with cosign's) to the
//! `sha256-<hex>.sig` image, skipping an identical existing signature; the OCI 1.1 form
//! attaches a Sigstore bundle v0.3 (a DSSE in-toto statement of cosign's
//! `https://sigstore.dev/cosign/sign/v1` predicate) as a referrer, through the referrers tag
//! schema on registries without the referrers API.

use std::collections::BTreeMap;

use crate::args::sign::ImageArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::registry;

pub fn run(ctx: &Context, args: ImageArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let reference = registry::parse_ref(&args.image)?;
    let mut annotations = BTreeMap::new();
    for a in &args.annotations {
        let (k, v) = a.split_once('=').ok_or_else(|| {
            crate::error::hinted(
                anyhow::anyhow!("annotation `{a}` is not `key=value`"),
                "write annotations as `-a key=value`",
            )
        })?;
        annotations.insert(k.to_owned(), v.to_owned());
    }
    let key = registry::load_key(&args.key)?;
    let registry = args.registry.registry()?;
    let written = registry::block_on(async {
        let resolved = registry
            .resolve(&reference)
            .await
            .map_err(|e| registry::could_not("resolve", &reference, e))?;
        let mut subjects = vec![resolved.manifest.descriptor()];
        if args.recursive {
            subjects.extend(registry::platforms(&resolved));
        }
        let mut out = Vec::new();
        for subject in &subjects {
            out.push(
                registry::sign_subject(
                    &registry,
                    &resolved.reference,
                    subject,
                    &key,
                    &annotations,
                    args.schemes,
                )
                .await?,
            );
        }
        anyhow::Ok((resolved.reference, out))
    })??;
    let (pinned, written) = written;
    for w in &written {
        ctx.note(&format!(
            "Signed {}@{}: {} tag {}, referrer {}",
            pinned.name(),
            w.subject,
            w.legacy_tag,
            w.legacy,
            w.referrer.as_deref().unwrap_or("skipped")
        ));
    }
    let out = if format == "json" {
        let mut v = serde_json::to_vec_pretty(&serde_json::json!({
            "image": pinned.to_string(),
            "signed": written,
        }))?;
        v.push(b'\n');
        v
    } else {
        format!("{pinned}\n").into_bytes()
    };
    crate::support::output::emit(ctx, &out)?;
    Ok(Status::Ok)
}
