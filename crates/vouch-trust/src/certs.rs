//! X.509 for Sigstore: chains to a trusted CA at a given time, Fulcio identity extensions, and
//! embedded signed certificate timestamps (RFC 6962 §3.2, precertificate entries).

use std::collections::BTreeMap;

use der::asn1::{AnyRef, OctetStringRef, Utf8StringRef};
use der::{Decode, Encode, Reader as _, SliceReader};
use sha2::{Digest as _, Sha256};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, SubjectAltName};
use x509_cert::Certificate;

use crate::keys::{HashAlg, PublicKey};
use crate::root::{Authority, TransparencyLog, TrustedRoot};

const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
const OID_SAN: &str = "2.5.29.17";
const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1.";

/// Fulcio's certificate extensions (1.3.6.1.4.1.57264.1.N), by the names Fulcio documents.
const FULCIO_EXTENSIONS: &[(u32, &str)] = &[
    (1, "issuer (deprecated)"),
    (2, "githubWorkflowTrigger"),
    (3, "githubWorkflowSha"),
    (4, "githubWorkflowName"),
    (5, "githubWorkflowRepository"),
    (6, "githubWorkflowRef"),
    (8, "issuer"),
    (9, "buildSignerURI"),
    (10, "buildSignerDigest"),
    (11, "runnerEnvironment"),
    (12, "sourceRepositoryURI"),
    (13, "sourceRepositoryDigest"),
    (14, "sourceRepositoryRef"),
    (15, "sourceRepositoryIdentifier"),
    (16, "sourceRepositoryOwnerURI"),
    (17, "sourceRepositoryOwnerIdentifier"),
    (18, "buildConfigURI"),
    (19, "buildConfigDigest"),
    (20, "buildTrigger"),
    (21, "runInvocationURI"),
    (22, "sourceRepositoryVisibilityAtSigning"),
];

/// Parses a DER certificate.
pub fn parse(der_bytes: &[u8]) -> Result<Certificate, der::Error> {
    Certificate::from_der(der_bytes)
}

/// Seconds since the epoch of a certificate's `[notBefore, notAfter]`.
pub fn validity(cert: &Certificate) -> (i64, i64) {
    let v = &cert.tbs_certificate.validity;
    (
        v.not_before.to_unix_duration().as_secs() as i64,
        v.not_after.to_unix_duration().as_secs() as i64,
    )
}

/// Whether `t` lies within the certificate's validity (inclusive).
pub fn valid_at(cert: &Certificate, t: i64) -> bool {
    let (nb, na) = validity(cert);
    nb <= t && t <= na
}

/// Whether the certificate's extended key usage lists `oid` (e.g. code signing
/// `1.3.6.1.5.5.7.3.3`, time stamping `1.3.6.1.5.5.7.3.8`).
pub fn has_eku(cert: &Certificate, oid: &str) -> bool {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == "2.5.29.37")
        .and_then(|e| {
            x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok()
        })
        .is_some_and(|eku| eku.0.iter().any(|o| o.to_string() == oid))
}

/// The subject public key of a certificate.
pub fn public_key(cert: &Certificate) -> Result<PublicKey, crate::keys::KeyError> {
    let spki_der = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| crate::keys::KeyError::Spki(e.to_string()))?;
    PublicKey::from_spki_der(&spki_der)
}

fn spki_der(cert: &Certificate) -> Vec<u8> {
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap_or_default()
}

/// The DER `tbsCertificate` exactly as encoded in `cert_der`.
fn raw_tbs(cert_der: &[u8]) -> Option<Vec<u8>> {
    let outer = AnyRef::from_der(cert_der).ok()?;
    let mut r = SliceReader::new(outer.value()).ok()?;
    let tbs: AnyRef<'_> = r.decode().ok()?;
    tbs.to_der().ok()
}

/// The hash a signature-algorithm OID names, and whether it is RSA-PSS.
pub(crate) fn signature_hash(oid: &str) -> Option<(HashAlg, bool)> {
    Some(match oid {
        "1.2.840.10045.4.3.2" | "1.2.840.113549.1.1.11" => (HashAlg::Sha256, false),
        "1.2.840.10045.4.3.3" | "1.2.840.113549.1.1.12" => (HashAlg::Sha384, false),
        "1.2.840.10045.4.3.4" | "1.2.840.113549.1.1.13" => (HashAlg::Sha512, false),
        "1.3.101.112" => (HashAlg::Sha512, false),
        "1.2.840.113549.1.1.10" => (HashAlg::Sha256, true),
        _ => return None,
    })
}

/// Certificate signatures already verified in this process, keyed by
/// SHA-256(certificate DER ‖ issuer SPKI DER). Only successes are kept: a signature that
/// verified once verifies again (a trusted root's intermediates are checked once, not per
/// bundle). Bounded; cleared when full.
static VERIFIED_SIGNATURES: std::sync::Mutex<Option<std::collections::HashSet<[u8; 32]>>> =
    std::sync::Mutex::new(None);
