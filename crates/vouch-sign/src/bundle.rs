//! The Sigstore bundle (`application/vnd.dev.sigstore.bundle…+json`), versions 0.1 to 0.3.
//!
//! These are plain serde types for the protojson form of `dev.sigstore.bundle.v1.Bundle`
//! (protobuf-specs `protos/sigstore_bundle.proto`): field names are the protojson camelCase
//! names, `bytes` fields are decoded [`Base64Bytes`], `int64` fields are `i64` read from a
//! string or a number, and unknown fields are ignored. Checking what the fields say (keys,
//! transparency-log entries, certificates) happens elsewhere; [`Bundle::from_json`] only
//! checks the shape: a known media type and exactly one of `messageSignature`/`dsseEnvelope`.

use serde::{Deserialize, Serialize};

use crate::dsse::Envelope;
use crate::encoding::{int64, Base64Bytes};

/// The media type vouch writes (bundle v0.3).
pub const MEDIA_TYPE_V0_3: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// A bundle's format version, read from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BundleVersion {
    V0_1,
    V0_2,
    V0_3,
}

impl BundleVersion {
    /// Recognises both spellings: `application/vnd.dev.sigstore.bundle+json;version=0.N` and
    /// `application/vnd.dev.sigstore.bundle.v0.N+json`.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let version = if let Some(v) =
            media_type.strip_prefix("application/vnd.dev.sigstore.bundle+json;version=")
        {
            v
        } else {
            media_type
                .strip_prefix("application/vnd.dev.sigstore.bundle.v")?
                .strip_suffix("+json")?
        };
        match version {
            "0.1" => Some(Self::V0_1),
            "0.2" => Some(Self::V0_2),
            "0.3" => Some(Self::V0_3),
            _ => None,
        }
    }

    /// The canonical (`.vX.Y+json`) spelling.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::V0_1 => "application/vnd.dev.sigstore.bundle.v0.1+json",
            Self::V0_2 => "application/vnd.dev.sigstore.bundle.v0.2+json",
            Self::V0_3 => MEDIA_TYPE_V0_3,
        }
    }
}

/// A Sigstore bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub media_type: String,
    #[serde(default)]
    pub verification_material: VerificationMaterial,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_signature: Option<MessageSignature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsse_envelope: Option<Envelope>,
}

/// What was signed: the bundle's `content` oneof.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    MessageSignature(&'a MessageSignature),
    DsseEnvelope(&'a Envelope),
}

/// Key material, transparency-log entries and timestamps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMaterial {
    /// A hint naming a public key the verifier already has (key-based bundles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyIdentifier>,
    /// Leaf-first chain (bundles v0.1/v0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x509_certificate_chain: Option<X509CertificateChain>,
    /// The leaf certificate alone (bundle v0.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<X509Certificate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tlog_entries: Vec<TransparencyLogEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_verification_data: Option<TimestampVerificationData>,
}

impl VerificationMaterial {
    /// `{"publicKey": {"hint": base64(SHA-256(DER SPKI))}}`.
    pub fn for_key(public_key: &crate::keys::PublicKey) -> Self {
        Self {
            public_key: Some(PublicKeyIdentifier {
                hint: public_key.hint(),
            }),
            ..Self::default()
        }
    }
}

