//! cosign's legacy storage: signatures and attestations as layers of an image tagged
//! `sha256-<hex>.sig` / `sha256-<hex>.att` in the image's repository.
//!
//! The layout follows cosign's `specs/SIGNATURE_SPEC.md` and what cosign 2.x writes:
//! an OCI manifest whose config is go-containerregistry's empty image config (one
//! `rootfs.diff_ids` and one zero-time `history` entry per layer); each signature a layer of
//! media type `application/vnd.dev.cosign.simplesigning.v1+json` holding the simple-signing
//! payload, its base64 signature in the `dev.cosignproject.cosign/signature` annotation; each
//! attestation a layer of media type `application/vnd.dsse.envelope.v1+json` holding the DSSE
//! envelope, annotated with `predicateType` (and an empty signature annotation).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use vouch_core::{Digest, ImageRef};

use crate::client::Registry;
use crate::error::OciError;
use crate::model::{self, AnyManifest, Descriptor, Manifest, OCI_CONFIG, OCI_MANIFEST};

pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
pub const BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";
pub const PREDICATE_TYPE_ANNOTATION: &str = "predicateType";
/// `critical.type` of cosign's simple-signing payloads.
pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

/// Largest signature payload or attestation envelope read from a `.sig`/`.att` layer.
pub const MAX_SIGNATURE_LAYER: u64 = 4 * 1024 * 1024;
/// Most layers read from one `.sig`/`.att` image (each is a request): more is refused.
pub const MAX_LAYERS: usize = 256;

/// `sha256-<hex>.sig`
pub fn signature_tag(subject: &Digest) -> String {
    format!("{}-{}.sig", subject.algorithm(), subject.hex())
}

/// `sha256-<hex>.att`
pub fn attestation_tag(subject: &Digest) -> String {
    format!("{}-{}.att", subject.algorithm(), subject.hex())
}

/// `sha256-<hex>.sbom` (cosign `attach sbom`)
pub fn sbom_tag(subject: &Digest) -> String {
    format!("{}-{}.sbom", subject.algorithm(), subject.hex())
}

/// The repository name cosign writes as `docker-reference`: go-containerregistry's
/// `Context().Name()`, which spells Docker Hub `index.docker.io`.
pub fn docker_reference(image: &ImageRef) -> String {
    if image.registry() == vouch_core::image_ref::DEFAULT_REGISTRY {
        format!("index.docker.io/{}", image.repository())
    } else {
        image.name()
    }
}

/// Appends `s` as a JSON string the way Go's `encoding/json` does (HTML-safe escapes).
fn go_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The simple-signing payload cosign signs for `digest`, byte for byte: Go's
/// `encoding/json` output of cosign's `payload.Cosign`, with `optional` (cosign's `-a`
/// annotations) as a key-sorted object or `null`.
pub fn simple_signing_payload(
    docker_reference: &str,
    digest: &Digest,
    optional: &BTreeMap<String, String>,
) -> Vec<u8> {
    let mut s = String::from("{\"critical\":{\"identity\":{\"docker-reference\":");
    go_json_string(&mut s, docker_reference);
    s.push_str("},\"image\":{\"docker-manifest-digest\":");
    go_json_string(&mut s, &digest.to_string());
    s.push_str("},\"type\":");
    go_json_string(&mut s, SIMPLE_SIGNING_TYPE);
    s.push_str("},\"optional\":");
    if optional.is_empty() {
        s.push_str("null");
    } else {
        s.push('{');
        for (i, (k, v)) in optional.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            go_json_string(&mut s, k);
            s.push(':');
            go_json_string(&mut s, v);
        }
        s.push('}');
    }
    s.push('}');
    s.into_bytes()
}

/// The claims of a simple-signing payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleSigning {
    pub docker_reference: String,
    pub manifest_digest: Digest,
    pub kind: String,
    pub optional: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPayload {
    critical: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    optional: Option<serde_json::Value>,
}

/// Looks up `key` the way Go's `encoding/json` does: exact match first, then ASCII
/// case-insensitively (cosign's own example spells `Docker-manifest-digest`).
fn go_field<'a>(
    map: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<&'a serde_json::Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Parses a simple-signing payload (as cosign does: unknown fields ignored).
