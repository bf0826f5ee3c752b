//! Keys: cosign's encrypted private-key files, SPKI public keys, signing and verifying.
//!
//! A cosign key file is PEM (`ENCRYPTED SIGSTORE PRIVATE KEY`, or the older
//! `ENCRYPTED COSIGN PRIVATE KEY`) around JSON: scrypt derives a 32-byte key from the
//! password and a 32-byte salt, and a NaCl secretbox (XSalsa20-Poly1305, 24-byte nonce)
//! holds the PKCS#8 private key. vouch accepts exactly the scrypt parameter sets cosign's
//! reader accepts (N = 2^15, 2^16 or 2^17 with r = 8, p = 1), checked before scrypt runs,
//! and writes N = 2^16 like `cosign generate-key-pair`.
//!
//! Hashes follow the key, as in cosign: ECDSA P-256 and RSA sign SHA-256, ECDSA P-384
//! signs SHA-384, Ed25519 signs the message itself. ECDSA signatures are written as ASN.1
//! DER and read as DER or IEEE P1363 (`r‖s`).

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::XSalsa20Poly1305;
use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::Decode as _;
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rand_core::{OsRng, RngCore as _};
use serde::{Deserialize, Serialize};
use signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
use spki::DecodePublicKey as _;
use zeroize::Zeroizing;

use crate::encoding::Base64Bytes;
use crate::hash::DigestAlgorithm;
use crate::pem::{self, PemError};

/// The PEM label `cosign generate-key-pair` writes.
pub const SIGSTORE_PRIVATE_KEY_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The PEM label older cosign versions wrote (still read).
pub const COSIGN_PRIVATE_KEY_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";
/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (cosign's limit).
pub const MAX_RSA_BITS: usize = 4096;

const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Why a key could not be read, written or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("`{}`: {error}", path.display())]
    File { path: PathBuf, error: Box<KeyError> },
    #[error("cannot read file: {0}")]
    Io(#[source] std::io::Error),
    #[error(transparent)]
    Pem(#[from] PemError),
    #[error("unexpected PEM label `{found}` (expected {expected})")]
    Label { found: String, expected: String },
    #[error("invalid encrypted key JSON: {0}")]
    Json(String),
    #[error("unsupported key derivation `{0}` (cosign keys use scrypt)")]
    Kdf(String),
    #[error("unsupported scrypt parameters N={n} r={r} p={p} (cosign accepts N=32768, 65536 or 131072 with r=8, p=1)")]
    ScryptParams { n: u64, r: u64, p: u64 },
    #[error("scrypt salt is empty")]
    Salt,
    #[error("unsupported cipher `{0}` (cosign keys use nacl/secretbox)")]
    Cipher(String),
    #[error("secretbox nonce is {0} bytes, expected 24")]
    Nonce(usize),
    #[error("wrong password (or the key file is corrupted)")]
    WrongPassword,
    #[error("the decrypted key is not PKCS#8 ({0}); cosign requires PKCS#8 inside key files")]
    NotPkcs8(String),
    #[error("invalid {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("unsupported elliptic curve {0} (supported: P-256, P-384)")]
    Curve(String),
    #[error("unsupported key algorithm {0} (supported: ECDSA P-256/P-384, Ed25519, RSA)")]
    Algorithm(String),
    #[error("RSA key of {0} bits is not accepted (2048 to 4096 bits)")]
    RsaSize(usize),
    #[error("{0} keys cannot sign a precomputed digest")]
    NoPrehash(&'static str),
    #[error("digest is {got} bytes, expected {expected} for this key")]
    DigestLength { got: usize, expected: usize },
    #[error("signing failed: {0}")]
    Sign(String),
}

impl KeyError {
    /// Wraps `self` with the file it came from.
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            e @ Self::File { .. } => e,
            e => Self::File {
                path: path.to_path_buf(),
                error: Box::new(e),
            },
        }
    }

    /// The error without the file wrapper.
    pub fn kind(&self) -> &Self {
        match self {
            Self::File { error, .. } => error.kind(),
            e => e,
        }
    }

    /// Whether the password was wrong.
    pub fn is_wrong_password(&self) -> bool {
        matches!(self.kind(), Self::WrongPassword)
    }
}

fn malformed(what: &'static str, detail: impl ToString) -> KeyError {
    KeyError::Malformed {
        what,
        detail: detail.to_string(),
    }
}

/// The kind of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    /// RSA with its modulus size in bits.
    Rsa(usize),
}

