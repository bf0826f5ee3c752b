//! Rekor: writing an entry and turning the answer into the bundle's `TransparencyLogEntry`.
//!
//! Rekor v1 (`POST /api/v1/log/entries`) takes a proposed `hashedrekord` 0.0.1 (a signature over
//! an artifact's SHA-256) or `dsse` 0.0.1 (a DSSE envelope) entry and answers the logged body
//! with its integrated time, signed entry timestamp (SET) and inclusion proof with a signed
//! checkpoint. Rekor v2 (`POST /api/v2/log/entries`) takes a `hashedRekordRequestV002` or
//! `dsseRequestV002` and answers the `TransparencyLogEntry` itself (an inclusion proof, no
//! SET, no time: a timestamp authority times it). Answers are checked later, with the whole
//! bundle, by `vouch_trust::verify_bundle`.

use serde_json::{json, Value};
use vouch_sign::bundle::{
    Checkpoint, InclusionPromise, InclusionProof, KindVersion, LogId, TransparencyLogEntry,
};
use vouch_sign::encoding::encode_base64;
use vouch_sign::{Envelope, KeyAlgorithm};

use crate::config::RekorService;
use crate::http::{Http, ServiceError};

const SERVICE: &str = "Rekor";

/// Who signed, as the log records it.
#[derive(Debug, Clone, Copy)]
pub enum Verifier<'a> {
    /// A Fulcio leaf certificate (DER).
    Certificate(&'a [u8]),
    /// A public key (DER SPKI) and its algorithm.
    PublicKey(&'a [u8], KeyAlgorithm),
}

impl Verifier<'_> {
    fn pem(&self) -> String {
        match self {
            Self::Certificate(der) => vouch_sign::pem::encode("CERTIFICATE", der).to_string(),
            Self::PublicKey(der, _) => vouch_sign::pem::encode("PUBLIC KEY", der).to_string(),
        }
    }

    /// The protobuf `Verifier` of Rekor v2 requests.
    fn v2(&self) -> Value {
        match self {
            Self::Certificate(der) => json!({
                "x509Certificate": {"rawBytes": encode_base64(der)},
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            }),
            Self::PublicKey(der, alg) => json!({
                "publicKey": {"rawBytes": encode_base64(der)},
                "keyDetails": key_details(*alg),
            }),
        }
    }
}

fn key_details(alg: KeyAlgorithm) -> &'static str {
    match alg {
        KeyAlgorithm::EcdsaP256 => "PKIX_ECDSA_P256_SHA_256",
        KeyAlgorithm::EcdsaP384 => "PKIX_ECDSA_P384_SHA_384",
        KeyAlgorithm::Ed25519 => "PKIX_ED25519",
        KeyAlgorithm::Rsa(3072) => "PKIX_RSA_PKCS1V15_3072_SHA256",
        KeyAlgorithm::Rsa(4096) => "PKIX_RSA_PKCS1V15_4096_SHA256",
        KeyAlgorithm::Rsa(_) => "PKIX_RSA_PKCS1V15_2048_SHA256",
    }
}

/// What to log.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    /// A signature over an artifact with this SHA-256.
    Message {
        sha256: &'a [u8; 32],
        signature: &'a [u8],
    },
    /// A signed DSSE envelope.
    Dsse(&'a Envelope),
}

