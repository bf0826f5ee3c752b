//! Sigstore trust: trusted roots, Rekor entries, inclusion proofs, checkpoints, certificates, SCTs,
//! RFC 3161 timestamps, and full offline bundle verification (key or keyless) on top of `vouch-sign`.
