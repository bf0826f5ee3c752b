//! Public keys as they appear in trusted roots, certificates and `--key` files (DER
//! `SubjectPublicKeyInfo`), and signature checks over them.
//!
//! Signatures are checked either over a message (hashed with the algorithm the caller names) or
//! over a digest computed elsewhere (`sha256:` artifacts); ECDSA signatures are accepted in
//! ASN.1 DER or fixed-size `r‖s` form.

use der::Decode;
use ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoRef;

const OID_EC_PUBLIC_KEY: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_ED25519: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_RSA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A hash function named by a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// The hash named by a digest-algorithm OID (as in CMS and RFC 3161).
    pub fn from_oid(oid: &der::oid::ObjectIdentifier) -> Option<Self> {
        match oid.to_string().as_str() {
            "2.16.840.1.101.3.4.2.1" => Some(Self::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(Self::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// A verifying key.
#[derive(Clone, Debug)]
pub enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// Why key bytes could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a DER SubjectPublicKeyInfo: {0}")]
    Spki(String),
    #[error("unsupported public key algorithm {0}")]
    Unsupported(String),
    #[error("invalid {0} public key")]
    Invalid(&'static str),
    #[error("not a PEM public key: {0}")]
    Pem(String),
}

impl PublicKey {
    /// Parses a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(der_bytes: &[u8]) -> Result<Self, KeyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der_bytes)
            .map_err(|e| KeyError::Spki(e.to_string()))?;
        Self::from_spki(&spki)
    }

    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self, KeyError> {
        let raw = spki.subject_public_key.raw_bytes();
        let alg = spki.algorithm.oid;
        if alg == OID_EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::oid::ObjectIdentifier>().ok())
                .ok_or(KeyError::Invalid("ECDSA"))?;
            if curve == OID_P256 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(raw)
                    .map(Self::P256)
                    .map_err(|_| KeyError::Invalid("ECDSA P-256"))
            } else if curve == OID_P384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(raw)
                    .map(Self::P384)
                    .map_err(|_| KeyError::Invalid("ECDSA P-384"))
            } else {
                Err(KeyError::Unsupported(format!("ECDSA curve {curve}")))
            }
        } else if alg == OID_ED25519 {
            let bytes: [u8; 32] = raw.try_into().map_err(|_| KeyError::Invalid("Ed25519"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(Self::Ed25519)
                .map_err(|_| KeyError::Invalid("Ed25519"))
        } else if alg == OID_RSA {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            rsa::RsaPublicKey::from_pkcs1_der(raw)
                .map(Self::Rsa)
                .map_err(|_| KeyError::Invalid("RSA"))
        } else {
            Err(KeyError::Unsupported(alg.to_string()))
        }
    }

    /// The same key as `vouch-sign` holds it (`vouch key`, cosign key files).
    pub fn from_sign_key(key: &vouch_sign::PublicKey) -> Result<Self, KeyError> {
        Self::from_spki_der(key.to_spki_der())
    }

    /// Parses a PEM `PUBLIC KEY` block (what `cosign public-key` writes).
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let (label, der_bytes) =
            pem_decode(text).ok_or_else(|| KeyError::Pem("no PEM block found".into()))?;
        if label != "PUBLIC KEY" {
            return Err(KeyError::Pem(format!(
                "expected `PUBLIC KEY`, found `{label}`"
            )));
        }
        Self::from_spki_der(&der_bytes)
    }

    /// A short name for messages.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::P256(_) => "ECDSA P-256",
            Self::P384(_) => "ECDSA P-384",
            Self::Ed25519(_) => "Ed25519",
            Self::Rsa(_) => "RSA",
        }
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn to_spki_der(&self) -> Vec<u8> {
        use spki::EncodePublicKey as _;
        let doc = match self {
            Self::P256(k) => k.to_public_key_der(),
            Self::P384(k) => k.to_public_key_der(),
            Self::Ed25519(k) => k.to_public_key_der(),
            Self::Rsa(k) => k.to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The key's default hash (the one Sigstore pairs with it).
    pub fn default_hash(&self) -> HashAlg {
        match self {
            Self::P384(_) => HashAlg::Sha384,
            _ => HashAlg::Sha256,
        }
    }

    /// Verifies `sig` over `msg`, hashing with `hash` (ignored for Ed25519, which signs the
    /// message itself).
    pub fn verify(&self, hash: HashAlg, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::Ed25519(k) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
                    return false;
                };
                k.verify_strict(msg, &sig).is_ok()
            }
            _ => self.verify_prehash(hash, &hash.digest(msg), sig),
        }
    }

    /// Verifies `sig` over a message known only by its `digest` (computed with `hash`).
    /// Ed25519 cannot do this and always fails.
    pub fn verify_prehash(&self, hash: HashAlg, digest: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::P256(k) => p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
            Self::P384(k) => p384::ecdsa::Signature::from_der(sig)
                .or_else(|_| p384::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
            Self::Ed25519(_) => false,
            Self::Rsa(k) => {
                let scheme = match hash {
                    HashAlg::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                    HashAlg::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                    HashAlg::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
                };
                k.verify(scheme, digest, sig).is_ok()
            }
        }
    }

    /// Verifies an RSASSA-PSS signature (RSA keys only).
    pub fn verify_pss(&self, hash: HashAlg, msg: &[u8], sig: &[u8]) -> bool {
        let Self::Rsa(k) = self else { return false };
        let digest = hash.digest(msg);
        let scheme = match hash {
            HashAlg::Sha256 => rsa::Pss::new::<Sha256>(),
            HashAlg::Sha384 => rsa::Pss::new::<Sha384>(),
            HashAlg::Sha512 => rsa::Pss::new::<Sha512>(),
        };
        k.verify(scheme, &digest, sig).is_ok()
    }
}