/// Writes one entry to `log`.
pub fn log_entry(
    http: &Http,
    log: &RekorService,
    content: Content<'_>,
    verifier: Verifier<'_>,
) -> Result<TransparencyLogEntry, ServiceError> {
    if log.major_api_version == 2 {
        let url = format!("{}/api/v2/log/entries", log.url);
        let request = match content {
            Content::Message { sha256, signature } => json!({"hashedRekordRequestV002": {
                "digest": encode_base64(sha256),
                "signature": {"content": encode_base64(signature), "verifier": verifier.v2()},
            }}),
            Content::Dsse(env) => json!({"dsseRequestV002": {
                "envelope": serde_json::from_slice::<Value>(&env.to_json()).expect("envelope JSON"),
                "verifiers": [verifier.v2()],
            }}),
        };
        let answer = post(http, &url, &request)?;
        let entry: TransparencyLogEntry = serde_json::from_slice(&answer).map_err(|e| {
            ServiceError::shape(SERVICE, &url, format!("the answer is not a log entry: {e}"))
        })?;
        if entry.canonicalized_body.is_empty() || entry.inclusion_proof.is_none() {
            return Err(ServiceError::shape(
                SERVICE,
                &url,
                "the entry has no body or no inclusion proof",
            ));
        }
        return Ok(entry);
    }
    let url = format!("{}/api/v1/log/entries", log.url);
    let verifier_b64 = encode_base64(verifier.pem().as_bytes());
    let request = match content {
        Content::Message { sha256, signature } => json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": hex::encode(sha256)}},
                "signature": {"content": encode_base64(signature), "publicKey": {"content": verifier_b64}},
            },
        }),
        Content::Dsse(env) => json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {"proposedContent": {
                "envelope": String::from_utf8(env.to_json()).expect("envelope JSON is UTF-8"),
                "verifiers": [verifier_b64],
            }},
        }),
    };
    let answer = post(http, &url, &request)?;
    v1_entry(&url, &answer)
}

fn post(http: &Http, url: &str, request: &Value) -> Result<Vec<u8>, ServiceError> {
    let body = serde_json::to_vec(request).expect("a request always serialises");
    http.post(SERVICE, url, "application/json", "application/json", &body)
}

/// `{uuid: {body, integratedTime, logID, logIndex, verification: {…}}}` → a bundle entry.
fn v1_entry(url: &str, answer: &[u8]) -> Result<TransparencyLogEntry, ServiceError> {
    let shape = |why: &str| ServiceError::shape(SERVICE, url, why.to_owned());
    let v: Value = serde_json::from_slice(answer).map_err(|_| shape("the answer is not JSON"))?;
    let entry = v
        .as_object()
        .and_then(|o| o.values().next())
        .ok_or_else(|| shape("the answer holds no entry"))?;
    let b64 = |v: &Value, what: &str| {
        v.as_str()
            .and_then(|s| vouch_sign::encoding::decode_base64(s).ok())
            .ok_or_else(|| shape(&format!("`{what}` is missing or not base64")))
    };
    let hexed = |v: &Value, what: &str| {
        v.as_str()
            .and_then(|s| hex::decode(s).ok())
            .ok_or_else(|| shape(&format!("`{what}` is missing or not hex")))
    };
    let int = |v: &Value, what: &str| {
        v.as_i64()
            .ok_or_else(|| shape(&format!("`{what}` is missing")))
    };
    let body = b64(&entry["body"], "body")?;
    let logged: Value =
        serde_json::from_slice(&body).map_err(|_| shape("the logged body is not JSON"))?;
    let verification = &entry["verification"];
    let proof = &verification["inclusionProof"];
    let hashes = proof["hashes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| hexed(h, "hashes"))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(TransparencyLogEntry {
        log_index: int(&entry["logIndex"], "logIndex")?,
        log_id: LogId {
            key_id: hexed(&entry["logID"], "logID")?.into(),
        },
        kind_version: KindVersion {
            kind: logged["kind"].as_str().unwrap_or_default().to_owned(),
            version: logged["apiVersion"].as_str().unwrap_or_default().to_owned(),
        },
        integrated_time: int(&entry["integratedTime"], "integratedTime")?,
        inclusion_promise: Some(InclusionPromise {
            signed_entry_timestamp: b64(
                &verification["signedEntryTimestamp"],
                "signedEntryTimestamp",
            )?
            .into(),
        }),
        inclusion_proof: Some(InclusionProof {
            log_index: int(&proof["logIndex"], "inclusionProof.logIndex")?,
            root_hash: hexed(&proof["rootHash"], "inclusionProof.rootHash")?.into(),
            tree_size: int(&proof["treeSize"], "inclusionProof.treeSize")?,
            hashes: hashes.into_iter().map(Into::into).collect(),
            checkpoint: Checkpoint {
                envelope: proof["checkpoint"]
                    .as_str()
                    .ok_or_else(|| shape("`inclusionProof.checkpoint` is missing"))?
                    .to_owned(),
            },
        }),
        canonicalized_body: body.into(),
    })
}
