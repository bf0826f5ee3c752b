//! Sigstore trust material: trusted roots, Rekor entries, inclusion proofs, checkpoints, certificates, SCTs, RFC 3161.
