//! The Sigstore `TrustedRoot` (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`):
//! Fulcio CAs, Rekor logs, CT logs and timestamp authorities, each with a validity window.
//!
//! Windows are closed intervals `[start, end]`; a window without a start is malformed and the
//! whole root is rejected (treating it as "since forever" would widen trust silently). A missing
//! end means "still valid".

use base64::Engine as _;
use der::Decode;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use x509_cert::Certificate;

use crate::keys::PublicKey;

/// The Sigstore public-good production root, shipped inside the binary (see `roots/README.md`).
pub const PUBLIC_GOOD_PRODUCTION: &[u8] =
    include_bytes!("../roots/public-good-production.trusted_root.json");

/// Why a trusted root could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    /// serde's message is in the text and not a `#[source]`, so it is printed once.
    #[error("invalid trusted root JSON: {0}")]
    Json(serde_json::Error),
    /// No logs and no authorities: not a trusted root at all (e.g. another JSON file).
    #[error("not a Sigstore trusted root: no `tlogs`, `ctlogs`, `certificateAuthorities` or `timestampAuthorities`")]
    Empty,
    #[error("unsupported trusted root media type `{0}`")]
    MediaType(String),
    #[error("trusted root {what}: {why}")]
    Entry { what: String, why: String },
}

/// A `[start, end]` window in Unix seconds; `end` absent means open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub start: i64,
    pub end: Option<i64>,
}

impl Validity {
    /// Closed-interval membership.
    pub fn contains(&self, t: i64) -> bool {
        t >= self.start && self.end.is_none_or(|e| t <= e)
    }
}

/// A transparency log (Rekor) or certificate-transparency log.
#[derive(Debug, Clone)]
pub struct TransparencyLog {
    pub base_url: String,
    /// The log ID (for Rekor v1 and CT: SHA-256 of the DER public key).
    pub log_id: Vec<u8>,
    pub key: PublicKey,
    pub validity: Validity,
}

impl TransparencyLog {
    /// The host part of the base URL (`rekor.sigstore.dev`), which names the log in
    /// checkpoint signature lines.
    pub fn host(&self) -> &str {
        let s = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        s.split('/').next().unwrap_or(s)
    }
}

/// A certificate authority (Fulcio) or timestamp authority: a chain, leaf first.
#[derive(Debug, Clone)]
pub struct Authority {
    pub uri: String,
    /// Certificates as listed (issuing certificate first, root last), parsed and DER.
    pub chain: Vec<(Certificate, Vec<u8>)>,
    pub validity: Validity,
}

