//! `vouch attach bundle`: puts the attestations of an `.intoto.jsonl` file into the image's
//! registry, next to the image: each as a DSSE layer of the cosign `sha256-<hex>.att` image
//! (annotated with its `predicateType`) and as an OCI 1.1 referrer (the line's Sigstore
//! bundle v0.3, or the bare DSSE envelope under the in-toto artifact type). SBOM attestations
//! land in the registry this way, beside the image they describe.

use anyhow::Context as _;
use vouch_attest::jsonl::{BundleFile, LineKind};
use vouch_oci::referrers::NewReferrer;

use crate::args::attach::{AttachArgs, AttachCommand, BundleArgs};
use crate::context::Context;
use crate::status::Status;
use crate::support::registry;

pub fn run(ctx: &Context, args: AttachArgs) -> anyhow::Result<Status> {
    match args.command {
        AttachCommand::Bundle(a) => bundle(ctx, a),
    }
}

struct Entry {
    line: usize,
    kind: LineKind,
    /// The line's JSON, as stored in the referrer layer.
    json: Vec<u8>,
    /// The DSSE envelope JSON, as stored in the `.att` layer.
    envelope: Vec<u8>,
    predicate_type: String,
    statement: vouch_attest::Statement,
}

fn bundle(ctx: &Context, args: BundleArgs) -> anyhow::Result<Status> {
    let reference = registry::parse_ref(&args.image)?;
    let file = args.bundle.display().to_string();
    let text = std::fs::read_to_string(&args.bundle)
        .with_context(|| format!("`{file}`: cannot read file"))?;
    let parsed = BundleFile::parse(&file, &text)?;
    let mut entries = Vec::new();
    for line in &parsed.lines {
        let envelope = line
            .envelope()
            .ok_or_else(|| anyhow::anyhow!("`{file}` line {}: no DSSE envelope", line.line))?;
        let envelope = vouch_sign::dsse::Envelope::from_json(&serde_json::to_vec(envelope)?)
            .map_err(|e| anyhow::anyhow!("`{file}` line {}: {e}", line.line))?;
        let statement =
            vouch_attest::Statement::from_payload(&envelope.payload_type, &envelope.payload)
                .map_err(|e| anyhow::anyhow!("`{file}` line {}: {e}", line.line))?;
        entries.push(Entry {
            line: line.line,
            kind: line.kind,
            json: serde_json::to_vec(&line.json)?,
            envelope: envelope.to_json(),
            predicate_type: statement.predicate_type.clone(),
            statement,
        });
    }
    let registry = args.registry.registry()?;
    let pinned = registry::block_on(async {
        let resolved = registry
            .resolve(&reference)
            .await
            .map_err(|e| registry::could_not("resolve", &reference, e))?;
        let subject = resolved.manifest.descriptor();
        for e in &entries {
            if !e.statement.covers(&subject.digest) {
                return Err(crate::error::hinted(
                    anyhow::anyhow!(
                        "`{file}` line {}: the statement is not about `{}` (its subjects name other digests)",
                        e.line,
                        subject.digest
                    ),
                    "attest the image digest the reference resolves to",
                ));
            }
        }
        for e in &entries {
            let mut legacy = "skipped";
            if !args.schemes.no_legacy_tag {
                legacy = registry::push_legacy_attestation(
                    &registry,
                    &resolved.reference,
                    &subject.digest,
                    &e.envelope,
                    &e.predicate_type,
                )
                .await?;
            }
            let mut referrer = None;
            if !args.schemes.no_referrer {
                referrer = Some(match e.kind {
                    LineKind::SigstoreBundle => {
                        registry::push_bundle_referrer(
                            &registry,
                            &resolved.reference,
                            &subject,
                            &e.json,
                            &e.predicate_type,
                        )
                        .await?
                    }
                    LineKind::Envelope => {
                        let mut ann = std::collections::BTreeMap::new();
                        ann.insert(
                            vouch_oci::referrers::CREATED_ANNOTATION.to_owned(),
                            registry::created_now(),
                        );
                        ann.insert(
                            vouch_oci::referrers::BUNDLE_PREDICATE_TYPE_ANNOTATION.to_owned(),
                            e.predicate_type.clone(),
                        );
                        let new = NewReferrer {
                            artifact_type: vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE,
                            layers: vec![(vouch_oci::cosign::DSSE_MEDIA_TYPE, &e.envelope)],
                            annotations: ann,
                        };
                        registry
                            .push_referrer(&resolved.reference, &subject, &new)
                            .await
                            .map_err(|err| registry::could_not("attach to", &reference, err))?
                    }
                });
            }
            ctx.note(&format!(
                "`{file}` line {} ({}): .att {legacy}, referrer {}",
                e.line,
                e.predicate_type,
                referrer.map_or_else(|| "skipped".to_owned(), |d| d.to_string())
            ));
        }
        anyhow::Ok(resolved.reference)
    })??;
    crate::support::output::emit(ctx, format!("{pinned}\n").as_bytes())?;
    Ok(Status::Ok)
}