impl KeyAlgorithm {
    /// The hash signatures use (`None` for Ed25519, which signs the message itself).
    pub fn digest_algorithm(self) -> Option<DigestAlgorithm> {
        match self {
            Self::EcdsaP256 | Self::Rsa(_) => Some(DigestAlgorithm::Sha256),
            Self::EcdsaP384 => Some(DigestAlgorithm::Sha384),
            Self::Ed25519 => None,
        }
    }
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::EcdsaP256 => f.write_str("ECDSA P-256"),
            Self::EcdsaP384 => f.write_str("ECDSA P-384"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Rsa(bits) => write!(f, "RSA-{bits}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Public keys

#[derive(Clone)]
enum PublicInner {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// A public key, kept with its DER SubjectPublicKeyInfo.
#[derive(Clone)]
pub struct PublicKey {
    inner: PublicInner,
    spki_der: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("hint", &self.hint())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

/// Why a signature did not verify (always "verification failed", exit 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature does not verify with the public key")]
    Invalid,
    #[error("signature is not a valid {0} signature encoding")]
    Encoding(&'static str),
    #[error("digest is {got} bytes, expected {expected} for this key")]
    DigestLength { got: usize, expected: usize },
    #[error("Ed25519 signatures cover the message itself, not a digest")]
    NoPrehash,
}

fn curve_name(oid: ObjectIdentifier) -> String {
    if oid == OID_P521 {
        "P-521".into()
    } else if oid == OID_SECP256K1 {
        "secp256k1".into()
    } else {
        format!("with OID {oid}")
    }
}

fn algorithm_of_spki(
    spki: &spki::SubjectPublicKeyInfoRef<'_>,
) -> Result<ObjectIdentifier, KeyError> {
    let oid = spki.algorithm.oid;
    if oid == OID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|e| malformed("EC public key parameters", e))?;
        if curve == OID_P256 || curve == OID_P384 {
            Ok(curve)
        } else {
            Err(KeyError::Curve(curve_name(curve)))
        }
    } else if oid == OID_ED25519 || oid == OID_RSA {
        Ok(oid)
    } else {
        Err(KeyError::Algorithm(format!("with OID {oid}")))
    }
}

fn check_rsa_bits(bits: usize) -> Result<(), KeyError> {
    if (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(KeyError::RsaSize(bits))
    }
}

impl PublicKey {
    /// Reads a PEM public key: SPKI `PUBLIC KEY` (what cosign writes) or PKCS#1
    /// `RSA PUBLIC KEY`.
    pub fn from_pem(pem_text: &[u8]) -> Result<Self, KeyError> {
        let block = pem::parse(pem_text)?;
        match block.label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&block.der),
            "RSA PUBLIC KEY" => {
                use pkcs1::DecodeRsaPublicKey as _;
                let key = rsa::RsaPublicKey::from_pkcs1_der(&block.der)
                    .map_err(|e| malformed("RSA public key", e))?;
                Self::from_rsa(key)
            }
            other => Err(KeyError::Label {
                found: other.to_owned(),
                expected: "`PUBLIC KEY`".into(),
            }),
        }
    }

    /// Reads a PEM public key file; errors name the file.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let bytes = std::fs::read(path).map_err(|e| KeyError::Io(e).in_file(path))?;
        Self::from_pem(&bytes).map_err(|e| e.in_file(path))
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
        let alg = algorithm_of_spki(&spki)?;
        let inner = if alg == OID_P256 {
            PublicInner::P256(
                p256::ecdsa::VerifyingKey::from_public_key_der(der)
                    .map_err(|e| malformed("P-256 public key", e))?,
            )
        } else if alg == OID_P384 {
            PublicInner::P384(
                p384::ecdsa::VerifyingKey::from_public_key_der(der)
                    .map_err(|e| malformed("P-384 public key", e))?,
            )
        } else if alg == OID_ED25519 {
            let key = ed25519_dalek::VerifyingKey::from_public_key_der(der)
                .map_err(|e| malformed("Ed25519 public key", e))?;
            if key.is_weak() {
                return Err(malformed(
                    "Ed25519 public key",
                    "a weak (small-order) point",
                ));
            }
            PublicInner::Ed25519(key)
        } else {
            let key = rsa::RsaPublicKey::from_public_key_der(der)
                .map_err(|e| malformed("RSA public key", e))?;
            return Self::from_rsa(key);
        };
        Self::from_inner(inner)
    }

