//! Rekor entries: signed entry timestamps (Rekor v1) and the consistency between a logged
//! entry body and the bundle it came with (`hashedrekord` 0.0.1/0.0.2, `dsse` 0.0.1/0.0.2,
//! `intoto` 0.0.2).

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::keys::{pem_decode, PublicKey};

/// The canonical JSON a Rekor v1 signed entry timestamp covers: the keys sorted, no spaces,
/// `logIndex` the global (not shard-local) index.
pub fn set_payload(body: &[u8], integrated_time: i64, log_id: &[u8], log_index: i64) -> String {
    format!(
        r#"{{"body":"{}","integratedTime":{integrated_time},"logID":"{}","logIndex":{log_index}}}"#,
        base64::engine::general_purpose::STANDARD.encode(body),
        hex::encode(log_id),
    )
}

/// Checks a Rekor v1 signed entry timestamp.
pub fn verify_set(
    key: &PublicKey,
    body: &[u8],
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
    set: &[u8],
) -> bool {
    let payload = set_payload(body, integrated_time, log_id, log_index);
    key.verify(key.default_hash(), payload.as_bytes(), set)
}

/// What the bundle says was logged.
#[derive(Debug)]
pub struct Expected<'a> {
    /// Who signed: the leaf certificate's DER, or the public key's DER SPKI.
    pub signer_der: &'a [u8],
    pub signer_is_certificate: bool,
    pub content: ExpectedContent<'a>,
}

#[derive(Debug)]
pub enum ExpectedContent<'a> {
    /// A message signature over the artifact with this SHA-256 digest.
    Message {
        sha256: [u8; 32],
        signature: &'a [u8],
    },
    /// A DSSE envelope.
    Dsse {
        payload: &'a [u8],
        pae: Vec<u8>,
        signatures: Vec<&'a [u8]>,
    },
}

/// Why a logged body does not match the bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("log entry body is not JSON: {0}")]
    NotJson(String),
    #[error("log entry kind {found} does not match the bundle's kindVersion {declared}")]
    KindMismatch { found: String, declared: String },
    #[error("unsupported log entry kind {0}")]
    UnsupportedKind(String),
    #[error("log entry does not match the bundle: {0}")]
    Mismatch(String),
}

