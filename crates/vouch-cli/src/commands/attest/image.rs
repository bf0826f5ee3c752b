//! `vouch attest image`: a signed in-toto statement about an image, stored both ways cosign
//! reads attestations: a DSSE layer (annotated with `predicateType`) of the
//! `sha256-<hex>.att` image, and an OCI 1.1 referrer holding a Sigstore bundle v0.3.

use anyhow::Context as _;

use crate::args::attest::ImageArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::registry;

pub fn run(ctx: &Context, args: ImageArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let reference = registry::parse_ref(&args.image)?;
    let predicate_type = vouch_attest::predicate::resolve_type(&args.predicate_type)?;
    let text = std::fs::read(&args.predicate)
        .with_context(|| format!("`{}`: cannot read file", args.predicate.display()))?;
    let predicate: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
        anyhow::anyhow!(
            "failed to parse `{}`: not JSON: {e}",
            args.predicate.display()
        )
    })?;
    let key = registry::load_key(&args.key)?;
    let registry = args.registry.registry()?;
    let (pinned, legacy, referrer) = registry::block_on(async {
        let resolved = registry
            .resolve(&reference)
            .await
            .map_err(|e| registry::could_not("resolve", &reference, e))?;
        let subject = resolved.manifest.descriptor();
        let docker_ref = vouch_oci::cosign::docker_reference(&resolved.reference);
        let statement = vouch_attest::Statement::new(
            vec![vouch_attest::statement::Subject::new(
                docker_ref,
                &subject.digest,
            )],
            predicate_type.clone(),
            predicate,
        );
        let envelope = vouch_sign::dsse::sign_envelope(
            vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE,
            &statement.to_payload(),
            &key,
        )?;
        let mut legacy = "skipped";
        if !args.schemes.no_legacy_tag {
            legacy = registry::push_legacy_attestation(
                &registry,
                &resolved.reference,
                &subject.digest,
                &envelope.to_json(),
                &predicate_type,
            )
            .await?;
        }
        let mut referrer = None;
        if !args.schemes.no_referrer {
            let bundle = vouch_sign::bundle::Bundle::for_dsse(
                envelope,
                vouch_sign::keys::Signer::public_key(&key),
            );
            referrer = Some(
                registry::push_bundle_referrer(
                    &registry,
                    &resolved.reference,
                    &subject,
                    &bundle.to_json(),
                    &predicate_type,
                )
                .await?,
            );
        }
        anyhow::Ok((resolved.reference, legacy, referrer))
    })??;
    let digest = pinned.digest().map(ToString::to_string).unwrap_or_default();
    ctx.note(&format!(
        "Attested {}@{digest} ({predicate_type}): {} tag {legacy}, referrer {}",
        pinned.name(),
        vouch_oci::cosign::attestation_tag(pinned.digest().expect("pinned")),
        referrer
            .as_ref()
            .map_or_else(|| "skipped".to_owned(), ToString::to_string)
    ));
    let out = if format == "json" {
        let mut v = serde_json::to_vec_pretty(&serde_json::json!({
            "image": pinned.to_string(),
            "predicateType": predicate_type,
            "legacy": legacy,
            "referrer": referrer.map(|d| d.to_string()),
        }))?;
        v.push(b'\n');
        v
    } else {
        format!("{pinned}\n").into_bytes()
    };
    crate::support::output::emit(ctx, &out)?;
    Ok(Status::Ok)
}
