//! What signatures are checked with: the trusted keys of the matching policies, the trusted
//! root for keyless bundles, the time; and cosign's sign predicate, the statement type a
//! verified legacy `.sig` signature becomes.

use vouch_sign::keys::PublicKey;

/// cosign v3's predicate type for an image signature carried as an in-toto statement.
/// Verified legacy `.sig` signatures are reported to the policy engine as statements of this
/// type, so policies require a signature by requiring this predicate.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// Trusted keys with their policy fingerprints.
pub(crate) struct Keys(pub(crate) Vec<(PublicKey, String)>);

/// What signatures are checked with.
pub(crate) struct Trust<'a> {
    pub(crate) keys: Keys,
    pub(crate) root: Option<&'a vouch_trust::TrustedRoot>,
    pub(crate) now: time::OffsetDateTime,
}