fn mismatch(what: impl Into<String>) -> BodyError {
    BodyError::Mismatch(what.into())
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// Decodes a PEM certificate or public key (as Rekor v1 stores verifiers) into DER.
fn pem_verifier(b64_pem: &str) -> Option<Vec<u8>> {
    let pem = String::from_utf8(b64(b64_pem)?).ok()?;
    pem_decode(&pem).map(|(_, der)| der)
}

fn same_key(expected: &Expected<'_>, found_der: &[u8]) -> bool {
    if expected.signer_der == found_der {
        return true;
    }
    // Public keys: compare after normalising both SPKIs.
    if !expected.signer_is_certificate {
        if let (Ok(a), Ok(b)) = (
            PublicKey::from_spki_der(expected.signer_der),
            PublicKey::from_spki_der(found_der),
        ) {
            return a.to_spki_der() == b.to_spki_der();
        }
    }
    false
}

fn check_hex_sha256(v: &Value, path: &[&str], want: &[u8], what: &str) -> Result<(), BodyError> {
    let mut alg_path = path.to_vec();
    alg_path.push("algorithm");
    let mut val_path = path.to_vec();
    val_path.push("value");
    let alg = str_at(v, &alg_path).unwrap_or_default();
    if alg != "sha256" {
        return Err(mismatch(format!(
            "{what} uses unsupported hash algorithm `{alg}`"
        )));
    }
    let value = str_at(v, &val_path).unwrap_or_default();
    if !value.eq_ignore_ascii_case(&hex::encode(want)) {
        return Err(mismatch(format!("{what} differs")));
    }
    Ok(())
}

/// Checks a canonicalized Rekor body against the bundle (`kind`/`version` from `kindVersion`).
pub fn check_body(
    body: &[u8],
    kind: &str,
    version: &str,
    expected: &Expected<'_>,
) -> Result<(), BodyError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| BodyError::NotJson(e.to_string()))?;
    let found_kind = str_at(&v, &["kind"]).unwrap_or_default();
    let found_version = str_at(&v, &["apiVersion"]).unwrap_or_default();
    if found_kind != kind || found_version != version {
        return Err(BodyError::KindMismatch {
            found: format!("{found_kind}/{found_version}"),
            declared: format!("{kind}/{version}"),
        });
    }
    let spec = v.get("spec").ok_or_else(|| mismatch("entry has no spec"))?;
    match (kind, version, &expected.content) {
        ("hashedrekord", "0.0.1", ExpectedContent::Message { sha256, signature }) => {
            check_hex_sha256(spec, &["data", "hash"], sha256, "logged artifact digest")?;
            let sig = str_at(spec, &["signature", "content"]).and_then(b64);
            if sig.as_deref() != Some(*signature) {
                return Err(mismatch("logged signature differs from the bundle's"));
            }
            let key = str_at(spec, &["signature", "publicKey", "content"]).and_then(pem_verifier);
            if !key.is_some_and(|k| same_key(expected, &k)) {
                return Err(mismatch(
                    "logged public key or certificate differs from the bundle's",
                ));
            }
            Ok(())
        }
        ("hashedrekord", "0.0.2", content) => {
            let h = spec
                .get("hashedRekordV002")
                .ok_or_else(|| mismatch("entry has no hashedRekordV002"))?;
            let (digest, signature): ([u8; 32], &[u8]) = match content {
                ExpectedContent::Message { sha256, signature } => (*sha256, signature),
                ExpectedContent::Dsse {
                    pae, signatures, ..
                } => {
                    let [sig] = signatures.as_slice() else {
                        return Err(mismatch(
                            "a hashedrekord entry covers exactly one DSSE signature",
                        ));
                    };
                    (Sha256::digest(pae).into(), sig)
                }
            };
            if str_at(h, &["data", "algorithm"]) != Some("SHA2_256") {
                return Err(mismatch("logged digest is not SHA2_256"));
            }
            if str_at(h, &["data", "digest"]).and_then(b64).as_deref() != Some(&digest[..]) {
                return Err(mismatch("logged artifact digest differs"));
            }
            if str_at(h, &["signature", "content"])
                .and_then(b64)
                .as_deref()
                != Some(signature)
            {
                return Err(mismatch("logged signature differs from the bundle's"));
            }
            let verifier = &h["signature"]["verifier"];
            let key = str_at(verifier, &["x509Certificate", "rawBytes"])
                .or_else(|| str_at(verifier, &["publicKey", "rawBytes"]))
                .and_then(b64);
            if !key.is_some_and(|k| same_key(expected, &k)) {
                return Err(mismatch(
                    "logged public key or certificate differs from the bundle's",
                ));
            }
            Ok(())
        }
        (
            "dsse",
            "0.0.1",
            ExpectedContent::Dsse {
                payload,
                signatures,
                ..
            },
        ) => {
            check_hex_sha256(
                spec,
                &["payloadHash"],
                &Sha256::digest(payload),
                "logged payload hash",
            )?;
            let logged = spec["signatures"].as_array().cloned().unwrap_or_default();
            let mut logged_sigs = Vec::new();
            for s in &logged {
                let sig = s["signature"].as_str().and_then(b64);
                let key = s["verifier"].as_str().and_then(pem_verifier);
                match (sig, key) {
                    (Some(sig), Some(key)) if same_key(expected, &key) => logged_sigs.push(sig),
                    _ => {
                        return Err(mismatch(
                            "logged signature verifier differs from the bundle's",
                        ))
                    }
                }
            }
            same_signatures(&logged_sigs, signatures)
        }
        (
            "dsse",
            "0.0.2",
            ExpectedContent::Dsse {
                payload,
                signatures,
                ..
            },
        ) => {
            let d = spec
                .get("dsseV002")
                .ok_or_else(|| mismatch("entry has no dsseV002"))?;
            if str_at(d, &["payloadHash", "digest"])
                .and_then(b64)
                .as_deref()
                != Some(&Sha256::digest(payload)[..])
            {
                return Err(mismatch("logged payload hash differs"));
            }
            let mut logged_sigs = Vec::new();
            for s in d["signatures"].as_array().cloned().unwrap_or_default() {
                let sig = s["content"].as_str().and_then(b64);
                let key = str_at(&s["verifier"], &["x509Certificate", "rawBytes"])
                    .or_else(|| str_at(&s["verifier"], &["publicKey", "rawBytes"]))
                    .and_then(b64);
                match (sig, key) {
                    (Some(sig), Some(key)) if same_key(expected, &key) => logged_sigs.push(sig),
                    _ => {
                        return Err(mismatch(
                            "logged signature verifier differs from the bundle's",
                        ))
                    }
                }
            }
            same_signatures(&logged_sigs, signatures)
        }
        (
            "intoto",
            "0.0.2",
            ExpectedContent::Dsse {
                payload,
                signatures,
                ..
            },
        ) => {
            let c = spec
                .get("content")
                .ok_or_else(|| mismatch("entry has no content"))?;
            check_hex_sha256(
                c,
                &["payloadHash"],
                &Sha256::digest(payload),
                "logged payload hash",
            )?;
            let mut logged_sigs = Vec::new();
            for s in c["envelope"]["signatures"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                // intoto 0.0.2 double-encodes: base64 of the base64 signature text.
                let sig = s["sig"]
                    .as_str()
                    .and_then(b64)
                    .and_then(|t| String::from_utf8(t).ok())
                    .and_then(|t| b64(&t));
                let key = s["publicKey"].as_str().and_then(pem_verifier);
                match (sig, key) {
                    (Some(sig), Some(key)) if same_key(expected, &key) => logged_sigs.push(sig),
                    _ => {
                        return Err(mismatch(
                            "logged signature verifier differs from the bundle's",
                        ))
                    }
                }
            }
            same_signatures(&logged_sigs, signatures)
        }
        (k @ ("hashedrekord" | "dsse" | "intoto"), ver, _) => Err(mismatch(format!(
            "a {k}/{ver} entry cannot record this bundle's content"
        ))),
        (k, ver, _) => Err(BodyError::UnsupportedKind(format!("{k}/{ver}"))),
    }
}

fn same_signatures(logged: &[Vec<u8>], bundle: &[&[u8]]) -> Result<(), BodyError> {
    let mut a: Vec<&[u8]> = logged.iter().map(Vec::as_slice).collect();
    let mut b: Vec<&[u8]> = bundle.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    if a == b && !a.is_empty() {
        Ok(())
    } else {
        Err(mismatch(
            "logged envelope signatures differ from the bundle's",
        ))
    }
}
