//! Signing sessions: keyless (ephemeral key → Fulcio → signature → TSA → Rekor) and key-based
//! (a signature made with a cosign key, then logged and timestamped). Either way the result is
//! a Sigstore bundle v0.3 that has been verified against the trusted root before it is
//! returned, so vouch never hands out a bundle its own verifier would refuse.

use std::time::Duration;

use vouch_sign::bundle::{
    Bundle, HashOutput, MessageSignature, Rfc3161SignedTimestamp, TimestampVerificationData,
    VerificationMaterial, X509Certificate, MEDIA_TYPE_V0_3,
};
use vouch_sign::keys::Signer as _;
use vouch_sign::{DigestAlgorithm, Envelope, KeyError, PrivateKey};
use vouch_trust::{Artifact, TrustedRoot, VerificationPolicy, VerifyError, VerifyOptions};

use crate::config::{ConfigError, Services};
use crate::fulcio::{self, CertificateError};
use crate::http::{Http, ServiceError};
use crate::rekor::{self, Content, Verifier};
use crate::token::{IdentityToken, TokenError};
use crate::tsa;

/// The per-request timeout of every service call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    #[error("no certificate authority to sign with: the signing config lists no usable Fulcio (pass `--fulcio-url` or `--signing-config`)")]
    NoFulcio,
    #[error("the Rekor v2 log `{0}` records no time, so a timestamp authority is required: add one to the signing config or pass `--timestamp-server-url`")]
    NeedsTimestamp(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("signing failed: {0}")]
    Key(#[from] KeyError),
    #[error("the new bundle does not verify against the trusted root ({0}); is `--trusted-root` the root of these services?")]
    SelfCheck(#[source] VerifyError),
}

/// What to sign.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// A file, by its SHA-256 (what `cosign sign-blob` signs).
    Blob { sha256: &'a [u8; 32] },
    /// A DSSE payload (an in-toto statement for attestations).
    Dsse {
        payload_type: &'a str,
        payload: &'a [u8],
    },
}

/// A signed bundle and what it proves.
#[derive(Debug, Clone)]
pub struct Signed {
    pub bundle: Bundle,
    /// For keyless bundles: the certificate's identity (SANs, issuer, Fulcio extensions).
    pub identity: Option<vouch_trust::CertIdentity>,
    /// Every verified time (integrated times, timestamps), Unix seconds.
    pub verified_times: Vec<i64>,
}

/// Services, trust and an HTTP client for one or more signatures.
#[derive(Debug)]
pub struct Session {
    http: Http,
    root: TrustedRoot,
    services: Services,
}

impl Session {
    pub fn new(
        services: Services,
        root: TrustedRoot,
        timeout: Duration,
    ) -> Result<Self, SignError> {
        Ok(Self {
            http: Http::new(timeout)?,
            root,
            services,
        })
    }

    /// The services in use.
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Finds an identity token (see [`crate::token::discover`]).
    pub fn identity_token(
        &self,
        explicit: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<IdentityToken, SignError> {
        Ok(crate::token::discover(explicit, env, &self.http)?)
    }

    fn check_timestamps_available(&self) -> Result<(), SignError> {
        if let Some(v2) = self
            .services
            .rekor
            .iter()
            .find(|r| r.major_api_version == 2)
        {
            if self.services.tsa.is_empty() {
                return Err(SignError::NeedsTimestamp(v2.url.clone()));
            }
        }
        Ok(())
    }

    /// Keyless: a fresh P-256 key that lives only in this call's memory (zeroized on drop),
    /// a Fulcio certificate for `token`'s identity, the signature, timestamps and log entries.
    pub fn sign_keyless(
        &self,
        token: &IdentityToken,
        payload: Payload<'_>,
    ) -> Result<Signed, SignError> {
        let fulcio_url = self.services.fulcio.as_deref().ok_or(SignError::NoFulcio)?;
        self.check_timestamps_available()?;
        let key = PrivateKey::generate_p256();
        let now = now();
        let cert =
            fulcio::request_certificate(&self.http, fulcio_url, token, &key, &self.root, now)?;
        let material = VerificationMaterial {
            certificate: Some(X509Certificate {
                raw_bytes: cert.leaf_der.clone().into(),
            }),
            ..VerificationMaterial::default()
        };
        let (bundle, artifact) = sign_payload(&key, payload, material, true)?;
        let bundle = self.add_evidence(bundle, Verifier::Certificate(&cert.leaf_der))?;
        let policy = VerificationPolicy::Identity {
            san: vouch_trust::Matcher::Exact(
                cert.identity.sans.first().cloned().unwrap_or_default(),
            ),
            issuer: vouch_trust::Matcher::Exact(cert.identity.issuer.clone().unwrap_or_default()),
        };
        self.finish(bundle, artifact.as_ref(), &policy, Some(cert.identity))
    }

    /// Key-based: signs with `key`, then logs and timestamps as the services say (cosign's
    /// default `--tlog-upload=true`).
    pub fn sign_with_key(
        &self,
        key: &PrivateKey,
        payload: Payload<'_>,
    ) -> Result<Signed, SignError> {
        self.check_timestamps_available()?;
        let public = key.public_key();
        if let Payload::Blob { .. } = payload {
            if public.digest_algorithm() != Some(DigestAlgorithm::Sha256) {
                return Err(SignError::Unsupported(format!(
                    "a {} key signs blobs over a digest other than SHA-256, which vouch cannot log in Rekor; use `--tlog-upload=false`",
                    public.algorithm()
                )));
            }
        }
        let material = VerificationMaterial::for_key(public);
        let (bundle, artifact) = sign_payload(key, payload, material, false)?;
        let spki = public.to_spki_der().to_vec();
        let bundle = self.add_evidence(bundle, Verifier::PublicKey(&spki, public.algorithm()))?;
        let trust_key = vouch_trust::PublicKey::from_spki_der(&spki)
            .map_err(|e| SignError::Unsupported(format!("the signing key: {e}")))?;
        self.finish(
            bundle,
            artifact.as_ref(),
            &VerificationPolicy::Key(trust_key),
            None,
        )
    }

    /// Timestamps the signature at every TSA, then writes an entry to every log.
    fn add_evidence(
        &self,
        mut bundle: Bundle,
        verifier: Verifier<'_>,
    ) -> Result<Bundle, SignError> {
        let signature = bundle.signature().unwrap_or_default().to_vec();
        let mut stamps = Vec::new();
        for url in &self.services.tsa {
            let ts = tsa::timestamp(&self.http, url, &signature, &self.root)?;
            stamps.push(Rfc3161SignedTimestamp {
                signed_timestamp: ts.der.into(),
            });
        }
        if !stamps.is_empty() {
            bundle.verification_material.timestamp_verification_data =
                Some(TimestampVerificationData {
                    rfc3161_timestamps: stamps,
                });
        }
        let sha256: Option<[u8; 32]> = match &bundle.message_signature {
            Some(m) => Some(
                m.message_digest
                    .as_ref()
                    .and_then(|d| d.digest.as_slice().try_into().ok())
                    .ok_or_else(|| {
                        SignError::Unsupported("the message digest is not SHA-256".into())
                    })?,
            ),
            None => None,
        };
        let envelope = bundle.dsse_envelope.clone();
        for log in &self.services.rekor {
            let content = match (&sha256, &envelope) {
                (Some(sha256), _) => Content::Message {
                    sha256,
                    signature: &signature,
                },
                (None, Some(env)) => Content::Dsse(env),
                (None, None) => unreachable!("a signed bundle has content"),
            };
            let entry = rekor::log_entry(&self.http, log, content, verifier)?;
            bundle.verification_material.tlog_entries.push(entry);
        }
        Ok(bundle)
    }

    fn finish(
        &self,
        bundle: Bundle,
        artifact: Option<&Artifact>,
        policy: &VerificationPolicy,
        identity: Option<vouch_trust::CertIdentity>,
    ) -> Result<Signed, SignError> {
        let options = VerifyOptions {
            require_tlog: !self.services.rekor.is_empty(),
            now: None,
        };
        let verified = match artifact {
            Some(a) => vouch_trust::verify_bundle(&bundle, a, policy, &self.root, options),
            None => vouch_trust::verify_dsse_bundle_unbound(&bundle, policy, &self.root, options),
        }
        .map_err(SignError::SelfCheck)?;
        let verified_times = verified.verified_times;
        Ok(Signed {
            bundle,
            identity,
            verified_times,
        })
    }
}

fn sign_payload(
    key: &PrivateKey,
    payload: Payload<'_>,
    material: VerificationMaterial,
    keyless: bool,
) -> Result<(Bundle, Option<Artifact>), SignError> {
    Ok(match payload {
        Payload::Blob { sha256 } => {
            let signature = key.sign_prehash(sha256)?;
            let bundle = Bundle {
                media_type: MEDIA_TYPE_V0_3.to_owned(),
                verification_material: material,
                message_signature: Some(MessageSignature {
                    message_digest: Some(HashOutput {
                        algorithm: DigestAlgorithm::Sha256.to_bundle(),
                        digest: sha256.to_vec().into(),
                    }),
                    signature: signature.into(),
                }),
                dsse_envelope: None,
            };
            (bundle, Some(Artifact::Sha256(*sha256)))
        }
        Payload::Dsse {
            payload_type,
            payload,
        } => {
            let mut envelope: Envelope = vouch_sign::sign_envelope(payload_type, payload, key)?;
            if keyless {
                // The certificate names the key; cosign leaves keyid empty.
                for s in &mut envelope.signatures {
                    s.keyid.clear();
                }
            }
            let artifact = statement_subject(payload_type, payload);
            let bundle = Bundle {
                media_type: MEDIA_TYPE_V0_3.to_owned(),
                verification_material: material,
                message_signature: None,
                dsse_envelope: Some(envelope),
            };
            (bundle, artifact)
        }
    })
}

/// For an in-toto statement: its first subject's SHA-256 (or SHA-512) digest, so the
/// self-check also ties the statement to what it is about. Other payloads are checked unbound.
fn statement_subject(payload_type: &str, payload: &[u8]) -> Option<Artifact> {
    if payload_type != vouch_sign::dsse::IN_TOTO_PAYLOAD_TYPE {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let digest = &v["subject"].as_array()?.first()?["digest"];
    if let Some(h) = digest["sha256"].as_str() {
        return Artifact::from_digest(&format!("sha256:{h}"));
    }
    Artifact::from_digest(&format!("sha512:{}", digest["sha512"].as_str()?))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