pub fn parse_simple_signing(bytes: &[u8]) -> Result<SimpleSigning, OciError> {
    let what = "simple-signing payload";
    let raw: RawPayload =
        serde_json::from_slice(bytes).map_err(|e| OciError::malformed(what, e))?;
    let str_at = |parent: &str, key: &str| -> Result<String, OciError> {
        go_field(&raw.critical, parent)
            .and_then(|v| v.as_object())
            .and_then(|o| go_field(o, key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| OciError::malformed(what, format!("no `critical.{parent}.{key}`")))
    };
    let digest = str_at("image", "docker-manifest-digest")?;
    let manifest_digest = digest
        .parse::<Digest>()
        .map_err(|e| OciError::malformed(what, e))?;
    let docker_reference = str_at("identity", "docker-reference").unwrap_or_default();
    let kind = go_field(&raw.critical, "type")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    Ok(SimpleSigning {
        docker_reference,
        manifest_digest,
        kind,
        optional: raw.optional.filter(|v| !v.is_null()),
    })
}

/// go-containerregistry's config for an empty image with `layers` appended: what cosign
/// stores as the config of its signature and attestation images.
pub fn signature_image_config(layers: &[Descriptor]) -> Vec<u8> {
    let mut s =
        String::from("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[");
    for i in 0..layers.len() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"created\":\"0001-01-01T00:00:00Z\"}");
    }
    s.push_str("],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
    for (i, l) in layers.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "\"{}\"", l.digest);
    }
    s.push_str("]},\"config\":{}}");
    s.into_bytes()
}

/// A cosign signature image manifest over `layers` (its config is built from them).
pub fn signature_image(layers: Vec<Descriptor>) -> (Manifest, Vec<u8>) {
    let config = signature_image_config(&layers);
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.to_owned()),
        artifact_type: None,
        config: Descriptor::of(OCI_CONFIG, &config),
        layers,
        annotations: BTreeMap::new(),
        subject: None,
    };
    (manifest, config)
}

/// A signature read from a `.sig` image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSignature {
    pub layer: Descriptor,
    /// The simple-signing payload bytes (checked against the layer digest).
    pub payload: Vec<u8>,
    /// The `dev.cosignproject.cosign/signature` annotation (base64).
    pub signature: String,
    pub certificate: Option<String>,
    pub chain: Option<String>,
    /// The `dev.sigstore.cosign/bundle` annotation (a Rekor bundle), when present.
    pub rekor_bundle: Option<String>,
}

/// An attestation read from a `.att` image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttestation {
    pub layer: Descriptor,
    /// The DSSE envelope bytes (checked against the layer digest).
    pub envelope: Vec<u8>,
    /// The `predicateType` annotation, when present (the envelope is authoritative).
    pub predicate_type: Option<String>,
}

/// The outcome of appending to a `.sig`/`.att` image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// The new layer was added; the image now has this many layers.
    Added { digest: Digest, layers: usize },
    /// An identical layer was already there; nothing was written.
    AlreadyPresent,
}

impl Registry {
    async fn cosign_image(&self, repo: &ImageRef, tag: &str) -> Result<Option<Manifest>, OciError> {
        match self.get_manifest_opt(&repo.with_tag(tag)).await? {
            None => Ok(None),
            Some(m) => match m.manifest {
                AnyManifest::Image(m) if m.layers.len() > MAX_LAYERS => Err(OciError::malformed(
                    format!("`{}:{tag}`", repo.name()),
                    format!("{} layers (at most {MAX_LAYERS} are read)", m.layers.len()),
                )),
                AnyManifest::Image(m) => Ok(Some(m)),
                AnyManifest::Index(_) => Err(OciError::malformed(
                    format!("`{}:{tag}`", repo.name()),
                    "expected a cosign signature image, found an index",
                )),
            },
        }
    }

