//! The OCI image-spec documents vouch reads and writes: descriptors, manifests and indexes.
//!
//! Field order follows go-containerregistry (what cosign serialises with), so manifests we
//! write compare field for field with cosign's. Unknown fields are ignored on read.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use vouch_core::{Digest, DigestAlgorithm};

use crate::error::OciError;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// The two-byte `{}` blob the image spec defines for configs of artifacts.
pub const EMPTY_JSON: &[u8] = b"{}";

/// Every manifest media type vouch accepts (schema 1 is refused).
pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub size: u64,
    pub digest: Digest,
    /// Embedded content (base64), which saves a round trip for small blobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    /// A descriptor of `bytes` with `media_type`.
    pub fn of(media_type: &str, bytes: &[u8]) -> Self {
        Self {
            media_type: media_type.to_owned(),
            size: bytes.len() as u64,
            digest: sha256(bytes),
            data: None,
            urls: None,
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        }
    }

    /// The embedded content, checked against size and digest; `None` when nothing is embedded.
    pub fn embedded(&self, what: &str) -> Result<Option<Vec<u8>>, OciError> {
        let Some(data) = &self.data else {
            return Ok(None);
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| OciError::malformed(format!("embedded data of {what}"), e))?;
        verify_content(what, &self.digest, Some(self.size), &bytes)?;
        Ok(Some(bytes))
    }

    /// This descriptor with `bytes` embedded as its `data`.
    pub fn with_data(mut self, bytes: &[u8]) -> Self {
        self.data = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        self
    }
}

/// The platform of one manifest in an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// An image manifest (OCI or docker v2 schema 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
}

/// An image index (OCI) or manifest list (docker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
}

impl Index {
    /// An empty OCI index (what a registry answers when nothing refers to a digest).
    pub fn empty() -> Self {
        Self {
            schema_version: 2,
            media_type: Some(OCI_INDEX.to_owned()),
            artifact_type: None,
            manifests: Vec::new(),
            annotations: BTreeMap::new(),
            subject: None,
        }
    }
}

/// A fetched manifest of either kind, as the registry sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum AnyManifest {
    Image(Manifest),
    Index(Index),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    schema_version: Option<u32>,
    media_type: Option<String>,
    manifests: Option<serde_json::Value>,
}

impl AnyManifest {
    /// Parses manifest bytes; the media type comes from the body or, failing that, the
    /// `Content-Type` the registry sent.
    pub fn parse(what: &str, bytes: &[u8], content_type: Option<&str>) -> Result<Self, OciError> {
        let probe: Probe =
            serde_json::from_slice(bytes).map_err(|e| OciError::malformed(what, e))?;
        if probe.schema_version != Some(2) {
            return Err(OciError::malformed(
                what,
                format!(
                    "unsupported schemaVersion {}",
                    probe
                        .schema_version
                        .map_or_else(|| "(missing)".to_owned(), |v| v.to_string())
                ),
            ));
        }
        let media_type = probe
            .media_type
            .as_deref()
            .or(content_type.map(|c| c.split(';').next().unwrap_or(c).trim()));
        let is_index = match media_type {
            Some(OCI_INDEX | DOCKER_MANIFEST_LIST) => true,
            Some(OCI_MANIFEST | DOCKER_MANIFEST) => false,
            _ => probe.manifests.is_some(),
        };
        if is_index {
            serde_json::from_slice(bytes)
                .map(Self::Index)
                .map_err(|e| OciError::malformed(what, e))
        } else {
            serde_json::from_slice(bytes)
                .map(Self::Image)
                .map_err(|e| OciError::malformed(what, e))
        }
    }

    /// The media type, defaulting to the OCI one for the kind.
    pub fn media_type(&self) -> &str {
        match self {
            Self::Image(m) => m.media_type.as_deref().unwrap_or(OCI_MANIFEST),
            Self::Index(i) => i.media_type.as_deref().unwrap_or(OCI_INDEX),
        }
    }
}

/// SHA-256 digest of `bytes`.
pub fn sha256(bytes: &[u8]) -> Digest {
    Digest::from_bytes(DigestAlgorithm::Sha256, &sha2::Sha256::digest(bytes))
}

/// `bytes` hashed with `algorithm`; `None` for algorithms registries do not use.
pub fn digest_with(algorithm: DigestAlgorithm, bytes: &[u8]) -> Option<Digest> {
    match algorithm {
        DigestAlgorithm::Sha256 => Some(sha256(bytes)),
        DigestAlgorithm::Sha384 => {
            Some(Digest::from_bytes(algorithm, &sha2::Sha384::digest(bytes)))
        }
        DigestAlgorithm::Sha512 => {
            Some(Digest::from_bytes(algorithm, &sha2::Sha512::digest(bytes)))
        }
        DigestAlgorithm::Sha1 => None,
    }
}

/// Checks `bytes` against an expected digest (and size when known).
pub fn verify_content(
    what: &str,
    expected: &Digest,
    size: Option<u64>,
    bytes: &[u8],
) -> Result<(), OciError> {
    let actual = digest_with(expected.algorithm(), bytes).ok_or_else(|| {
        OciError::malformed(
            what,
            format!("unsupported digest algorithm `{}`", expected.algorithm()),
        )
    })?;
    if &actual != expected {
        return Err(OciError::DigestMismatch {
            what: what.to_owned(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    if let Some(size) = size {
        if size != bytes.len() as u64 {
            return Err(OciError::malformed(
                what,
                format!("descriptor says {size} bytes, content has {}", bytes.len()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_index_and_manifest_and_rejects_schema1() {
        let idx = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        assert!(matches!(
            AnyManifest::parse("x", idx, None).unwrap(),
            AnyManifest::Index(_)
        ));
        let m = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{OCI_CONFIG}","size":2,"digest":"{}"}},"layers":[]}}"#,
            sha256(b"{}")
        );
        assert!(matches!(
            AnyManifest::parse("x", m.as_bytes(), Some(OCI_MANIFEST)).unwrap(),
            AnyManifest::Image(_)
        ));
        let s1 = br#"{"schemaVersion":1,"name":"a","tag":"b","fsLayers":[]}"#;
        assert!(matches!(
            AnyManifest::parse("x", s1, None),
            Err(OciError::Malformed { .. })
        ));
        assert!(AnyManifest::parse("x", b"not json", None).is_err());
        // negative sizes are not sizes
        let neg = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{OCI_CONFIG}","size":-1,"digest":"{}"}},"layers":[]}}"#,
            sha256(b"{}")
        );
        assert!(AnyManifest::parse("x", neg.as_bytes(), Some(OCI_MANIFEST)).is_err());
    }

    #[test]
    fn embedded_data_is_checked() {
        let d = Descriptor::of(OCI_EMPTY, EMPTY_JSON).with_data(EMPTY_JSON);
        assert_eq!(d.embedded("cfg").unwrap().unwrap(), EMPTY_JSON);
        let mut bad = d.clone();
        bad.data = Some(base64::engine::general_purpose::STANDARD.encode(b"[]"));
        assert!(matches!(
            bad.embedded("cfg"),
            Err(OciError::DigestMismatch { .. })
        ));
        assert_eq!(
            sha256(EMPTY_JSON).to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
