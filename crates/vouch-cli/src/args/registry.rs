//! The arguments of the registry and storage-scheme flags of the image commands: clap-derive types only.

use clap::Args;

/// Registry flags every image command takes.
#[derive(Debug, Args, Clone)]
pub struct RegistryArgs {
    /// Allow plain HTTP to registries that are not on a loopback address.
    #[arg(long)]
    pub allow_insecure_registry: bool,
    /// Seconds to wait for each registry request before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub registry_timeout: u64,
    /// Largest blob (signature, attestation, SBOM) accepted from the registry, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_blob_size: u64,
}

/// Which storage schemes to write.
#[derive(Debug, Args, Clone, Copy)]
pub struct SchemeArgs {
    /// Do not write the OCI 1.1 referrer (Sigstore bundle); only the cosign tag.
    #[arg(long, conflicts_with = "no_legacy_tag")]
    pub no_referrer: bool,
    /// Do not write the cosign `.sig`/`.att` tag; only the OCI 1.1 referrer.
    #[arg(long)]
    pub no_legacy_tag: bool,
}