const VERIFIED_SIGNATURES_MAX: usize = 4096;

/// Whether `issuer` signed `cert` (names chain and the signature verifies).
pub fn issued_by(cert: &Certificate, cert_der: &[u8], issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let mut h = Sha256::new();
    h.update(cert_der);
    h.update(spki_der(issuer));
    let cache_key: [u8; 32] = h.finalize().into();
    if let Ok(guard) = VERIFIED_SIGNATURES.lock() {
        if guard.as_ref().is_some_and(|set| set.contains(&cache_key)) {
            return true;
        }
    }
    let ok = verify_cert_signature(cert, cert_der, issuer);
    if ok {
        if let Ok(mut guard) = VERIFIED_SIGNATURES.lock() {
            let set = guard.get_or_insert_with(std::collections::HashSet::new);
            if set.len() >= VERIFIED_SIGNATURES_MAX {
                set.clear();
            }
            set.insert(cache_key);
        }
    }
    ok
}

fn verify_cert_signature(cert: &Certificate, cert_der: &[u8], issuer: &Certificate) -> bool {
    let Ok(key) = public_key(issuer) else {
        return false;
    };
    let Some((hash, pss)) = signature_hash(&cert.signature_algorithm.oid.to_string()) else {
        return false;
    };
    let Some(tbs) = raw_tbs(cert_der) else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    if pss {
        key.verify_pss(hash, &tbs, sig)
    } else {
        key.verify(hash, &tbs, sig)
    }
}

/// Whether the certificate says it is a CA (basic constraints `cA`).
pub fn is_ca(cert: &Certificate) -> bool {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|bc| bc.ca)
}

/// Why a certificate does not chain to a trusted authority.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("no trusted {0} authority valid at {1} issued this certificate")]
    NoTrustedIssuer(&'static str, String),
    #[error("certificate is not valid at {0} (valid {1} to {2})")]
    NotValidAt(String, String, String),
}

pub(crate) fn fmt_time(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Builds the path from `leaf` up to a self-signed certificate of one of `authorities`, all
/// valid at `t` (the authority's window included). Returns the authority and the leaf's
/// issuing certificate.
pub fn chain_to<'a>(
    kind: &'static str,
    leaf: &Certificate,
    leaf_der: &[u8],
    authorities: &'a [Authority],
    t: i64,
) -> Result<(&'a Authority, &'a Certificate), ChainError> {
    if !valid_at(leaf, t) {
        let (nb, na) = validity(leaf);
        return Err(ChainError::NotValidAt(
            fmt_time(t),
            fmt_time(nb),
            fmt_time(na),
        ));
    }
    'authority: for auth in authorities.iter().filter(|a| a.validity.contains(t)) {
        let mut cur: (&Certificate, &[u8]) = (leaf, leaf_der);
        let mut first_issuer: Option<&Certificate> = None;
        for _ in 0..=auth.chain.len() {
            let Some((issuer, issuer_der)) = auth
                .chain
                .iter()
                .find(|(c, _)| is_ca(c) && valid_at(c, t) && issued_by(cur.0, cur.1, c))
            else {
                continue 'authority;
            };
            first_issuer.get_or_insert(issuer);
            // Done at a self-signed root, or at the last certificate the authority lists
            // (a chain that stops at a trusted intermediate).
            let last = auth
                .chain
                .last()
                .is_some_and(|(c, _)| std::ptr::eq(c, issuer));
            if last || issuer.tbs_certificate.subject == issuer.tbs_certificate.issuer {
                return Ok((auth, first_issuer.unwrap_or(issuer)));
            }
            cur = (issuer, issuer_der);
        }
    }
    Err(ChainError::NoTrustedIssuer(kind, fmt_time(t)))
}

/// The signer identity a Fulcio certificate carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertIdentity {
    /// Subject alternative names: URIs, emails and other names, in certificate order.
    pub sans: Vec<String>,
    /// The OIDC issuer (extension .1.8, or the deprecated .1.1).
    pub issuer: Option<String>,
    /// Every Fulcio extension present, by name (`buildSignerURI`, `sourceRepositoryURI`, …).
    pub extensions: BTreeMap<String, String>,
}