    /// The signatures stored under `sha256-<hex>.sig` for `subject` (none when the tag
    /// does not exist). Layers of other media types are skipped.
    pub async fn cosign_signatures(
        &self,
        repo: &ImageRef,
        subject: &Digest,
    ) -> Result<Vec<StoredSignature>, OciError> {
        let Some(image) = self.cosign_image(repo, &signature_tag(subject)).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for layer in image.layers {
            if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
                continue;
            }
            let payload = self
                .get_blob(
                    repo,
                    &layer,
                    MAX_SIGNATURE_LAYER.min(self.options().max_blob_bytes),
                )
                .await?;
            let ann = |k: &str| layer.annotations.get(k).cloned();
            out.push(StoredSignature {
                signature: ann(SIGNATURE_ANNOTATION).unwrap_or_default(),
                certificate: ann(CERTIFICATE_ANNOTATION).filter(|c| !c.is_empty()),
                chain: ann(CHAIN_ANNOTATION).filter(|c| !c.is_empty()),
                rekor_bundle: ann(BUNDLE_ANNOTATION),
                payload,
                layer,
            });
        }
        Ok(out)
    }

    /// The attestations stored under `sha256-<hex>.att` for `subject`.
    pub async fn cosign_attestations(
        &self,
        repo: &ImageRef,
        subject: &Digest,
    ) -> Result<Vec<StoredAttestation>, OciError> {
        let Some(image) = self.cosign_image(repo, &attestation_tag(subject)).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for layer in image.layers {
            if layer.media_type != DSSE_MEDIA_TYPE {
                continue;
            }
            let envelope = self
                .get_blob(repo, &layer, self.options().max_blob_bytes)
                .await?;
            out.push(StoredAttestation {
                predicate_type: layer.annotations.get(PREDICATE_TYPE_ANNOTATION).cloned(),
                envelope,
                layer,
            });
        }
        Ok(out)
    }

    /// Both legacy images of `subject` (`.sig` and `.att`), fetched concurrently.
    pub async fn cosign_legacy(
        &self,
        repo: &ImageRef,
        subject: &Digest,
    ) -> Result<(Vec<StoredSignature>, Vec<StoredAttestation>), OciError> {
        tokio::try_join!(
            self.cosign_signatures(repo, subject),
            self.cosign_attestations(repo, subject)
        )
    }

    /// Appends a layer to the cosign image at `tag` (creating it when missing), unless a
    /// layer with the same digest and annotations is already there.
    pub async fn cosign_append(
        &self,
        repo: &ImageRef,
        tag: &str,
        media_type: &str,
        bytes: &[u8],
        annotations: BTreeMap<String, String>,
    ) -> Result<Appended, OciError> {
        let existing = self.cosign_image(repo, tag).await?;
        let mut layers = existing.map(|m| m.layers).unwrap_or_default();
        let mut layer = Descriptor::of(media_type, bytes);
        layer.annotations = annotations;
        if layers
            .iter()
            .any(|l| l.digest == layer.digest && l.annotations == layer.annotations)
        {
            return Ok(Appended::AlreadyPresent);
        }
        self.push_blob(repo, media_type, bytes).await?;
        layers.push(layer);
        let (manifest, config) = signature_image(layers);
        self.push_blob(repo, OCI_CONFIG, &config).await?;
        let body = serde_json::to_vec(&manifest).expect("manifest serialises");
        let put = self
            .put_manifest(&repo.with_tag(tag), OCI_MANIFEST, &body)
            .await?;
        Ok(Appended::Added {
            digest: put.digest,
            layers: manifest.layers.len(),
        })
    }

    /// Stores a signature the way `cosign sign --key` (without a transparency log) does.
    pub async fn write_cosign_signature(
        &self,
        repo: &ImageRef,
        subject: &Digest,
        payload: &[u8],
        signature_b64: &str,
    ) -> Result<Appended, OciError> {
        let mut ann = BTreeMap::new();
        ann.insert(SIGNATURE_ANNOTATION.to_owned(), signature_b64.to_owned());
        self.cosign_append(
            repo,
            &signature_tag(subject),
            SIMPLE_SIGNING_MEDIA_TYPE,
            payload,
            ann,
        )
        .await
    }

    /// Stores a DSSE attestation the way `cosign attest --key` does.
    pub async fn write_cosign_attestation(
        &self,
        repo: &ImageRef,
        subject: &Digest,
        envelope: &[u8],
        predicate_type: &str,
    ) -> Result<Appended, OciError> {
        let mut ann = BTreeMap::new();
        ann.insert(SIGNATURE_ANNOTATION.to_owned(), String::new());
        ann.insert(
            PREDICATE_TYPE_ANNOTATION.to_owned(),
            predicate_type.to_owned(),
        );
        self.cosign_append(
            repo,
            &attestation_tag(subject),
            DSSE_MEDIA_TYPE,
            envelope,
            ann,
        )
        .await
    }
}

