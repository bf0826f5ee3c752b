//! What the image commands (`sign image`, `attest image`, `attach`, `tree`, `verify image`)
//! share: registry flags, the runtime, resolving once, and writing signatures both ways.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::args::registry::{RegistryArgs, SchemeArgs};
use anyhow::Context as _;
use vouch_core::{Digest, ImageRef};
use vouch_oci::cosign::{self, Appended};
use vouch_oci::referrers::{
    NewReferrer, BUNDLE_CONTENT_ANNOTATION, BUNDLE_PREDICATE_TYPE_ANNOTATION,
    BUNDLE_V03_MEDIA_TYPE, CREATED_ANNOTATION,
};
use vouch_oci::{AnyManifest, Descriptor, OciError, Registry, RegistryOptions, Resolved};
use vouch_sign::keys::{PrivateKey, Signer as _};

/// cosign v3's predicate type for an image signature carried as an in-toto statement. vouch
/// uses it for the referrer form of `sign image`, and reports verified legacy `.sig`
/// signatures to the policy engine as statements of this type, so policies require a
/// signature by requiring this predicate.
pub use vouch_verify::COSIGN_SIGN_PREDICATE;

impl From<crate::args::verify::Platforms> for vouch_verify::Platforms {
    fn from(p: crate::args::verify::Platforms) -> Self {
        match p {
            crate::args::verify::Platforms::Index => Self::Index,
            crate::args::verify::Platforms::Each => Self::Each,
        }
    }
}

impl RegistryArgs {
    pub fn registry(&self) -> anyhow::Result<Registry> {
        self.registry_with_total(None)
    }

    /// A client whose whole run (not just each request) must finish within `total`.
    pub fn registry_with_total(&self, total: Option<Duration>) -> anyhow::Result<Registry> {
        Ok(Registry::new(self.options(total))?)
    }

    /// The client options these flags say (for callers that build their own client).
    pub fn options(&self, total: Option<Duration>) -> RegistryOptions {
        RegistryOptions {
            total_timeout: total,
            allow_insecure: self.allow_insecure_registry,
            timeout: Duration::from_secs(self.registry_timeout.max(1)),
            connect_timeout: Duration::from_secs(self.registry_timeout.clamp(1, 10)),
            max_blob_bytes: self.max_blob_size,
            ..RegistryOptions::default()
        }
    }
}

/// Parses an image reference argument.
pub fn parse_ref(s: &str) -> anyhow::Result<ImageRef> {
    s.parse::<ImageRef>().map_err(|e| {
        crate::error::hinted(
            e,
            "give an image reference like `ghcr.io/org/app:1.0` or `…@sha256:<hex>`",
        )
    })
}

/// Runs registry work on a private runtime.
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    Ok(vouch_oci::block_on(future)?)
}

/// "could not verify" wording for registry failures (exit 2).
pub fn could_not(what: &str, reference: &ImageRef, e: OciError) -> anyhow::Error {
    anyhow::Error::new(e).context(format!("could not {what} `{reference}`"))
}

/// The manifests of an index with their platforms (empty for a single manifest).
pub fn platforms(resolved: &Resolved) -> Vec<Descriptor> {
    match &resolved.manifest.manifest {
        AnyManifest::Index(i) => i.manifests.clone(),
        AnyManifest::Image(_) => Vec::new(),
    }
}

/// `SOURCE_DATE_EPOCH` or now, as RFC 3339 (the referrer `created` annotation).
pub fn created_now() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Where a signature or attestation went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    pub subject: String,
    pub legacy_tag: String,
    pub legacy: &'static str,
    pub referrer: Option<String>,
}

fn appended_word(a: &Appended) -> &'static str {
    match a {
        Appended::Added { .. } => "added",
        Appended::AlreadyPresent => "already present",
    }
}

