//! Fulcio (`POST /api/v2/signingCert`): a short-lived code-signing certificate for an
//! ephemeral key, in exchange for an identity token and a proof of possession (the key's
//! signature over the token's subject). The answer is checked before use: the leaf must carry
//! our key, chain to a certificate authority of the trusted root now, and embed an SCT from
//! one of its CT logs.

use serde::Serialize;
use vouch_sign::keys::Signer;
use vouch_trust::{certs, TrustedRoot};

use crate::http::{Http, ServiceError};
use crate::token::IdentityToken;

const SERVICE: &str = "Fulcio";

/// Why a certificate from Fulcio was refused.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("Fulcio at `{url}` issued a certificate vouch refuses: {why}")]
    Refused { url: String, why: String },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    credentials: Credentials<'a>,
    public_key_request: PublicKeyRequest,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Credentials<'a> {
    oidc_identity_token: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyRequest {
    public_key: PublicKeyJson,
    proof_of_possession: String,
}

#[derive(Serialize)]
struct PublicKeyJson {
    algorithm: &'static str,
    content: String,
}

/// A checked signing certificate: the leaf (DER) for the bundle, and its identity.
#[derive(Debug, Clone)]
pub struct SigningCertificate {
    pub leaf_der: Vec<u8>,
    pub identity: vouch_trust::CertIdentity,
}

/// Requests and checks a certificate for `key`.
pub fn request_certificate(
    http: &Http,
    fulcio_url: &str,
    token: &IdentityToken,
    key: &dyn Signer,
    root: &TrustedRoot,
    now: i64,
) -> Result<SigningCertificate, CertificateError> {
    let url = format!("{fulcio_url}/api/v2/signingCert");
    let refused = |why: String| CertificateError::Refused {
        url: url.clone(),
        why,
    };
    let proof = key
        .sign(token.subject.as_bytes())
        .map_err(|e| refused(format!("cannot sign the proof of possession: {e}")))?;
    let body = serde_json::to_vec(&Request {
        credentials: Credentials {
            oidc_identity_token: token.as_str(),
        },
        public_key_request: PublicKeyRequest {
            public_key: PublicKeyJson {
                algorithm: "ECDSA",
                content: key.public_key().to_pem(),
            },
            proof_of_possession: vouch_sign::encoding::encode_base64(&proof),
        },
    })
    .expect("the request always serialises");
    let answer = http.post(SERVICE, &url, "application/json", "application/json", &body)?;
    let answer: serde_json::Value = serde_json::from_slice(&answer)
        .map_err(|_| ServiceError::shape(SERVICE, &url, "the answer is not JSON"))?;
    let Some(pems) = answer["signedCertificateEmbeddedSct"]["chain"]["certificates"].as_array()
    else {
        return Err(if answer.get("signedCertificateDetachedSct").is_some() {
            refused("it has a detached SCT; vouch needs the SCT embedded in the certificate".into())
        } else {
            ServiceError::shape(SERVICE, &url, "the answer has no certificate chain").into()
        });
    };
    let leaf_pem = pems
        .first()
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| ServiceError::shape(SERVICE, &url, "the certificate chain is empty"))?;
    let (label, leaf_der) = vouch_trust::keys::pem_decode(leaf_pem)
        .ok_or_else(|| ServiceError::shape(SERVICE, &url, "the leaf is not PEM"))?;
    if label != "CERTIFICATE" {
        return Err(
            ServiceError::shape(SERVICE, &url, format!("the leaf is a PEM `{label}`")).into(),
        );
    }
    let leaf = certs::parse(&leaf_der)
        .map_err(|e| refused(format!("the leaf certificate does not parse: {e}")))?;
    let leaf_key =
        certs::public_key(&leaf).map_err(|e| refused(format!("the leaf's public key: {e}")))?;
    if leaf_key.to_spki_der() != key.public_key().to_spki_der() {
        return Err(refused("the certificate is for another key".into()));
    }
    let (_, issuer) = certs::chain_to(
        "certificate",
        &leaf,
        &leaf_der,
        &root.certificate_authorities,
        now,
    )
    .map_err(|e| refused(e.to_string()))?;
    certs::verify_scts(&leaf, issuer, root).map_err(|e| refused(e.to_string()))?;
    Ok(SigningCertificate {
        identity: certs::identity(&leaf),
        leaf_der,
    })
}
