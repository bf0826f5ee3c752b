//! "Could not verify": every way verification can fail to reach a verdict. Never an admission.

use vouch_oci::OciError;

/// Why an image could not be verified. Never an admission.
#[derive(Debug, thiserror::Error)]
pub enum CouldNotVerify {
    /// The registry failed (unreachable, timeout, 5xx, digest mismatch, oversized or
    /// malformed content).
    #[error("could not verify `{reference}`")]
    Registry {
        reference: String,
        #[source]
        source: OciError,
    },
    /// A key in the policy is not a usable public key.
    #[error("policy key `{name}`: {reason}")]
    PolicyKey { name: String, reason: String },
    /// A matching policy wants a deploy-time re-scan but no database was given.
    #[error("the policy for `{image}` requires a deploy-time re-scan, but no OSV database is configured")]
    NoRescanDatabase { image: String },
    /// An ignore file or VEX document a matching policy's `rescan` names is unusable.
    #[error("policy `{policy}`: {reason}")]
    RescanTriage { policy: String, reason: String },
    /// The re-scan database cannot be opened.
    #[error("the policy requires a deploy-time re-scan, but the OSV database cannot be opened: {source}")]
    RescanDatabase {
        #[source]
        source: vouch_osv::db::DbError,
    },
    /// A verified SBOM attestation is not a readable SBOM.
    #[error("{source_name}: the attested SBOM cannot be read")]
    AttestedSbom {
        source_name: String,
        #[source]
        source: vouch_sbom::DecodeError,
    },
    /// The re-scan itself failed.
    #[error("{source_name}: re-scan failed")]
    Rescan {
        source_name: String,
        #[source]
        source: vouch_osv::scan::ScanError,
    },
}