/// Signs `subject` both ways cosign reads: the legacy `.sig` simple-signing layer and an
/// OCI 1.1 referrer holding a Sigstore bundle v0.3 (DSSE, cosign's sign predicate).
pub async fn sign_subject(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Descriptor,
    key: &PrivateKey,
    annotations: &BTreeMap<String, String>,
    schemes: SchemeArgs,
) -> anyhow::Result<Written> {
    let docker_ref = cosign::docker_reference(reference);
    let mut legacy = "skipped";
    if !schemes.no_legacy_tag {
        let payload = cosign::simple_signing_payload(&docker_ref, &subject.digest, annotations);
        // Like cosign's duplicate detector: a signature over the same payload that verifies
        // with this key is already there, so nothing is appended.
        let existing = registry
            .cosign_signatures(reference, &subject.digest)
            .await
            .map_err(|e| could_not("sign", reference, e))?;
        let duplicate = existing.iter().any(|s| {
            s.payload == payload
                && vouch_sign::encoding::decode_base64(&s.signature)
                    .is_ok_and(|sig| key.public_key().verify(&s.payload, &sig).is_ok())
        });
        let sig = key.sign(&payload)?;
        let b64 = vouch_sign::encoding::encode_base64(&sig);
        legacy = if duplicate {
            appended_word(&Appended::AlreadyPresent)
        } else {
            let res = registry
                .write_cosign_signature(reference, &subject.digest, &payload, &b64)
                .await
                .map_err(|e| could_not("sign", reference, e))?;
            appended_word(&res)
        };
    }
    let mut referrer = None;
    if !schemes.no_referrer {
        let mut predicate = serde_json::Map::new();
        if !annotations.is_empty() {
            predicate.insert(
                "annotations".to_owned(),
                serde_json::to_value(annotations).expect("strings serialise"),
            );
        }
        let statement = vouch_attest::Statement::new(
            vec![vouch_attest::statement::Subject::new(
                docker_ref.clone(),
                &subject.digest,
            )],
            COSIGN_SIGN_PREDICATE,
            serde_json::Value::Object(predicate),
        );
        let digest = push_statement_referrer(registry, reference, subject, key, &statement).await?;
        referrer = Some(digest.to_string());
    }
    Ok(Written {
        subject: subject.digest.to_string(),
        legacy_tag: cosign::signature_tag(&subject.digest),
        legacy,
        referrer,
    })
}

/// Signs a statement into a DSSE envelope and attaches it as a referrer bundle.
pub async fn push_statement_referrer(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Descriptor,
    key: &PrivateKey,
    statement: &vouch_attest::Statement,
) -> anyhow::Result<Digest> {
    let envelope = vouch_sign::dsse::sign_envelope(
        vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE,
        &statement.to_payload(),
        key,
    )?;
    let bundle = vouch_sign::bundle::Bundle::for_dsse(envelope, key.public_key());
    push_bundle_referrer(
        registry,
        reference,
        subject,
        &bundle.to_json(),
        &statement.predicate_type,
    )
    .await
}

/// Attaches Sigstore bundle bytes (DSSE content) as a referrer of `subject`.
pub async fn push_bundle_referrer(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Descriptor,
    bundle_json: &[u8],
    predicate_type: &str,
) -> anyhow::Result<Digest> {
    let mut annotations = BTreeMap::new();
    annotations.insert(CREATED_ANNOTATION.to_owned(), created_now());
    annotations.insert(
        BUNDLE_CONTENT_ANNOTATION.to_owned(),
        "dsse-envelope".to_owned(),
    );
    annotations.insert(
        BUNDLE_PREDICATE_TYPE_ANNOTATION.to_owned(),
        predicate_type.to_owned(),
    );
    let new = NewReferrer {
        artifact_type: BUNDLE_V03_MEDIA_TYPE,
        layers: vec![(BUNDLE_V03_MEDIA_TYPE, bundle_json)],
        annotations,
    };
    registry
        .push_referrer(reference, subject, &new)
        .await
        .map_err(|e| could_not("attach a referrer to", reference, e))
}

/// Stores a signed DSSE attestation as a cosign `.att` layer.
pub async fn push_legacy_attestation(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Digest,
    envelope_json: &[u8],
    predicate_type: &str,
) -> anyhow::Result<&'static str> {
    let res = registry
        .write_cosign_attestation(reference, subject, envelope_json, predicate_type)
        .await
        .map_err(|e| could_not("attest", reference, e))?;
    Ok(appended_word(&res))
}

/// Loads the signing key (password from `VOUCH_PASSWORD`/`COSIGN_PASSWORD` or a prompt).
pub fn load_key(path: &std::path::Path) -> anyhow::Result<PrivateKey> {
    crate::support::keys::load_private(path)
        .with_context(|| format!("failed to load the signing key `{}`", path.display()))
}
