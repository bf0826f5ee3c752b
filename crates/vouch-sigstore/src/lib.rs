//! Keyless Sigstore signing: what `cosign sign-blob` and `cosign attest-blob` do without a key.
//!
//! vouch-trust verifies Sigstore bundles offline; this crate makes them online. An identity
//! token (explicit, `SIGSTORE_ID_TOKEN`, or GitHub Actions' token service) buys a ten-minute
//! Fulcio certificate for an ephemeral P-256 key that never leaves memory; the signature is
//! timestamped by an RFC 3161 authority and logged in Rekor (v1 `hashedrekord`/`dsse`, or v2);
//! the pieces are assembled into a Sigstore bundle v0.3. Key-based signatures take the same
//! log and timestamp path (cosign's default `--tlog-upload=true`).
//!
//! Key design choice: nothing a service answers is trusted on arrival. The certificate chain
//! and its SCT are checked against the [`vouch_trust::TrustedRoot`] before the key signs
//! anything, timestamps are verified when they arrive, and the finished bundle goes through
//! [`vouch_trust::verify_bundle`] before it is returned.
//!
//! Besides vouch-oci and the OSV client, this is the only crate that opens outgoing
//! connections: Fulcio, Rekor, the timestamp authority and GitHub's token service, all through
//! one client with timeouts and bounded retries ([`http`]).

pub mod config;
pub mod fulcio;
pub mod http;
pub mod rekor;
mod sign;
pub mod token;
pub mod tsa;

pub use config::{RekorService, ServiceOverrides, Services, SigningConfig};
pub use sign::{Payload, Session, SignError, Signed, DEFAULT_TIMEOUT};
pub use token::IdentityToken;