    fn from_rsa(key: rsa::RsaPublicKey) -> Result<Self, KeyError> {
        use rsa::traits::PublicKeyParts as _;
        check_rsa_bits(key.n().bits())?;
        Self::from_inner(PublicInner::Rsa(key))
    }

    fn from_inner(inner: PublicInner) -> Result<Self, KeyError> {
        let doc = match &inner {
            PublicInner::P256(k) => k.to_public_key_der(),
            PublicInner::P384(k) => k.to_public_key_der(),
            PublicInner::Ed25519(k) => k.to_public_key_der(),
            PublicInner::Rsa(k) => k.to_public_key_der(),
        }
        .map_err(|e| malformed("public key", e))?;
        Ok(Self {
            inner,
            spki_der: doc.as_bytes().to_vec(),
        })
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// PEM `PUBLIC KEY` (SPKI), as `cosign public-key` prints it.
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki_der).to_string()
    }

    /// base64(SHA-256(DER SPKI)): the bundle `publicKey.hint` cosign writes.
    pub fn hint(&self) -> String {
        STANDARD.encode(DigestAlgorithm::Sha256.digest(&self.spki_der))
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.inner {
            PublicInner::P256(_) => KeyAlgorithm::EcdsaP256,
            PublicInner::P384(_) => KeyAlgorithm::EcdsaP384,
            PublicInner::Ed25519(_) => KeyAlgorithm::Ed25519,
            PublicInner::Rsa(k) => {
                use rsa::traits::PublicKeyParts as _;
                KeyAlgorithm::Rsa(k.n().bits())
            }
        }
    }

    /// The hash this key's signatures cover (`None` for Ed25519).
    pub fn digest_algorithm(&self) -> Option<DigestAlgorithm> {
        self.algorithm().digest_algorithm()
    }

    /// Verifies `signature` over `message` (hashed as the key requires).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        match (&self.inner, self.digest_algorithm()) {
            (PublicInner::Ed25519(k), _) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| SignatureError::Encoding("Ed25519"))?;
                ed25519_dalek::Verifier::verify(k, message, &sig)
                    .map_err(|_| SignatureError::Invalid)
            }
            (_, Some(alg)) => self.verify_prehash(alg, &alg.digest(message), signature),
            (_, None) => Err(SignatureError::NoPrehash),
        }
    }

    /// Verifies `signature` over a precomputed `digest` made with `algorithm`.
    ///
    /// ECDSA signatures may be DER or P1363; RSA may be PKCS#1 v1.5 or PSS.
    pub fn verify_prehash(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        if digest.len() != algorithm.output_len() {
            return Err(SignatureError::DigestLength {
                got: digest.len(),
                expected: algorithm.output_len(),
            });
        }
        match &self.inner {
            PublicInner::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(signature))
                    .map_err(|_| SignatureError::Encoding("ECDSA P-256"))?;
                k.verify_prehash(digest, &sig)
                    .map_err(|_| SignatureError::Invalid)
            }
            PublicInner::P384(k) => {
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .or_else(|_| p384::ecdsa::Signature::from_slice(signature))
                    .map_err(|_| SignatureError::Encoding("ECDSA P-384"))?;
                k.verify_prehash(digest, &sig)
                    .map_err(|_| SignatureError::Invalid)
            }
            PublicInner::Rsa(k) => {
                let (v15, pss) = match algorithm {
                    DigestAlgorithm::Sha256 => (
                        rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                        rsa::Pss::new::<sha2::Sha256>(),
                    ),
                    DigestAlgorithm::Sha384 => (
                        rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                        rsa::Pss::new::<sha2::Sha384>(),
                    ),
                    DigestAlgorithm::Sha512 => (
                        rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                        rsa::Pss::new::<sha2::Sha512>(),
                    ),
                };
                k.verify(v15, digest, signature)
                    .or_else(|_| k.verify(pss, digest, signature))
                    .map_err(|_| SignatureError::Invalid)
            }
            PublicInner::Ed25519(_) => Err(SignatureError::NoPrehash),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Private keys

