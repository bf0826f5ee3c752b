//! RFC 3161 timestamps: the TSA's CMS `SignedData` over a `TSTInfo` whose message imprint is
//! the hash of the bundle's signature, signed by a certificate that chains to a timestamp
//! authority in the trusted root, all valid at the timestamp's `genTime`.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{AnyRef, OctetStringRef};
use der::{Decode, Encode, Reader as _, SliceReader, Tag, Tagged as _};
use x509_cert::Certificate;

use crate::certs;
use crate::keys::HashAlg;
use crate::root::TrustedRoot;

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

/// Why a timestamp does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("malformed RFC 3161 timestamp: {0}")]
    Malformed(String),
    #[error("timestamp response status is {0} (not granted)")]
    NotGranted(u64),
    #[error("timestamp message imprint does not match the signature")]
    ImprintMismatch,
    #[error("timestamp signature does not verify")]
    BadSignature,
    #[error("timestamp was not issued by a trusted timestamp authority valid at {0}")]
    Untrusted(String),
}

fn malformed(what: impl std::fmt::Display) -> TimestampError {
    TimestampError::Malformed(what.to_string())
}

/// The parts of `TSTInfo` vouch uses.
#[derive(Debug, Clone)]
pub struct TstInfo {
    pub imprint_hash: HashAlg,
    pub imprint: Vec<u8>,
    /// `genTime`, Unix seconds (fractions dropped).
    pub gen_time: i64,
}

