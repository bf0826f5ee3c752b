//! RFC 3161 timestamps from a Sigstore timestamp authority (`POST …/api/v1/timestamp`, the
//! JSON form sigstore-js uses: the SHA-256 of the signature, a nonce, and the signing
//! certificates requested). The answer, a DER `TimeStampResp`, is verified against the trusted
//! root before it goes into a bundle.

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
    nonce: u32,
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
    let body = serde_json::to_vec(&Request {
        artifact_hash: vouch_sign::encoding::encode_base64(&sha2::Sha256::digest(signature)),
        hash_algorithm: "sha256",
        certificates: true,
        nonce: rand_core::OsRng.next_u32() >> 1,
    })
    .expect("the request always serialises");
    let der = http.post(
        SERVICE,
        url,
        "application/json",
        "application/timestamp-reply",
        &body,
    )?;
    let time = vouch_trust::tsa::verify(&der, signature, root).map_err(|e| {
        ServiceError::shape(SERVICE, url, format!("the timestamp does not verify: {e}"))
    })?;
    Ok(Timestamp { der, time })
}
