//! cosign-compatible keys, blob and DSSE signatures, Sigstore bundles.
//!
//! vouch signs with the keys cosign users already have and writes what cosign-world
//! verifiers accept: cosign's encrypted key files, base64 DER ECDSA blob signatures, DSSE
//! envelopes and Sigstore bundles (v0.1–v0.3 read, v0.3 written). Verification with a key
//! lives here; transparency-log, certificate and timestamp checks live in `vouch-trust`, which
//! builds on these types.

pub mod bundle;
pub mod dsse;
pub mod encoding;

pub use bundle::Bundle;
pub use dsse::Envelope;
pub use encoding::Base64Bytes;
pub mod hash;
pub mod keys;
pub mod pem;

pub use hash::DigestAlgorithm;
pub use keys::{KeyAlgorithm, KeyError, PrivateKey, PublicKey, SignatureError, Signer};
pub mod verify;

pub use dsse::sign_envelope;
pub use verify::{verify_bundle_with_key, verify_envelope_with_key, Artifact, TlogPolicy};
