//! DSSE (Dead Simple Signing Envelope) v1: the envelope type and its pre-authentication
//! encoding (PAE).
//!
//! The signature covers `PAE(payloadType, payload)`, never the JSON. The payload is kept as
//! the exact decoded bytes: verifiers hand those bytes on, and never re-serialise them.

use serde::{Deserialize, Serialize};

use crate::encoding::Base64Bytes;

/// A DSSE envelope, as it appears on its own (`.dsse.json`, `.intoto.jsonl` lines) and inside
/// a Sigstore bundle's `dsseEnvelope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The signed payload: the exact bytes (base64 on the wire).
    pub payload: Base64Bytes,
    /// The payload's media type, e.g. `application/vnd.in-toto+json`.
    pub payload_type: String,
    /// Signatures over `pae(payload_type, payload)`.
    #[serde(default)]
    pub signatures: Vec<Signature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The signature bytes (base64 on the wire): ASN.1 DER for ECDSA as cosign writes it.
    pub sig: Base64Bytes,
    /// An optional, unauthenticated key hint. Always written (possibly empty): some readers
    /// (securesystemslib) require the field.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub keyid: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// The media type of in-toto statements in DSSE envelopes.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        7 + type_len.len() + 1 + payload_type.len() + 1 + body_len.len() + 1 + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Signs `payload` into a new envelope with one signature, whose `keyid` is the signer's
/// key hint (base64 SHA-256 of its DER SPKI).
pub fn sign_envelope(
    payload_type: &str,
    payload: &[u8],
    signer: &dyn crate::keys::Signer,
) -> Result<Envelope, crate::keys::KeyError> {
    let sig = signer.sign(&pae(payload_type, payload))?;
    Ok(Envelope {
        payload: payload.to_vec().into(),
        payload_type: payload_type.to_owned(),
        signatures: vec![Signature {
            sig: sig.into(),
            keyid: signer.public_key().hint(),
        }],
    })
}

/// Why a DSSE envelope could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("invalid DSSE envelope JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("DSSE envelope has an empty payloadType")]
    NoPayloadType,
}

impl Envelope {
    /// Parses an envelope from JSON (unknown fields ignored).
    pub fn from_json(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let env: Self = serde_json::from_slice(bytes).map_err(EnvelopeError::Json)?;
        if env.payload_type.is_empty() {
            return Err(EnvelopeError::NoPayloadType);
        }
        Ok(env)
    }

    /// Compact JSON, fields in the order `payloadType`, `payload`, `signatures`.
    pub fn to_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Ordered<'a> {
            payload_type: &'a str,
            payload: &'a Base64Bytes,
            signatures: &'a [Signature],
        }
        serde_json::to_vec(&Ordered {
            payload_type: &self.payload_type,
            payload: &self.payload,
            signatures: &self.signatures,
        })
        .expect("an envelope always serialises")
    }

    /// The bytes the signatures cover.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn envelope_round_trips_payload_bytes() {
        let json = br#"{"payload":"aGVsbG8gd29ybGQ","payloadType":"t","signatures":[{"sig":"AQ==","keyid":null}],"x":1}"#;
        let env = Envelope::from_json(json).unwrap();
        assert_eq!(env.payload.as_slice(), b"hello world");
        assert_eq!(env.signatures[0].keyid, "");
        let again = Envelope::from_json(&env.to_json()).unwrap();
        assert_eq!(again, env);
    }
}
