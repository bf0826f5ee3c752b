//! OCI registry access: tag to digest once, then everything by digest, verified.
//!
//! This is the only vouch crate that talks to registries. A reference is resolved to a
//! digest exactly once ([`Registry::resolve`]); from then on every manifest and blob is
//! fetched by digest and hashed on arrival, so a registry (or anything between us and it)
//! can make a verification fail but never make it pass. Reads are bounded in size and time;
//! every failure is an [`OciError`], which callers report as "could not verify".
//!
//! Signatures and attestations are read and written in both places cosign uses: the legacy
//! tag scheme (`sha256-<hex>.sig` / `.att`, see [`cosign`]) and OCI 1.1 referrers, with the
//! referrers tag schema for registries without the referrers API (see [`referrers`]).

pub mod auth;
pub mod client;
pub mod cosign;
pub mod error;
pub mod model;
pub mod referrers;

pub use auth::Credential;
pub use client::{
    FetchedManifest, PutManifest, ReferrersSource, Registry, RegistryOptions, RequestObserver,
};
pub use error::OciError;
pub use model::{AnyManifest, Descriptor, Index, Manifest, Platform};

use vouch_core::{Digest, ImageRef};

/// A reference resolved to the digest of the manifest it names.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The reference as given, pinned to the digest.
    pub reference: ImageRef,
    pub digest: Digest,
    /// The manifest (or index) itself, already checked against the digest.
    pub manifest: FetchedManifest,
}

impl Registry {
    /// Resolves `reference` (a tag, or a digest to check) to the digest of its manifest,
    /// fetching and hashing the manifest itself (one round trip).
    pub async fn resolve(&self, reference: &ImageRef) -> Result<Resolved, OciError> {
        let manifest = self.get_manifest(reference).await?;
        Ok(Resolved {
            reference: reference.with_digest(manifest.digest.clone()),
            digest: manifest.digest.clone(),
            manifest,
        })
    }
}

/// Runs a registry future to completion on a private single-threaded runtime, for callers
/// that are not async themselves. Must not be called from inside a tokio runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, OciError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(OciError::Runtime)?;
    Ok(rt.block_on(future))
}

/// Resolves a tag (or checks a digest) to the manifest digest, blocking.
///
/// This is the entry point for tools that only need a digest (pinning `FROM` lines, for
/// example): one request, the manifest hashed locally, the registry's `Docker-Content-Digest`
/// cross-checked.
pub fn resolve(reference: &ImageRef, options: &RegistryOptions) -> Result<Digest, OciError> {
    let registry = Registry::new(options.clone())?;
    block_on(async { registry.resolve(reference).await.map(|r| r.digest) })?
}
