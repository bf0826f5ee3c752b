//! Deploy-time decisions about container images and files ([`verify_artifact`]).
//!
//! `vouch verify image` and the admission webhook (`vouch-webhook`) must reach the same
//! verdict on the same image, so the orchestration lives here, once: resolve the reference
//! to a digest (`vouch-oci`), read the signatures and attestations stored about that digest
//! in both storage schemes, verify them with the trusted keys (`vouch-sign`) or the Sigstore
//! trusted root (`vouch-trust`), re-scan attested SBOMs against the local OSV database when a
//! policy asks for it (`vouch-osv`), and evaluate everything with `vouch-policy`.
//!
//! Reading order keeps the common case to a few round trips: OCI 1.1 referrers first (the
//! API, or the referrers tag schema whose index embeds small referrer manifests and bundles);
//! only when that evidence does not admit the image are cosign's legacy `.sig`/`.att` tags
//! read as well, and the policy evaluated again on everything. Verified legacy `.sig`
//! signatures reach the policy engine as statements of cosign's sign predicate
//! ([`COSIGN_SIGN_PREDICATE`]), over the digest the signed payload names: a signature for
//! another digest (a re-tagged image) fails the subject check.
//!
//! Keyless (Fulcio certificate) Sigstore bundles are checked offline against the trusted
//! root when a policy for the image trusts keyless identities; key-based signatures are
//! accepted without transparency-log entries (vouch signs images offline).
//!
//! The two outcomes are kept apart in the types: an [`ImageVerdict`] (admitted or denied,
//! with reasons) versus [`CouldNotVerify`] (registry unreachable, timeout, 5xx, digest
//! mismatch, oversized or malformed manifest, unreadable re-scan database). A caller must
//! never admit on [`CouldNotVerify`]: verification fails closed. Nothing here prints.

mod artifact;
mod error;
mod evidence;
mod keyless;
pub mod rescan;
mod trust;

pub use artifact::{verify_artifact, NamedBundle, VerifyArtifactError, VerifyArtifactOptions};
pub use error::CouldNotVerify;
pub use trust::COSIGN_SIGN_PREDICATE;
use trust::{Keys, Trust};

use std::path::Path;

use serde::Serialize;
use vouch_core::{Digest, ImageRef};
use vouch_oci::{AnyManifest, Descriptor, Registry, Resolved};
use vouch_policy::{Evidence, Failure, PolicySet, Verdict};
use vouch_sign::keys::PublicKey;

/// What must carry the evidence when the reference names a multi-platform index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platforms {
    /// The index itself (what `cosign sign` on a tag signs).
    #[default]
    Index,
    /// Every platform manifest the index lists (what `cosign sign --recursive` adds).
    Each,
}

/// Everything a verification needs besides the image reference.
#[derive(Debug, Clone, Copy)]
pub struct VerifyImageOptions<'a> {
    /// The policies; the ones whose `match` globs cover the image's name decide.
    pub policy: &'a PolicySet,
    /// The registry client. Its options bound each request and, with
    /// `RegistryOptions::total_timeout`, the whole verification.
    pub registry: &'a Registry,
    /// Trusted root for keyless bundles; `None` means the embedded Sigstore public-good
    /// root. Only consulted when a matching policy trusts keyless identities.
    pub trusted_root: Option<&'a vouch_trust::TrustedRoot>,
    /// The OSV database directory for policies that re-scan the attested SBOM now.
    /// `None` while a matching policy wants a re-scan is "could not verify".
    pub rescan_db: Option<&'a Path>,
    /// The time policies are evaluated at (attestation age, certificate validity).
    pub now: time::OffsetDateTime,
    pub platforms: Platforms,
}

/// The decision on one image: one verdict per verified digest (the image or index itself,
/// or each platform manifest with [`Platforms::Each`]).
#[derive(Debug, Clone, Serialize)]
pub struct ImageVerdict {
    /// The reference as given, pinned to the digest it resolved to.
    pub reference: ImageRef,
    pub verdicts: Vec<Verdict>,
}

impl ImageVerdict {
    /// Whether no policy covers the image, so `noMatch` decided it without the registry.
    pub fn unmatched(&self) -> bool {
        self.verdicts.len() == 1 && self.verdicts[0].policies.is_empty()
    }

    /// Admitted when every verdict admits (and there is at least one).
    pub fn admitted(&self) -> bool {
        !self.verdicts.is_empty() && self.verdicts.iter().all(Verdict::admitted)
    }

    /// The failed checks of `enforce` policies across all verdicts.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.verdicts.iter().flat_map(|v| v.failures.iter())
    }

    /// The failed checks of `warn` policies across all verdicts.
    pub fn warnings(&self) -> impl Iterator<Item = &Failure> {
        self.verdicts.iter().flat_map(|v| v.warnings.iter())
    }
}

/// Whether a policy matching `name` trusts keyless (certificate) identities, so a trusted
/// root is needed.
pub fn wants_keyless(set: &PolicySet, name: &str) -> bool {
    set.matching(name)
        .iter()
        .any(|p| !p.signers.identities.is_empty())
}

/// Whether a policy matching `name` asks for a deploy-time re-scan of the attested SBOM.
pub fn wants_rescan(set: &PolicySet, name: &str) -> bool {
    PolicySet::wants_rescan(&set.matching(name))
}

/// What must carry the evidence for `name`: every platform manifest when the caller or any
/// matching policy says `each` (the stricter choice wins), else the index.
pub fn effective_platforms(set: &PolicySet, name: &str, requested: Platforms) -> Platforms {
    let policy_wants_each = set
        .policies
        .iter()
        .any(|p| p.applies_to(name) && p.platforms == Some(vouch_policy::PlatformScope::Each));
    if requested == Platforms::Each || policy_wants_each {
        Platforms::Each
    } else {
        Platforms::Index
    }
}