fn parse_generalized_time(s: &str) -> Option<i64> {
    // YYYYMMDDHHMMSS[.f*]Z
    let s = s.strip_suffix('Z')?;
    let (main, _frac) = s.split_once('.').unwrap_or((s, ""));
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| main[a..b].parse::<u32>().ok();
    let month = time::Month::try_from(u8::try_from(n(4, 6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0, 4)?).ok()?,
        month,
        u8::try_from(n(6, 8)?).ok()?,
    )
    .ok()?;
    let t = time::Time::from_hms(
        u8::try_from(n(8, 10)?).ok()?,
        u8::try_from(n(10, 12)?).ok()?,
        u8::try_from(n(12, 14)?).ok()?,
    )
    .ok()?;
    Some(
        time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

fn parse_tst_info(der_bytes: &[u8]) -> Result<TstInfo, TimestampError> {
    let outer = AnyRef::from_der(der_bytes).map_err(malformed)?;
    let mut r = SliceReader::new(outer.value()).map_err(malformed)?;
    let _version: AnyRef<'_> = r.decode().map_err(malformed)?;
    let _policy: AnyRef<'_> = r.decode().map_err(malformed)?;
    let imprint: AnyRef<'_> = r.decode().map_err(malformed)?;
    let _serial: AnyRef<'_> = r.decode().map_err(malformed)?;
    let gen_time: AnyRef<'_> = r.decode().map_err(malformed)?;
    let mut ir = SliceReader::new(imprint.value()).map_err(malformed)?;
    let alg: spki::AlgorithmIdentifierRef<'_> = ir.decode().map_err(malformed)?;
    let hashed: OctetStringRef<'_> = ir.decode().map_err(malformed)?;
    let imprint_hash = HashAlg::from_oid(&alg.oid)
        .ok_or_else(|| malformed(format!("unsupported imprint hash {}", alg.oid)))?;
    if gen_time.tag() != Tag::GeneralizedTime {
        return Err(malformed("genTime is not a GeneralizedTime"));
    }
    let gen_time = std::str::from_utf8(gen_time.value())
        .ok()
        .and_then(parse_generalized_time)
        .ok_or_else(|| malformed("invalid genTime"))?;
    Ok(TstInfo {
        imprint_hash,
        imprint: hashed.as_bytes().to_vec(),
        gen_time,
    })
}

/// Extracts the `ContentInfo` from a `TimeStampResp` or takes a bare `TimeStampToken`.
fn token(bytes: &[u8]) -> Result<ContentInfo, TimestampError> {
    let outer = AnyRef::from_der(bytes).map_err(malformed)?;
    if outer.tag() != Tag::Sequence {
        return Err(malformed("not a DER SEQUENCE"));
    }
    let mut r = SliceReader::new(outer.value()).map_err(malformed)?;
    let first: AnyRef<'_> = r.decode().map_err(malformed)?;
    if first.tag() == Tag::ObjectIdentifier {
        return ContentInfo::from_der(bytes).map_err(malformed);
    }
    // TimeStampResp: PKIStatusInfo { status INTEGER, ... }, then the token.
    let mut sr = SliceReader::new(first.value()).map_err(malformed)?;
    let status: AnyRef<'_> = sr.decode().map_err(malformed)?;
    let status_value = status
        .value()
        .iter()
        .fold(0u64, |a, b| (a << 8) | u64::from(*b));
    if status_value > 1 {
        return Err(TimestampError::NotGranted(status_value));
    }
    let tok: AnyRef<'_> = r.decode().map_err(|_| malformed("response has no token"))?;
    ContentInfo::from_der(&tok.to_der().map_err(malformed)?).map_err(malformed)
}

/// Verifies one timestamp over `signature` (the bundle's signature bytes) and returns its time.
pub fn verify(bytes: &[u8], signature: &[u8], root: &TrustedRoot) -> Result<i64, TimestampError> {
    let ci = token(bytes)?;
    if ci.content_type.to_string() != OID_SIGNED_DATA {
        return Err(malformed("token is not CMS SignedData"));
    }
    let sd: SignedData = ci.content.decode_as().map_err(malformed)?;
    if sd.encap_content_info.econtent_type.to_string() != OID_TST_INFO {
        return Err(malformed("token does not hold a TSTInfo"));
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| malformed("token has no content"))?;
    let tst_der = OctetStringRef::try_from(econtent)
        .map_err(malformed)?
        .as_bytes()
        .to_vec();
    let tst = parse_tst_info(&tst_der)?;
    if tst.imprint != tst.imprint_hash.digest(signature) {
        return Err(TimestampError::ImprintMismatch);
    }
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| malformed("token has no signer"))?;
    if !sd
        .digest_algorithms
        .iter()
        .any(|a| a.oid == si.digest_alg.oid)
    {
        return Err(malformed(
            "the signer's digest algorithm is not among the token's",
        ));
    }
    let digest_hash = HashAlg::from_oid(&si.digest_alg.oid)
        .ok_or_else(|| malformed(format!("unsupported digest {}", si.digest_alg.oid)))?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("signer has no signed attributes"))?;
    let mut digest_ok = false;
    let mut type_ok = false;
    for a in attrs.iter() {
        let oid = a.oid.to_string();
        let Some(v) = a.values.iter().next() else {
            continue;
        };
        if oid == OID_MESSAGE_DIGEST {
            digest_ok = OctetStringRef::try_from(v)
                .is_ok_and(|o| o.as_bytes() == digest_hash.digest(&tst_der));
        } else if oid == OID_CONTENT_TYPE {
            type_ok = v
                .decode_as::<der::oid::ObjectIdentifier>()
                .is_ok_and(|o| o.to_string() == OID_TST_INFO);
        }
    }
    if !digest_ok || !type_ok {
        return Err(TimestampError::BadSignature);
    }
    let signed_attrs_der = attrs.to_der().map_err(malformed)?;

    // Candidate signer certificates: embedded ones and the trusted TSAs' own.
    let mut candidates: Vec<(Certificate, Vec<u8>)> = Vec::new();
    for c in sd.certificates.iter().flat_map(|s| s.0.iter()) {
        if let CertificateChoices::Certificate(cert) = c {
            if let Ok(d) = cert.to_der() {
                candidates.push((cert.clone(), d));
            }
        }
    }
    for tsa in &root.timestamp_authorities {
        candidates.extend(tsa.chain.iter().cloned());
    }
    let matches_sid = |c: &Certificate| match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            c.tbs_certificate.issuer == is.issuer
                && c.tbs_certificate.serial_number == is.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id.to_string() == "2.5.29.14")
            .and_then(|e| OctetStringRef::from_der(e.extn_value.as_bytes()).ok())
            .is_some_and(|o| o.as_bytes() == ski.0.as_bytes()),
    };
    // The signature algorithm names its hash, or is a bare key algorithm paired with the
    // digest algorithm; anything else is not understood and fails closed.
    let sig_oid = si.signature_algorithm.oid.to_string();
    let sig_hash = match certs::signature_hash(&sig_oid) {
        Some((h, _)) => h,
        None if sig_oid == "1.2.840.10045.2.1" || sig_oid == "1.2.840.113549.1.1.1" => digest_hash,
        None => {
            return Err(malformed(format!(
                "unsupported signature algorithm {sig_oid}"
            )))
        }
    };
    let signer = candidates.iter().find(|(c, _)| {
        matches_sid(c)
            && certs::public_key(c).is_ok_and(|k| {
                k.verify(sig_hash, &signed_attrs_der, si.signature.as_bytes())
                    || k.verify_pss(sig_hash, &signed_attrs_der, si.signature.as_bytes())
            })
    });
    let Some((signer, signer_der)) = signer else {
        // Either no certificate matches the signer, or none verifies its signature.
        return if candidates.iter().any(|(c, _)| matches_sid(c)) {
            Err(TimestampError::BadSignature)
        } else {
            Err(TimestampError::Untrusted(certs::fmt_time(tst.gen_time)))
        };
    };
    let t = tst.gen_time;
    if !certs::has_eku(signer, "1.3.6.1.5.5.7.3.8") {
        return Err(TimestampError::Untrusted(format!(
            "{} (the signer certificate is not for time stamping)",
            certs::fmt_time(t)
        )));
    }
    // The signer is either a TSA's listed leaf, or chains to one of the TSAs.
    let listed = root.timestamp_authorities.iter().any(|a| {
        a.validity.contains(t)
            && certs::valid_at(signer, t)
            && a.chain.first().is_some_and(|(_, d)| d == signer_der)
            && (a.chain.len() == 1 || chain_rest_ok(a, t))
    });
    if listed
        || certs::chain_to(
            "timestamp",
            signer,
            signer_der,
            &root.timestamp_authorities,
            t,
        )
        .is_ok()
    {
        Ok(t)
    } else {
        Err(TimestampError::Untrusted(certs::fmt_time(t)))
    }
}

/// The authority's own chain (after its leaf) is valid at `t` and links up.
fn chain_rest_ok(a: &crate::root::Authority, t: i64) -> bool {
    a.chain
        .windows(2)
        .all(|w| certs::valid_at(&w[1].0, t) && certs::issued_by(&w[0].0, &w[0].1, &w[1].0))
}
