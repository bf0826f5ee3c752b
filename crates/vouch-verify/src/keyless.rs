//! Keyless (Fulcio certificate) Sigstore bundles, checked offline against a trusted root: the
//! certificate chain, the transparency-log entry and the signature. Shared by the image and
//! artifact verifiers; each words its rejections for its own evidence.

use time::OffsetDateTime;
use vouch_policy::Signer;

/// What a keyless bundle proved.
pub(crate) struct Keyless {
    /// One signer per subject alternative name of the certificate, with its issuer.
    pub(crate) signers: Vec<Signer>,
    /// The DSSE payload type and payload (`None` for a message signature).
    pub(crate) payload: Option<(String, Vec<u8>)>,
    /// When the transparency log or a timestamp authority saw the signature.
    pub(crate) signed_at: Option<OffsetDateTime>,
}

/// Verifies `bundle` over the sha256 digest `subject` against `root` at `now`, accepting any
/// identity (the policy engine matches identities). `Ok(None)`: verified, but the signer is
/// not a certificate identity.
pub(crate) fn verify(
    bundle: &vouch_sign::bundle::Bundle,
    subject: [u8; 32],
    root: &vouch_trust::TrustedRoot,
    now: OffsetDateTime,
) -> Result<Option<Keyless>, vouch_trust::VerifyError> {
    let any = vouch_trust::Matcher::regex(".*").expect("valid regex");
    let policy = vouch_trust::VerificationPolicy::Identity {
        san: any.clone(),
        issuer: any,
    };
    let opts = vouch_trust::VerifyOptions {
        require_tlog: true,
        now: Some(now.unix_timestamp()),
    };
    let v = vouch_trust::verify_bundle(
        bundle,
        &vouch_trust::Artifact::Sha256(subject),
        &policy,
        root,
        opts,
    )?;
    let vouch_trust::Signer::Certificate { identity, .. } = &v.signer else {
        return Ok(None);
    };
    let issuer = identity.issuer.clone().unwrap_or_default();
    let signers = identity
        .sans
        .iter()
        .map(|san| Signer::Identity {
            issuer: issuer.clone(),
            subject: san.clone(),
        })
        .collect();
    Ok(Some(Keyless {
        signers,
        payload: v.payload,
        signed_at: v
            .signing_time
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
    }))
}