/// Reads SANs and Fulcio extensions.
pub fn identity(cert: &Certificate) -> CertIdentity {
    let mut id = CertIdentity::default();
    for ext in cert.tbs_certificate.extensions.iter().flatten() {
        let oid = ext.extn_id.to_string();
        let value = ext.extn_value.as_bytes();
        if oid == OID_SAN {
            if let Ok(san) = SubjectAltName::from_der(value) {
                for name in san.0 {
                    match name {
                        GeneralName::UniformResourceIdentifier(s) => id.sans.push(s.to_string()),
                        GeneralName::Rfc822Name(s) => id.sans.push(s.to_string()),
                        GeneralName::DnsName(s) => id.sans.push(s.to_string()),
                        GeneralName::OtherName(o) => {
                            if let Ok(s) = o.value.decode_as::<Utf8StringRef<'_>>() {
                                id.sans.push(s.as_str().to_owned());
                            }
                        }
                        _ => {}
                    }
                }
            }
        } else if let Some(n) = oid
            .strip_prefix(FULCIO_ARC)
            .and_then(|n| n.parse::<u32>().ok())
        {
            // .1.1–.1.6 hold raw strings; .1.8 onwards DER UTF8String.
            let text = if n >= 8 {
                Utf8StringRef::from_der(value)
                    .map(|s| s.as_str().to_owned())
                    .ok()
            } else {
                String::from_utf8(value.to_vec()).ok()
            };
            let Some(text) = text else { continue };
            let name = FULCIO_EXTENSIONS
                .iter()
                .find(|(k, _)| *k == n)
                .map_or_else(|| format!("{FULCIO_ARC}{n}"), |(_, v)| (*v).to_owned());
            if n == 8 || (n == 1 && id.issuer.is_none()) {
                id.issuer = Some(text.clone());
            }
            id.extensions.insert(name, text);
        }
    }
    id
}

/// Why the embedded SCTs do not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SctError {
    #[error("certificate has no embedded signed certificate timestamps")]
    Missing,
    #[error("malformed signed certificate timestamp list")]
    Malformed,
    #[error("no embedded SCT verifies against a trusted CT log")]
    NoneVerified,
}

struct Sct<'a> {
    log_id: &'a [u8],
    timestamp_ms: u64,
    extensions: &'a [u8],
    hash: u8,
    signature: &'a [u8],
}

fn take<'a>(buf: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if buf.len() < n {
        return None;
    }
    let (a, b) = buf.split_at(n);
    *buf = b;
    Some(a)
}

fn take_u16_prefixed<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = take(buf, 2)?;
    take(buf, usize::from(u16::from_be_bytes([len[0], len[1]])))
}

fn parse_scts(list: &[u8]) -> Option<Vec<Sct<'_>>> {
    let mut buf = list;
    let mut all = take_u16_prefixed(&mut buf)?;
    if !buf.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    while !all.is_empty() {
        let mut s = take_u16_prefixed(&mut all)?;
        let version = take(&mut s, 1)?[0];
        if version != 0 {
            continue;
        }
        let log_id = take(&mut s, 32)?;
        let ts = take(&mut s, 8)?;
        let timestamp_ms = u64::from_be_bytes(ts.try_into().ok()?);
        let extensions = take_u16_prefixed(&mut s)?;
        let algs = take(&mut s, 2)?;
        let signature = take_u16_prefixed(&mut s)?;
        if !s.is_empty() {
            return None;
        }
        out.push(Sct {
            log_id,
            timestamp_ms,
            extensions,
            hash: algs[0],
            signature,
        });
    }
    Some(out)
}

/// Checks that at least one embedded SCT was signed by a trusted CT log, over the
/// precertificate (the certificate without its SCT extension) and the issuer's key hash.
pub fn verify_scts(
    cert: &Certificate,
    issuer: &Certificate,
    root: &TrustedRoot,
) -> Result<(), SctError> {
    let ext = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_SCT_LIST)
        .ok_or(SctError::Missing)?;
    let list =
        OctetStringRef::from_der(ext.extn_value.as_bytes()).map_err(|_| SctError::Malformed)?;
    let scts = parse_scts(list.as_bytes()).ok_or(SctError::Malformed)?;
    let mut tbs = cert.tbs_certificate.clone();
    if let Some(exts) = tbs.extensions.as_mut() {
        exts.retain(|e| e.extn_id.to_string() != OID_SCT_LIST);
    }
    let tbs_der = tbs.to_der().map_err(|_| SctError::Malformed)?;
    let issuer_key_hash = Sha256::digest(spki_der(issuer));
    let tbs_len = u32::try_from(tbs_der.len()).map_err(|_| SctError::Malformed)?;
    for sct in &scts {
        let Some(log) = root.ctlog(sct.log_id) else {
            continue;
        };
        let Ok(ext_len) = u16::try_from(sct.extensions.len()) else {
            continue;
        };
        let mut signed = Vec::with_capacity(tbs_der.len() + 64);
        signed.push(0); // version v1
        signed.push(0); // certificate_timestamp
        signed.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
        signed.extend_from_slice(&issuer_key_hash);
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs_der);
        signed.extend_from_slice(&ext_len.to_be_bytes());
        signed.extend_from_slice(sct.extensions);
        if sct_ok(log, sct, &signed) {
            return Ok(());
        }
    }
    Err(SctError::NoneVerified)
}

fn sct_ok(log: &TransparencyLog, sct: &Sct<'_>, signed: &[u8]) -> bool {
    let hash = match sct.hash {
        4 => HashAlg::Sha256,
        5 => HashAlg::Sha384,
        6 => HashAlg::Sha512,
        _ => return false,
    };
    let t = (sct.timestamp_ms / 1000) as i64;
    log.validity.contains(t) && log.key.verify(hash, signed, sct.signature)
}