/// Checks that a stored layer's bytes are what its descriptor says (used by tests and
/// by callers holding bytes from elsewhere).
pub fn check_layer(layer: &Descriptor, bytes: &[u8]) -> Result<(), OciError> {
    model::verify_content("signature layer", &layer.digest, Some(layer.size), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_byte_exact_with_cosign_vectors() {
        // ../shared/vectors/sigstore/cosign-image-signatures/*/payload.json
        let d: Digest = "sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b"
            .parse()
            .unwrap();
        let p = simple_signing_payload("registry-testing.svc.lan/busybox", &d, &BTreeMap::new());
        assert_eq!(
            String::from_utf8(p).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"registry-testing.svc.lan/busybox"},"image":{"docker-manifest-digest":"sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b"},"type":"cosign container image signature"},"optional":null}"#
        );
        let d: Digest = "sha256:356631f7603526a0af827741f5fe005acf19b7ef7705a34241a91c2d47a6db5e"
            .parse()
            .unwrap();
        let mut opt = BTreeMap::new();
        opt.insert("creator".to_owned(), "OBS".to_owned());
        let p = simple_signing_payload("registry.suse.com/suse/sle-micro/5.0/toolbox", &d, &opt);
        assert_eq!(
            String::from_utf8(p).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"registry.suse.com/suse/sle-micro/5.0/toolbox"},"image":{"docker-manifest-digest":"sha256:356631f7603526a0af827741f5fe005acf19b7ef7705a34241a91c2d47a6db5e"},"type":"cosign container image signature"},"optional":{"creator":"OBS"}}"#
        );
        let mut opt = BTreeMap::new();
        opt.insert("a<b".to_owned(), "x&y\u{1}".to_owned());
        let p = simple_signing_payload("r/x", &d, &opt);
        assert!(String::from_utf8(p)
            .unwrap()
            .contains(r#""optional":{"a\u003cb":"x\u0026y\u0001"}"#));
    }

    #[test]
    fn config_matches_reconstructed_cosign_config() {
        // sig-image-config.reconstructed.json: sha256 6be03ee9…, 233 bytes.
        let payload_digest: Digest =
            "sha256:3af4414d20c9e1cb76ccc72aae8b242166dabe6af531a4a790db8e2f0e5ee7c9"
                .parse()
                .unwrap();
        let mut layer = Descriptor::of(SIMPLE_SIGNING_MEDIA_TYPE, b"");
        layer.digest = payload_digest;
        let config = signature_image_config(&[layer]);
        assert_eq!(config.len(), 233);
        assert_eq!(
            model::sha256(&config).to_string(),
            "sha256:6be03ee91610ddcd1b1c5b664bb2ef319a85b4ca9ebee1d64d87729c5fd83a91"
        );
    }

    #[test]
    fn parses_payloads_leniently_like_go() {
        let p = br#"{"critical":{"identity":{"docker-reference":"x"},"image":{"Docker-manifest-digest":"sha256:20be0000000000000000000000000000000000000000000000000000000000fe"},"type":"cosign container image signature"},"optional":{"creator":"atomic","timestamp":1458239713}}"#;
        let s = parse_simple_signing(p).unwrap();
        assert_eq!(s.manifest_digest.hex().len(), 64);
        assert_eq!(s.kind, SIMPLE_SIGNING_TYPE);
        assert!(s.optional.is_some());
        assert!(parse_simple_signing(br#"{"critical":{}}"#).is_err());
        assert!(parse_simple_signing(b"[]").is_err());
    }

    #[test]
    fn tags() {
        let d: Digest = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
        assert_eq!(signature_tag(&d), format!("sha256-{}.sig", "a".repeat(64)));
        assert_eq!(
            attestation_tag(&d),
            format!("sha256-{}.att", "a".repeat(64))
        );
        let r: ImageRef = "busybox".parse().unwrap();
        assert_eq!(docker_reference(&r), "index.docker.io/library/busybox");
    }
}
