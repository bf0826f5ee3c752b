//! RFC 3161 timestamps over a signature. Sigstore's timestamp authority
//! (`POST …/api/v1/timestamp`) gets the JSON form sigstore-js sends (the SHA-256 of the
//! signature, a nonce, the signing certificates requested); any other URL gets a DER
//! `TimeStampReq` (`application/timestamp-query`), as cosign sends to `--timestamp-server-url`.
//! The answer, a DER `TimeStampResp`, is verified against the trusted root before it goes into
//! a bundle.

use rand_core::RngCore as _;
use serde::Serialize;
use sha2::Digest as _;
use vouch_trust::TrustedRoot;

use crate::http::{Http, ServiceError};

const SERVICE: &str = "timestamp authority";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    artifact_hash: String,
    hash_algorithm: &'static str,
    certificates: bool,
    nonce: u64,
}

/// A verified timestamp: the DER response and its time (Unix seconds).
#[derive(Debug, Clone)]
pub struct Timestamp {
    pub der: Vec<u8>,
    pub time: i64,
}

/// Timestamps `signature` at `url` and verifies the answer.
pub fn timestamp(
    http: &Http,
    url: &str,
    signature: &[u8],
    root: &TrustedRoot,
) -> Result<Timestamp, ServiceError> {
    let imprint: [u8; 32] = sha2::Sha256::digest(signature).into();
    let nonce = rand_core::OsRng.next_u64() >> 1;
    let der = if url.trim_end_matches('/').ends_with("/api/v1/timestamp") {
        let body = serde_json::to_vec(&Request {
            artifact_hash: vouch_sign::encoding::encode_base64(&imprint),
            hash_algorithm: "sha256",
            certificates: true,
            // JSON numbers above 2^53 lose precision in JavaScript TSAs.
            nonce: nonce & 0x7fff_ffff,
        })
        .expect("the request always serialises");
        http.post(
            SERVICE,
            url,
            "application/json",
            "application/timestamp-reply",
            &body,
        )?
    } else {
        http.post(
            SERVICE,
            url,
            "application/timestamp-query",
            "application/timestamp-reply",
            &timestamp_query(&imprint, nonce),
        )?
    };
    let time = vouch_trust::tsa::verify(&der, signature, root).map_err(|e| {
        ServiceError::shape(SERVICE, url, format!("the timestamp does not verify: {e}"))
    })?;
    Ok(Timestamp { der, time })
}

/// A DER `TimeStampReq` (RFC 3161 §2.4.1): version 1, a SHA-256 message imprint, a nonce, and
/// `certReq` true (the TSA includes its certificate).
pub fn timestamp_query(sha256: &[u8; 32], nonce: u64) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        // Every element here is shorter than 128 bytes: short-form lengths.
        let mut out = vec![tag, u8::try_from(content.len()).expect("short DER element")];
        out.extend_from_slice(content);
        out
    }
    const SHA256_ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];
    let mut imprint = SHA256_ALGORITHM.to_vec();
    imprint.extend(tlv(0x04, sha256));
    // A non-negative INTEGER: big-endian without leading zero bytes, one zero byte added back
    // when the top bit is set.
    let bytes = nonce.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut n = Vec::new();
    if bytes[first] & 0x80 != 0 {
        n.push(0);
    }
    n.extend_from_slice(&bytes[first..]);
    let mut body = tlv(0x02, &[1]);
    body.extend(tlv(0x30, &imprint));
    body.extend(tlv(0x02, &n));
    body.extend(tlv(0x01, &[0xff]));
    tlv(0x30, &body)
}