/// The manifests of an index with their platforms (empty for a single manifest).
pub fn platforms(resolved: &Resolved) -> Vec<Descriptor> {
    match &resolved.manifest.manifest {
        AnyManifest::Index(i) => i.manifests.clone(),
        AnyManifest::Image(_) => Vec::new(),
    }
}

fn keys_for(set: &PolicySet, name: &str) -> Result<Keys, CouldNotVerify> {
    let mut out: Vec<(PublicKey, String)> = Vec::new();
    for p in set.matching(name) {
        for k in &p.signers.keys {
            let (Some(pem), Some(fp)) = (&k.pem, &k.fingerprint) else {
                continue;
            };
            if out.iter().any(|(_, f)| f == fp) {
                continue;
            }
            let key =
                PublicKey::from_pem(pem.as_bytes()).map_err(|e| CouldNotVerify::PolicyKey {
                    name: k.name.clone(),
                    reason: e.to_string(),
                })?;
            out.push((key, fp.clone()));
        }
    }
    Ok(Keys(out))
}

/// Verifies `reference` against the policies in `options`.
///
/// An image no policy covers is decided by the policy file's `noMatch` without any registry
/// request. A digest reference with [`Platforms::Index`] needs no manifest fetch: the digest
/// is what is verified. Otherwise the reference is resolved once and everything is read by
/// digest.
pub async fn verify_image(
    reference: &ImageRef,
    options: &VerifyImageOptions<'_>,
) -> Result<ImageVerdict, CouldNotVerify> {
    let set = options.policy;
    let name = reference.name();
    let digest = reference.digest().map(ToString::to_string);
    if let Some(verdict) = vouch_policy::unmatched(set, &name, digest.as_deref(), options.now) {
        return Ok(ImageVerdict {
            reference: reference.clone(),
            verdicts: vec![verdict],
        });
    }
    let public_good;
    let root = if wants_keyless(set, &name) {
        if let Some(r) = options.trusted_root {
            Some(r)
        } else {
            public_good = vouch_trust::TrustedRoot::public_good();
            Some(&public_good)
        }
    } else {
        None
    };
    let rescan_db = if wants_rescan(set, &name) {
        Some(
            options
                .rescan_db
                .ok_or_else(|| CouldNotVerify::NoRescanDatabase {
                    image: reference.to_string(),
                })?,
        )
    } else {
        None
    };
    let trust = Trust {
        keys: keys_for(set, &name)?,
        root,
        now: options.now,
    };
    // The policies' own ignores and VEX statements, applied to the re-scan.
    let triage = match rescan_db {
        Some(_) => rescan::triage_for(&set.matching(&name)).map_err(|e| {
            let (policy, source) = *e;
            CouldNotVerify::RescanTriage {
                policy,
                reason: source.to_string(),
            }
        })?,
        None => Vec::new(),
    };
    let rescan_db = rescan_db.map(|db| (db, triage.as_slice()));
    let registry = options.registry;
    let could_not = |source| CouldNotVerify::Registry {
        reference: reference.to_string(),
        source,
    };
    let platforms = effective_platforms(set, &name, options.platforms);
    let (pinned, targets) = if let (Some(d), Platforms::Index) = (reference.digest(), platforms) {
        (reference.clone(), vec![d.clone()])
    } else {
        let resolved = registry.resolve(reference).await.map_err(could_not)?;
        let manifests = self::platforms(&resolved);
        let targets = if platforms == Platforms::Each && !manifests.is_empty() {
            manifests.iter().map(|d| d.digest.clone()).collect()
        } else {
            vec![resolved.digest.clone()]
        };
        (resolved.reference, targets)
    };
    let mut verdicts = Vec::new();
    for t in &targets {
        verdicts.push(verify_digest(registry, &pinned, &name, t, set, &trust, rescan_db).await?);
    }
    Ok(ImageVerdict {
        reference: pinned,
        verdicts,
    })
}

/// Verifies one digest: referrers first, then legacy tags when that does not admit.
async fn verify_digest(
    registry: &Registry,
    reference: &ImageRef,
    name: &str,
    subject: &Digest,
    set: &PolicySet,
    trust: &Trust<'_>,
    rescan_db: Option<(&Path, &[vouch_osv::triage::Triage])>,
) -> Result<Verdict, CouldNotVerify> {
    let today = trust.now.date().to_string();
    let could_not = |source| CouldNotVerify::Registry {
        reference: reference.to_string(),
        source,
    };
    let mut evidence = Evidence {
        artifact: vouch_policy::Artifact {
            name: name.to_owned(),
            digest: subject.clone(),
        },
        statements: Vec::new(),
        rejected: Vec::new(),
        rescan: None,
    };
    evidence::referrers(registry, reference, subject, trust, &mut evidence)
        .await
        .map_err(could_not)?;
    if let Some((db, triage)) = rescan_db {
        evidence.rescan =
            rescan::rescan_triaged(db, &evidence.statements, subject, triage, &today)?;
    }
    let verdict = vouch_policy::evaluate_image(set, &evidence, trust.now);
    if verdict.admitted() {
        return Ok(verdict);
    }
    evidence::legacy(registry, reference, subject, &trust.keys, &mut evidence)
        .await
        .map_err(could_not)?;
    if let Some((db, triage)) = rescan_db {
        evidence.rescan =
            rescan::rescan_triaged(db, &evidence.statements, subject, triage, &today)?;
    }
    Ok(vouch_policy::evaluate_image(set, &evidence, trust.now))
}
