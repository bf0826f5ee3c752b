//! cosign-compatible keys, blob and DSSE signatures, Sigstore bundles.