/// The verification-material kind (`content` oneof of `VerificationMaterial`).
#[derive(Debug, Clone, Copy)]
pub enum KeyMaterial<'a> {
    PublicKey(&'a PublicKeyIdentifier),
    X509CertificateChain(&'a X509CertificateChain),
    Certificate(&'a X509Certificate),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyIdentifier {
    /// Free-form; cosign and vouch write base64(SHA-256(DER SPKI)), npm `SHA256:…`.
    #[serde(default)]
    pub hint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct X509CertificateChain {
    #[serde(default)]
    pub certificates: Vec<X509Certificate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct X509Certificate {
    /// DER bytes.
    pub raw_bytes: Base64Bytes,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimestampVerificationData {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rfc3161_timestamps: Vec<Rfc3161SignedTimestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rfc3161SignedTimestamp {
    /// DER `TimeStampResponse` or `TimeStampToken` as the TSA returned it.
    pub signed_timestamp: Base64Bytes,
}

/// One Rekor entry (`dev.sigstore.rekor.v1.TransparencyLogEntry`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransparencyLogEntry {
    #[serde(default, with = "int64")]
    pub log_index: i64,
    #[serde(default)]
    pub log_id: LogId,
    #[serde(default)]
    pub kind_version: KindVersion,
    /// Seconds since the Unix epoch (0 when absent, e.g. Rekor v2).
    #[serde(default, with = "int64")]
    pub integrated_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_promise: Option<InclusionPromise>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_proof: Option<InclusionProof>,
    /// The canonical JSON body Rekor logged (required from v0.2 on).
    #[serde(default, skip_serializing_if = "Base64Bytes::is_empty")]
    pub canonicalized_body: Base64Bytes,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogId {
    /// SHA-256 of the log's DER public key (Rekor v1).
    #[serde(default)]
    pub key_id: Base64Bytes,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindVersion {
    /// `hashedrekord`, `dsse`, `intoto`, …
    #[serde(default)]
    pub kind: String,
    /// `0.0.1`, `0.0.2`, …
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionPromise {
    /// The Signed Entry Timestamp: the log's signature over the entry's canonical JSON.
    pub signed_entry_timestamp: Base64Bytes,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionProof {
    #[serde(default, with = "int64")]
    pub log_index: i64,
    #[serde(default)]
    pub root_hash: Base64Bytes,
    #[serde(default, with = "int64")]
    pub tree_size: i64,
    #[serde(default)]
    pub hashes: Vec<Base64Bytes>,
    #[serde(default)]
    pub checkpoint: Checkpoint,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The signed note, as text.
    #[serde(default)]
    pub envelope: String,
}

/// A signature over an artifact's digest (`dev.sigstore.common.v1.MessageSignature`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSignature {
    /// Identifies the artifact; verifiers compare it but must not trust it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_digest: Option<HashOutput>,
    pub signature: Base64Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashOutput {
    pub algorithm: HashAlgorithm,
    pub digest: Base64Bytes,
}

// The bundle spelling of a digest algorithm lives with the bundle, so `hash` depends on
// nothing and `bundle` on `hash` (no cycle between them).
impl crate::hash::DigestAlgorithm {
    /// The bundle (`HashAlgorithm`) spelling.
    pub fn to_bundle(self) -> HashAlgorithm {
        match self {
            Self::Sha256 => HashAlgorithm::Sha2_256,
            Self::Sha384 => HashAlgorithm::Sha2_384,
            Self::Sha512 => HashAlgorithm::Sha2_512,
        }
    }

    /// From the bundle spelling; `None` for SHA-3 and unknown names.
    pub fn from_bundle(alg: &HashAlgorithm) -> Option<Self> {
        match alg {
            HashAlgorithm::Sha2_256 => Some(Self::Sha256),
            HashAlgorithm::Sha2_384 => Some(Self::Sha384),
            HashAlgorithm::Sha2_512 => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// `dev.sigstore.common.v1.HashAlgorithm` (protojson: the enum name, or its number).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Sha2_256,
    Sha2_384,
    Sha2_512,
    Sha3_256,
    Sha3_384,
    /// Anything else, kept as written.
    Other(String),
}

impl HashAlgorithm {
    pub fn name(&self) -> &str {
        match self {
            Self::Sha2_256 => "SHA2_256",
            Self::Sha2_384 => "SHA2_384",
            Self::Sha2_512 => "SHA2_512",
            Self::Sha3_256 => "SHA3_256",
            Self::Sha3_384 => "SHA3_384",
            Self::Other(s) => s,
        }
    }

    fn from_name(name: &str) -> Self {
        match name {
            "SHA2_256" | "1" => Self::Sha2_256,
            "SHA2_384" | "2" => Self::Sha2_384,
            "SHA2_512" | "3" => Self::Sha2_512,
            "SHA3_256" | "4" => Self::Sha3_256,
            "SHA3_384" | "5" => Self::Sha3_384,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl Serialize for HashAlgorithm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for HashAlgorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Number(u64),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Name(n) => Self::from_name(&n),
            Raw::Number(n) => Self::from_name(&n.to_string()),
        })
    }
}

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    // The serde error is the message; as a `#[source]` too it would print twice.
    #[error("invalid bundle JSON: {0}")]
    Json(serde_json::Error),
    #[error("unsupported bundle media type `{0}`")]
    MediaType(String),
    #[error("bundle has neither `messageSignature` nor `dsseEnvelope`")]
    NoContent,
    #[error("bundle has both `messageSignature` and `dsseEnvelope`")]
    BothContents,
    #[error("bundle has no verification material (`publicKey`, `x509CertificateChain` or `certificate`)")]
    NoKeyMaterial,
    #[error("bundle has more than one kind of verification material")]
    ManyKeyMaterials,
}

impl Bundle {
    /// Parses a bundle and checks its shape (see the module docs).
    pub fn from_json(bytes: &[u8]) -> Result<Self, BundleError> {
        let bundle: Self = serde_json::from_slice(bytes).map_err(BundleError::Json)?;
        bundle.check_shape()?;
        Ok(bundle)
    }

    fn check_shape(&self) -> Result<(), BundleError> {
        self.version()?;
        self.content()?;
        self.key_material()?;
        Ok(())
    }

    /// The format version from the media type.
    pub fn version(&self) -> Result<BundleVersion, BundleError> {
        BundleVersion::from_media_type(&self.media_type)
            .ok_or_else(|| BundleError::MediaType(self.media_type.clone()))
    }

    /// The signed content.
    pub fn content(&self) -> Result<Content<'_>, BundleError> {
        match (&self.message_signature, &self.dsse_envelope) {
            (Some(m), None) => Ok(Content::MessageSignature(m)),
            (None, Some(e)) => Ok(Content::DsseEnvelope(e)),
            (None, None) => Err(BundleError::NoContent),
            (Some(_), Some(_)) => Err(BundleError::BothContents),
        }
    }

    /// The verification material's kind.
    pub fn key_material(&self) -> Result<KeyMaterial<'_>, BundleError> {
        let vm = &self.verification_material;
        match (&vm.public_key, &vm.x509_certificate_chain, &vm.certificate) {
            (Some(k), None, None) => Ok(KeyMaterial::PublicKey(k)),
            (None, Some(c), None) => Ok(KeyMaterial::X509CertificateChain(c)),
            (None, None, Some(c)) => Ok(KeyMaterial::Certificate(c)),
            (None, None, None) => Err(BundleError::NoKeyMaterial),
            _ => Err(BundleError::ManyKeyMaterials),
        }
    }

    /// The leaf certificate (DER) of a keyless bundle, whichever field holds it.
    pub fn leaf_certificate(&self) -> Option<&[u8]> {
        let vm = &self.verification_material;
        vm.certificate
            .as_ref()
            .map(|c| c.raw_bytes.as_slice())
            .or_else(|| {
                vm.x509_certificate_chain
                    .as_ref()?
                    .certificates
                    .first()
                    .map(|c| c.raw_bytes.as_slice())
            })
    }

    /// The signature bytes (the message signature, or the envelope's single signature).
    pub fn signature(&self) -> Option<&[u8]> {
        match self.content().ok()? {
            Content::MessageSignature(m) => Some(m.signature.as_slice()),
            Content::DsseEnvelope(e) => e.signatures.first().map(|s| s.sig.as_slice()),
        }
    }

    /// A key-based v0.3 bundle around a DSSE envelope (no transparency-log entry).
    pub fn for_dsse(envelope: Envelope, public_key: &crate::keys::PublicKey) -> Self {
        Self {
            media_type: MEDIA_TYPE_V0_3.to_owned(),
            verification_material: VerificationMaterial::for_key(public_key),
            message_signature: None,
            dsse_envelope: Some(envelope),
        }
    }

    /// A key-based v0.3 bundle around a signature over an artifact's digest (what
    /// `cosign sign-blob --key K --bundle B` writes without a transparency log).
    pub fn for_message_signature(
        algorithm: crate::hash::DigestAlgorithm,
        digest: &[u8],
        signature: &[u8],
        public_key: &crate::keys::PublicKey,
    ) -> Self {
        Self {
            media_type: MEDIA_TYPE_V0_3.to_owned(),
            verification_material: VerificationMaterial::for_key(public_key),
            message_signature: Some(MessageSignature {
                message_digest: Some(HashOutput {
                    algorithm: algorithm.to_bundle(),
                    digest: digest.to_vec().into(),
                }),
                signature: signature.to_vec().into(),
            }),
            dsse_envelope: None,
        }
    }

    /// Compact protojson (`int64` as strings, standard base64), as cosign writes it.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a bundle always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_spellings() {
        for (mt, v) in [
            (
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                BundleVersion::V0_1,
            ),
            (
                "application/vnd.dev.sigstore.bundle+json;version=0.2",
                BundleVersion::V0_2,
            ),
            (
                "application/vnd.dev.sigstore.bundle+json;version=0.3",
                BundleVersion::V0_3,
            ),
            (
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                BundleVersion::V0_3,
            ),
            (
                "application/vnd.dev.sigstore.bundle.v0.2+json",
                BundleVersion::V0_2,
            ),
        ] {
            assert_eq!(BundleVersion::from_media_type(mt), Some(v), "{mt}");
        }
        assert_eq!(BundleVersion::from_media_type("application/json"), None);
        assert_eq!(
            BundleVersion::from_media_type("application/vnd.dev.sigstore.bundle.v0.4+json"),
            None
        );
    }

    #[test]
    fn int64_as_string_or_number() {
        let a: TransparencyLogEntry =
            serde_json::from_str(r#"{"logIndex":"12","integratedTime":34,"unknown":true}"#)
                .unwrap();
        assert_eq!((a.log_index, a.integrated_time), (12, 34));
        let out = serde_json::to_string(&a).unwrap();
        assert!(out.contains(r#""logIndex":"12""#), "{out}");
        assert!(serde_json::from_str::<TransparencyLogEntry>(r#"{"logIndex":"x"}"#).is_err());
    }

    #[test]
    fn shape_errors() {
        let no_content = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}}}"#;
        assert!(matches!(
            Bundle::from_json(no_content),
            Err(BundleError::NoContent)
        ));
        let bad_type = br#"{"mediaType":"nope","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"AA=="}}"#;
        assert!(matches!(
            Bundle::from_json(bad_type),
            Err(BundleError::MediaType(_))
        ));
        assert!(matches!(Bundle::from_json(b"{"), Err(BundleError::Json(_))));
    }
}