/// Decodes the first PEM block in `text`: its label and DER bytes.
pub fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine as _;
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_owned();
    let body_start = label_end + 5;
    let end_marker = format!("-----END {label}-----");
    let body_end = rest.find(&end_marker)?;
    let body: String = rest[body_start..body_end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der_bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    Some((label, der_bytes))
}

/// All PEM blocks in `text` with the given label, decoded.
pub fn pem_decode_all(mut text: &str, want: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((label, der_bytes)) = pem_decode(text) {
        if label == want {
            out.push(der_bytes);
        }
        let end_marker = format!("-----END {label}-----");
        match text.find(&end_marker) {
            Some(i) => text = &text[i + end_marker.len()..],
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_keys_of_each_kind_parse() {
        let shared = vouch_testkit::shared_path("vectors/sigstore/cosign-keys");
        for (file, alg) in [
            ("sigstore-rs-ecdsa-p256.pub.derived", "ECDSA P-256"),
            ("sigstore-rs-rsa4096.pub.derived", "RSA"),
            ("sigstore-rs-ed25519.pub.derived", "Ed25519"),
        ] {
            let text = std::fs::read_to_string(shared.join(file)).unwrap();
            let key = PublicKey::from_pem(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(key.algorithm(), alg);
            // Round trip through DER SPKI.
            let again = PublicKey::from_spki_der(&key.to_spki_der()).unwrap();
            assert_eq!(again.to_spki_der(), key.to_spki_der());
        }
    }

    #[test]
    fn dsse_spec_vector_signature_verifies() {
        let v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(vouch_testkit::shared_path(
                "vectors/sigstore/dsse/dsse-spec-vector.json",
            ))
            .unwrap(),
        )
        .unwrap();
        let key = PublicKey::from_pem(v["key"]["public_key_pem"].as_str().unwrap()).unwrap();
        let pae = b"DSSEv1 29 http://example.com/HelloWorld 11 hello world";
        let der_sig = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            v["signature_der_b64"].as_str().unwrap(),
        )
        .unwrap();
        assert!(key.verify(HashAlg::Sha256, pae, &der_sig));
        // The spec's own raw r||s form verifies too.
        let raw_sig = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            v["signature_b64"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(raw_sig.len(), 64);
        assert!(key.verify(HashAlg::Sha256, pae, &raw_sig));
        assert!(key.verify_prehash(HashAlg::Sha256, &HashAlg::Sha256.digest(pae), &der_sig));
        assert!(!key.verify(
            HashAlg::Sha256,
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello worle",
            &der_sig
        ));
    }
}