/// A parsed, validated trusted root.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    pub tlogs: Vec<TransparencyLog>,
    pub ctlogs: Vec<TransparencyLog>,
    pub certificate_authorities: Vec<Authority>,
    pub timestamp_authorities: Vec<Authority>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRoot {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    tlogs: Vec<RawLog>,
    #[serde(default)]
    certificate_authorities: Vec<RawAuthority>,
    #[serde(default)]
    ctlogs: Vec<RawLog>,
    #[serde(default)]
    timestamp_authorities: Vec<RawAuthority>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    #[serde(default)]
    base_url: String,
    public_key: RawPublicKey,
    log_id: RawLogId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPublicKey {
    #[serde(default)]
    raw_bytes: String,
    #[serde(default)]
    key_details: String,
    valid_for: Option<RawValidity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLogId {
    key_id: String,
}

#[derive(Deserialize)]
struct RawValidity {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuthority {
    #[serde(default)]
    uri: String,
    cert_chain: RawChain,
    valid_for: Option<RawValidity>,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawCert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCert {
    raw_bytes: String,
}

fn b64(what: &str, s: &str) -> Result<Vec<u8>, RootError> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| entry(what, format!("invalid base64: {e}")))
}

fn entry(what: &str, why: impl Into<String>) -> RootError {
    RootError::Entry {
        what: what.to_owned(),
        why: why.into(),
    }
}

/// Parses an RFC 3339 time into Unix seconds.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

fn validity(what: &str, v: Option<&RawValidity>) -> Result<Validity, RootError> {
    let v = v.ok_or_else(|| entry(what, "has no `validFor` window"))?;
    let start = v
        .start
        .as_deref()
        .ok_or_else(|| entry(what, "`validFor` has no `start`"))?;
    let start = parse_rfc3339(start).ok_or_else(|| {
        entry(
            what,
            format!("`validFor.start` `{start}` is not an RFC 3339 time"),
        )
    })?;
    let end = match v.end.as_deref() {
        None => None,
        Some(e) => Some(parse_rfc3339(e).ok_or_else(|| {
            entry(
                what,
                format!("`validFor.end` `{e}` is not an RFC 3339 time"),
            )
        })?),
    };
    Ok(Validity { start, end })
}

/// A log entry of the root; `None` when its key is of a kind vouch cannot use (such a log is
/// left out, so nothing it signed is trusted). A malformed window is always an error.
fn log(kind: &str, i: usize, raw: &RawLog) -> Result<Option<TransparencyLog>, RootError> {
    let what = format!("{kind}[{i}] ({})", raw.base_url);
    let validity = validity(&what, raw.public_key.valid_for.as_ref())?;
    let der_bytes = b64(&what, &raw.public_key.raw_bytes)?;
    let key = if raw.public_key.key_details.starts_with("PKCS1_RSA") {
        use rsa::pkcs1::DecodeRsaPublicKey as _;
        rsa::RsaPublicKey::from_pkcs1_der(&der_bytes)
            .map(PublicKey::Rsa)
            .ok()
    } else {
        PublicKey::from_spki_der(&der_bytes).ok()
    };
    let Some(key) = key else { return Ok(None) };
    let log_id = b64(&what, &raw.log_id.key_id)?;
    Ok(Some(TransparencyLog {
        base_url: raw.base_url.clone(),
        log_id,
        key,
        validity,
    }))
}

fn authority(kind: &str, i: usize, raw: &RawAuthority) -> Result<Authority, RootError> {
    let what = format!("{kind}[{i}] ({})", raw.uri);
    let mut chain = Vec::new();
    for c in &raw.cert_chain.certificates {
        let der_bytes = b64(&what, &c.raw_bytes)?;
        let cert = Certificate::from_der(&der_bytes)
            .map_err(|e| entry(&what, format!("invalid certificate: {e}")))?;
        chain.push((cert, der_bytes));
    }
    if chain.is_empty() {
        return Err(entry(&what, "has an empty certificate chain"));
    }
    Ok(Authority {
        uri: raw.uri.clone(),
        chain,
        validity: validity(&what, raw.valid_for.as_ref())?,
    })
}

impl TrustedRoot {
    /// Parses and validates a trusted root's JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, RootError> {
        let raw: RawRoot = serde_json::from_slice(bytes).map_err(RootError::Json)?;
        if !raw.media_type.is_empty()
            && !raw
                .media_type
                .starts_with("application/vnd.dev.sigstore.trustedroot")
        {
            return Err(RootError::MediaType(raw.media_type));
        }
        if raw.tlogs.is_empty()
            && raw.ctlogs.is_empty()
            && raw.certificate_authorities.is_empty()
            && raw.timestamp_authorities.is_empty()
        {
            return Err(RootError::Empty);
        }
        Ok(Self {
            tlogs: (raw.tlogs.iter().enumerate())
                .filter_map(|(i, l)| log("tlogs", i, l).transpose())
                .collect::<Result<_, _>>()?,
            ctlogs: (raw.ctlogs.iter().enumerate())
                .filter_map(|(i, l)| log("ctlogs", i, l).transpose())
                .collect::<Result<_, _>>()?,
            certificate_authorities: (raw.certificate_authorities.iter().enumerate())
                .map(|(i, a)| authority("certificateAuthorities", i, a))
                .collect::<Result<_, _>>()?,
            timestamp_authorities: (raw.timestamp_authorities.iter().enumerate())
                .map(|(i, a)| authority("timestampAuthorities", i, a))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The embedded Sigstore public-good production root.
    pub fn public_good() -> Self {
        Self::from_json(PUBLIC_GOOD_PRODUCTION).expect("the embedded production root is valid")
    }

    /// The Rekor log with this log ID.
    pub fn tlog(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.tlogs.iter().find(|l| l.log_id == log_id)
    }

    /// The CT log with this log ID.
    pub fn ctlog(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.ctlogs.iter().find(|l| l.log_id == log_id)
    }
}

/// base64(SHA-256(DER SPKI)): the key hint cosign and vouch write into bundles.
pub fn key_hint(spki_der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki_der))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with_validity(valid_for: &str) -> Vec<u8> {
        let prod: serde_json::Value = serde_json::from_slice(PUBLIC_GOOD_PRODUCTION).unwrap();
        let mut v = prod.clone();
        v["tlogs"][0]["publicKey"]["validFor"] = serde_json::from_str(valid_for).unwrap();
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn embedded_production_root_parses() {
        let root = TrustedRoot::public_good();
        assert_eq!(root.tlogs.len(), 2);
        assert_eq!(root.certificate_authorities.len(), 2);
        assert_eq!(root.ctlogs.len(), 2);
        assert_eq!(root.timestamp_authorities.len(), 1);
        let rekor = root
            .tlog(
                &base64::engine::general_purpose::STANDARD
                    .decode("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(rekor.host(), "rekor.sigstore.dev");
    }

    #[test]
    fn validity_windows_are_closed_intervals() {
        let root = TrustedRoot::from_json(&root_with_validity(
            r#"{"start":"2021-01-12T11:53:27Z","end":"2023-07-12T15:56:36Z"}"#,
        ))
        .unwrap();
        let v = root.tlogs[0].validity;
        assert!(v.contains(1_610_452_407)); // start
        assert!(v.contains(1_689_177_396)); // end
        assert!(!v.contains(1_610_452_406));
        assert!(!v.contains(1_689_177_397));
    }

    /// Any JSON object (a policy, a bundle, `{}`) was accepted as a root that trusts nothing,
    /// so `--trusted-root wrong-file.json` gave "does not verify" (exit 1) instead of bad input;
    /// and a truncated root printed serde's message twice (as text and as the source).
    #[test]
    fn a_json_file_that_is_not_a_root_is_an_error() {
        for text in [
            "{}",
            r#"{"a": 1}"#,
            r#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
        ] {
            let err = TrustedRoot::from_json(text.as_bytes()).unwrap_err();
            assert!(matches!(err, RootError::Empty), "{text}: {err}");
            assert!(err.to_string().starts_with("not a Sigstore trusted root"));
        }
        let err = TrustedRoot::from_json(&PUBLIC_GOOD_PRODUCTION[..100]).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid trusted root JSON: "),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_none());
    }

    #[test]
    fn missing_start_or_window_is_an_error() {
        for vf in [
            r#"{"end":"2023-07-12T15:56:36Z"}"#,
            "null",
            r#"{"start":"yesterday"}"#,
        ] {
            let err = TrustedRoot::from_json(&root_with_validity(vf)).unwrap_err();
            assert!(err.to_string().contains("tlogs[0]"), "{err}");
        }
    }
}