enum PrivateInner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// A private key. Its secret material is zeroized when dropped; it is never printed.
pub struct PrivateKey {
    inner: PrivateInner,
    public: PublicKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// Something that signs: a key in memory today, a KMS or keyless signer later.
pub trait Signer {
    /// The public key verifiers use.
    fn public_key(&self) -> &PublicKey;
    /// Signs `message` (hashing it as the key requires). ECDSA signatures are DER.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
    /// Signs a digest computed with [`PublicKey::digest_algorithm`] (not for Ed25519).
    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// The scrypt cost vouch writes (N = 2^16, cosign's default).
pub const DEFAULT_SCRYPT_LOG_N: u8 = 16;

#[derive(Serialize, Deserialize)]
struct EncryptedKeyJson {
    kdf: KdfJson,
    cipher: CipherJson,
    ciphertext: Base64Bytes,
}

#[derive(Serialize, Deserialize)]
struct KdfJson {
    name: String,
    params: ScryptParamsJson,
    salt: Base64Bytes,
}

#[derive(Serialize, Deserialize)]
struct ScryptParamsJson {
    #[serde(rename = "N")]
    n: u64,
    r: u64,
    p: u64,
}

#[derive(Serialize, Deserialize)]
struct CipherJson {
    name: String,
    nonce: Base64Bytes,
}

fn derive_key(password: &[u8], salt: &[u8], log_n: u8) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let params =
        scrypt::Params::new(log_n, 8, 1, 32).map_err(|e| malformed("scrypt parameters", e))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut())
        .map_err(|e| malformed("scrypt output length", e))?;
    Ok(key)
}

impl PrivateKey {
    /// A new ECDSA P-256 key (what `cosign generate-key-pair` makes).
    pub fn generate_p256() -> Self {
        let key = p256::ecdsa::SigningKey::random(&mut OsRng);
        Self::from_inner(PrivateInner::P256(key)).expect("a fresh P-256 key is valid")
    }

    fn from_inner(inner: PrivateInner) -> Result<Self, KeyError> {
        let public = match &inner {
            PrivateInner::P256(k) => PublicKey::from_inner(PublicInner::P256(*k.verifying_key()))?,
            PrivateInner::P384(k) => PublicKey::from_inner(PublicInner::P384(*k.verifying_key()))?,
            PrivateInner::Ed25519(k) => {
                PublicKey::from_inner(PublicInner::Ed25519(k.verifying_key()))?
            }
            PrivateInner::Rsa(k) => PublicKey::from_rsa(k.to_public_key())?,
        };
        Ok(Self { inner, public })
    }

    /// Reads a cosign key file (PEM text) with `password` (may be empty).
    pub fn from_cosign_pem(pem_text: &[u8], password: &[u8]) -> Result<Self, KeyError> {
        let block = pem::parse(pem_text)?;
        if block.label != SIGSTORE_PRIVATE_KEY_LABEL && block.label != COSIGN_PRIVATE_KEY_LABEL {
            return Err(KeyError::Label {
                found: block.label,
                expected: format!("`{SIGSTORE_PRIVATE_KEY_LABEL}` or `{COSIGN_PRIVATE_KEY_LABEL}`"),
            });
        }
        let json: EncryptedKeyJson =
            serde_json::from_slice(&block.der).map_err(|e| KeyError::Json(e.to_string()))?;
        if json.kdf.name != "scrypt" {
            return Err(KeyError::Kdf(json.kdf.name));
        }
        let ScryptParamsJson { n, r, p } = json.kdf.params;
        let log_n = match (n, r, p) {
            (32768, 8, 1) => 15,
            (65536, 8, 1) => 16,
            (131_072, 8, 1) => 17,
            _ => return Err(KeyError::ScryptParams { n, r, p }),
        };
        if json.kdf.salt.is_empty() {
            return Err(KeyError::Salt);
        }
        if json.cipher.name != "nacl/secretbox" {
            return Err(KeyError::Cipher(json.cipher.name));
        }
        if json.cipher.nonce.len() != 24 {
            return Err(KeyError::Nonce(json.cipher.nonce.len()));
        }
        let key = derive_key(password, &json.kdf.salt, log_n)?;
        let cipher = XSalsa20Poly1305::new(key.as_ref().into());
        let plaintext = Zeroizing::new(
            cipher
                .decrypt(
                    json.cipher.nonce.as_slice().into(),
                    json.ciphertext.as_slice(),
                )
                .map_err(|_| KeyError::WrongPassword)?,
        );
        Self::from_pkcs8_der(&plaintext)
    }

    /// Reads a cosign key file; errors name the file.
    pub fn load(path: &Path, password: &[u8]) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| KeyError::Io(e).in_file(path))?);
        Self::from_cosign_pem(&bytes, password).map_err(|e| e.in_file(path))
    }

    /// Reads a DER PKCS#8 private key (v1 or v2).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| {
            let looks_sec1 = sec1::EcPrivateKey::from_der(der).is_ok();
            KeyError::NotPkcs8(if looks_sec1 {
                "it is a SEC1 `EC PRIVATE KEY`".into()
            } else {
                e.to_string()
            })
        })?;
        let oid = info.algorithm.oid;
        let inner = if oid == OID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|e| malformed("EC private key parameters", e))?;
            if curve == OID_P256 {
                PrivateInner::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map_err(|e| malformed("P-256 private key", e))?,
                )
            } else if curve == OID_P384 {
                PrivateInner::P384(
                    p384::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map_err(|e| malformed("P-384 private key", e))?,
                )
            } else {
                return Err(KeyError::Curve(curve_name(curve)));
            }
        } else if oid == OID_ED25519 {
            PrivateInner::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der)
                    .map_err(|e| malformed("Ed25519 private key", e))?,
            )
        } else if oid == OID_RSA {
            use rsa::traits::PublicKeyParts as _;
            let key = rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map_err(|e| malformed("RSA private key", e))?;
            check_rsa_bits(key.n().bits())?;
            PrivateInner::Rsa(Box::new(key))
        } else {
            return Err(KeyError::Algorithm(format!("with OID {oid}")));
        };
        Self::from_inner(inner)
    }

    /// Reads an unencrypted PEM private key: PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY` or
    /// PKCS#1 `RSA PRIVATE KEY` (what `cosign import-key-pair` accepts).
    pub fn from_unencrypted_pem(pem_text: &[u8]) -> Result<Self, KeyError> {
        let block = pem::parse(pem_text)?;
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "EC PRIVATE KEY" => {
                let ec = sec1::EcPrivateKey::from_der(&block.der)
                    .map_err(|e| malformed("SEC1 EC private key", e))?;
                let curve = ec
                    .parameters
                    .and_then(sec1::EcParameters::named_curve)
                    .ok_or_else(|| malformed("SEC1 EC private key", "no named curve"))?;
                let inner = if curve == OID_P256 {
                    PrivateInner::P256(
                        p256::ecdsa::SigningKey::from_slice(ec.private_key)
                            .map_err(|e| malformed("P-256 private key", e))?,
                    )
                } else if curve == OID_P384 {
                    PrivateInner::P384(
                        p384::ecdsa::SigningKey::from_slice(ec.private_key)
                            .map_err(|e| malformed("P-384 private key", e))?,
                    )
                } else {
                    return Err(KeyError::Curve(curve_name(curve)));
                };
                Self::from_inner(inner)
            }
            "RSA PRIVATE KEY" => {
                use pkcs1::DecodeRsaPrivateKey as _;
                use rsa::traits::PublicKeyParts as _;
                let key = rsa::RsaPrivateKey::from_pkcs1_der(&block.der)
                    .map_err(|e| malformed("RSA private key", e))?;
                check_rsa_bits(key.n().bits())?;
                Self::from_inner(PrivateInner::Rsa(Box::new(key)))
            }
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Algorithm(
                "in a password-protected PKCS#8 file (decrypt it first)".into(),
            )),
            SIGSTORE_PRIVATE_KEY_LABEL | COSIGN_PRIVATE_KEY_LABEL => Err(KeyError::Label {
                found: block.label.clone(),
                expected: "an unencrypted `PRIVATE KEY`, `EC PRIVATE KEY` or `RSA PRIVATE KEY` (this is already a cosign key)".into(),
            }),
            other => Err(KeyError::Label {
                found: other.to_owned(),
                expected: "`PRIVATE KEY`, `EC PRIVATE KEY` or `RSA PRIVATE KEY`".into(),
            }),
        }
    }

    /// DER PKCS#8 (zeroized on drop).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let doc = match &self.inner {
            PrivateInner::P256(k) => k.to_pkcs8_der(),
            PrivateInner::P384(k) => k.to_pkcs8_der(),
            PrivateInner::Ed25519(k) => k.to_pkcs8_der(),
            PrivateInner::Rsa(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| malformed("private key encoding", e))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// cosign's encrypted key file (`ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt N=2^16).
    pub fn to_cosign_pem(&self, password: &[u8]) -> Result<Zeroizing<String>, KeyError> {
        self.to_cosign_pem_with_cost(password, DEFAULT_SCRYPT_LOG_N)
    }

    /// As [`Self::to_cosign_pem`] with scrypt N = 2^`log_n` (15, 16 or 17: what cosign reads).
    pub fn to_cosign_pem_with_cost(
        &self,
        password: &[u8],
        log_n: u8,
    ) -> Result<Zeroizing<String>, KeyError> {
        if !(15..=17).contains(&log_n) {
            return Err(KeyError::ScryptParams {
                n: 1u64.checked_shl(log_n.into()).unwrap_or(0),
                r: 8,
                p: 1,
            });
        }
        let plaintext = self.to_pkcs8_der()?;
        let mut salt = [0u8; 32];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let key = derive_key(password, &salt, log_n)?;
        let cipher = XSalsa20Poly1305::new(key.as_ref().into());
        let ciphertext = cipher
            .encrypt((&nonce).into(), plaintext.as_slice())
            .map_err(|_| KeyError::Sign("secretbox encryption failed".into()))?;
        let json = EncryptedKeyJson {
            kdf: KdfJson {
                name: "scrypt".into(),
                params: ScryptParamsJson {
                    n: 1 << log_n,
                    r: 8,
                    p: 1,
                },
                salt: salt.to_vec().into(),
            },
            cipher: CipherJson {
                name: "nacl/secretbox".into(),
                nonce: nonce.to_vec().into(),
            },
            ciphertext: ciphertext.into(),
        };
        let json = serde_json::to_vec(&json).expect("key JSON always serialises");
        Ok(pem::encode(SIGSTORE_PRIVATE_KEY_LABEL, &json))
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm()
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match (&self.inner, self.public.digest_algorithm()) {
            (PrivateInner::Ed25519(k), _) => {
                Ok(ed25519_dalek::Signer::sign(k, message).to_bytes().to_vec())
            }
            (_, Some(alg)) => self.sign_prehash(&alg.digest(message)),
            (_, None) => Err(KeyError::NoPrehash("Ed25519")),
        }
    }

    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, KeyError> {
        let expected = self
            .public
            .digest_algorithm()
            .ok_or(KeyError::NoPrehash("Ed25519"))?
            .output_len();
        if digest.len() != expected {
            return Err(KeyError::DigestLength {
                got: digest.len(),
                expected,
            });
        }
        match &self.inner {
            PrivateInner::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash(digest)
                    .map_err(|e| KeyError::Sign(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateInner::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash(digest)
                    .map_err(|e| KeyError::Sign(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateInner::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest)
                .map_err(|e| KeyError::Sign(e.to_string())),
            PrivateInner::Ed25519(_) => Err(KeyError::NoPrehash("Ed25519")),
        }
    }
}

/// Decodes a signature file's contents: base64 (what cosign writes), else raw bytes.
pub fn decode_signature_text(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim();
    crate::encoding::decode_base64(trimmed).unwrap_or_else(|_| bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_encrypt_decrypt_sign_verify() {
        let key = PrivateKey::generate_p256();
        let pem = key.to_cosign_pem_with_cost(b"pw", 15).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let back = PrivateKey::from_cosign_pem(pem.as_bytes(), b"pw").unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert!(PrivateKey::from_cosign_pem(pem.as_bytes(), b"other")
            .unwrap_err()
            .is_wrong_password());
        let sig = back.sign(b"hello").unwrap();
        key.public_key().verify(b"hello", &sig).unwrap();
        assert_eq!(
            key.public_key().verify(b"hellO", &sig),
            Err(SignatureError::Invalid)
        );
        let pub_pem = key.public_key().to_pem();
        assert_eq!(
            &PublicKey::from_pem(pub_pem.as_bytes()).unwrap(),
            key.public_key()
        );
    }

    #[test]
    fn rejects_unknown_scrypt_parameters_before_scrypt() {
        let key = PrivateKey::generate_p256();
        for log_n in [0, 14, 18, 80, 255] {
            assert!(matches!(
                key.to_cosign_pem_with_cost(b"", log_n),
                Err(KeyError::ScryptParams { .. })
            ));
        }
        let pem = key.to_cosign_pem_with_cost(b"", 15).unwrap();
        let block = pem::parse(pem.as_bytes()).unwrap();
        let json = String::from_utf8(block.der.to_vec())
            .unwrap()
            .replace("\"N\":32768", "\"N\":1024");
        let bad = pem::encode(SIGSTORE_PRIVATE_KEY_LABEL, json.as_bytes());
        assert!(matches!(
            PrivateKey::from_cosign_pem(bad.as_bytes(), b""),
            Err(KeyError::ScryptParams { n: 1024, .. })
        ));
    }
}
