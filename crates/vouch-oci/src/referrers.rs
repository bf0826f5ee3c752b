//! OCI 1.1 referrers: artifacts (Sigstore bundles, SBOMs) whose manifest names the image
//! as its `subject`.
//!
//! Writing follows the distribution spec: push the artifact manifest by digest; if the
//! registry did not answer `OCI-Subject` (it has no referrers API, like docker-registry
//! 2.8), maintain the referrers tag schema index at `sha256-<hex>` ourselves.
//!
//! To keep verification at a handful of round trips, small content is embedded in
//! descriptors (`data`, which the image spec allows precisely to save round trips): the
//! referrer manifest embeds its bundle layer and the tag-schema index embeds each referrer
//! manifest. Readers check embedded bytes against digest and size like fetched ones, and
//! fetch whatever is not embedded.

use std::collections::BTreeMap;

use vouch_core::{Digest, ImageRef};

use crate::client::{referrers_tag, ReferrersSource, Registry};
use crate::error::OciError;
use crate::model::{
    AnyManifest, Descriptor, Index, Manifest, EMPTY_JSON, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST,
};

/// Media type (and artifact type) of a Sigstore bundle v0.3.
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// cosign's annotation naming what a bundle holds (`dsse-envelope`, `message-signature`).
pub const BUNDLE_CONTENT_ANNOTATION: &str = "dev.sigstore.bundle.content";
/// cosign's annotation naming the in-toto predicate type inside a bundle.
pub const BUNDLE_PREDICATE_TYPE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";

/// Content up to this size is embedded in the descriptor pointing at it.
pub const EMBED_LIMIT: usize = 32 * 1024;
/// Most referrers read for one subject (each may cost a request): more is refused.
pub const MAX_REFERRERS: usize = 256;
/// The tag-schema index stops embedding manifests past this size.
const INDEX_EMBED_BUDGET: usize = 1024 * 1024;

/// One referrer with its manifest and layer contents.
#[derive(Debug, Clone)]
pub struct Referrer {
    /// The descriptor from the referrers list (artifact type, annotations).
    pub descriptor: Descriptor,
    pub manifest: Manifest,
    /// Each layer's descriptor and bytes (checked against the descriptor).
    pub layers: Vec<(Descriptor, Vec<u8>)>,
}

impl Referrer {
    /// The artifact type: the manifest's, else its config media type (image spec rule).
    pub fn artifact_type(&self) -> &str {
        self.manifest
            .artifact_type
            .as_deref()
            .or(self.descriptor.artifact_type.as_deref())
            .unwrap_or(&self.manifest.config.media_type)
    }
}

/// What to attach as a referrer.
#[derive(Debug, Clone)]
pub struct NewReferrer<'a> {
    pub artifact_type: &'a str,
    /// `(media type, bytes)` per layer.
    pub layers: Vec<(&'a str, &'a [u8])>,
    pub annotations: BTreeMap<String, String>,
}

impl Registry {
    /// An existing referrer of `subject` with the same artifact type and the same layer
    /// contents as `new` (re-signing with a deterministic signature attaches nothing new).
    async fn same_referrer(
        &self,
        repo: &ImageRef,
        subject: &Digest,
        new: &NewReferrer<'_>,
    ) -> Result<Option<Digest>, OciError> {
        let wanted: Vec<Digest> = new
            .layers
            .iter()
            .map(|(_, bytes)| crate::model::sha256(bytes))
            .collect();
        let (index, _) = self.referrers(repo, subject).await?;
        for desc in index.manifests {
            if desc
                .artifact_type
                .as_deref()
                .is_some_and(|t| t != new.artifact_type)
            {
                continue;
            }
            let what = format!("referrer `{}@{}`", repo.name(), desc.digest);
            let manifest = match desc.embedded(&what)? {
                Some(bytes) => AnyManifest::parse(&what, &bytes, Some(&desc.media_type))?,
                None => {
                    self.get_manifest(&repo.with_digest(desc.digest.clone()))
                        .await?
                        .manifest
                }
            };
            if let AnyManifest::Image(m) = manifest {
                let layers: Vec<&Digest> = m.layers.iter().map(|l| &l.digest).collect();
                if m.artifact_type.as_deref() == Some(new.artifact_type)
                    && layers == wanted.iter().collect::<Vec<_>>()
                {
                    return Ok(Some(desc.digest));
                }
            }
        }
        Ok(None)
    }

    /// The referrers of `subject` whose artifact type `wanted` accepts, with their manifests
    /// and layers (each checked against its digest; layers above the blob limit fail).
    pub async fn referrer_artifacts(
        &self,
        repo: &ImageRef,
        subject: &Digest,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<(Vec<Referrer>, ReferrersSource), OciError> {
        let (index, source) = self.referrers(repo, subject).await?;
        if index.manifests.len() > MAX_REFERRERS {
            return Err(OciError::malformed(
                format!("referrers of `{}@{subject}`", repo.name()),
                format!(
                    "{} entries (at most {MAX_REFERRERS} are read)",
                    index.manifests.len()
                ),
            ));
        }
        let mut out = Vec::new();
        for desc in index.manifests {
            if let Some(at) = &desc.artifact_type {
                if !wanted(at) {
                    continue;
                }
            }
            let what = format!("referrer `{}@{}`", repo.name(), desc.digest);
            let manifest = match desc.embedded(&what)? {
                Some(bytes) => {
                    if bytes.len() as u64 > self.options().max_manifest_bytes {
                        return Err(OciError::TooLarge {
                            what,
                            limit: self.options().max_manifest_bytes,
                        });
                    }
                    AnyManifest::parse(&what, &bytes, Some(&desc.media_type))?
                }
                None => {
                    self.get_manifest(&repo.with_digest(desc.digest.clone()))
                        .await?
                        .manifest
                }
            };
            let AnyManifest::Image(manifest) = manifest else {
                continue;
            };
            // A referrer must point back at the subject it is listed for; a stray entry is
            // ignored (it cannot add evidence, so skipping it cannot admit anything).
            if manifest.subject.as_ref().map(|s| &s.digest) != Some(subject) {
                continue;
            }
            let mut referrer = Referrer {
                descriptor: desc,
                manifest,
                layers: Vec::new(),
            };
            if !wanted(referrer.artifact_type()) {
                continue;
            }
            for layer in referrer.manifest.layers.clone() {
                let bytes = self
                    .get_blob(repo, &layer, self.options().max_blob_bytes)
                    .await?;
                referrer.layers.push((layer, bytes));
            }
            out.push(referrer);
        }
        Ok((out, source))
    }

    /// Attaches an artifact to `subject` (the descriptor of the image's manifest): blobs,
    /// the manifest by digest, and the tag-schema index when the registry did not process
    /// the subject itself. Returns the artifact manifest's digest.
    pub async fn push_referrer(
        &self,
        repo: &ImageRef,
        subject: &Descriptor,
        new: &NewReferrer<'_>,
    ) -> Result<Digest, OciError> {
        if let Some(existing) = self.same_referrer(repo, &subject.digest, new).await? {
            return Ok(existing);
        }
        let config = self.push_blob(repo, OCI_EMPTY, EMPTY_JSON).await?;
        let mut layers = Vec::new();
        for (media_type, bytes) in &new.layers {
            let mut d = self.push_blob(repo, media_type, bytes).await?;
            if bytes.len() <= EMBED_LIMIT {
                d = d.with_data(bytes);
            }
            layers.push(d);
        }
        let mut subject = subject.clone();
        subject.data = None;
        subject.annotations.clear();
        subject.platform = None;
        subject.artifact_type = None;
        subject.urls = None;
        let manifest = Manifest {
            schema_version: 2,
            media_type: Some(OCI_MANIFEST.to_owned()),
            artifact_type: Some(new.artifact_type.to_owned()),
            config,
            layers,
            annotations: new.annotations.clone(),
            subject: Some(subject.clone()),
        };
        let body = serde_json::to_vec(&manifest).expect("manifest serialises");
        let digest = crate::model::sha256(&body);
        let put = self
            .put_manifest(&repo.with_digest(digest.clone()), OCI_MANIFEST, &body)
            .await?;
        if put.subject_processed {
            return Ok(digest);
        }
        // The registry has no referrers API: keep the tag-schema index up to date.
        let tag = repo.with_tag(&referrers_tag(&subject.digest));
        let mut index = match self.get_manifest_opt(&tag).await? {
            Some(m) => match m.manifest {
                AnyManifest::Index(i) => i,
                AnyManifest::Image(_) => {
                    return Err(OciError::malformed(
                        format!("referrers tag `{tag}`"),
                        "it holds an image manifest, not an index",
                    ))
                }
            },
            None => Index::empty(),
        };
        if !index.manifests.iter().any(|d| d.digest == digest) {
            let mut entry = Descriptor::of(OCI_MANIFEST, &body);
            entry.artifact_type = Some(new.artifact_type.to_owned());
            entry.annotations = new.annotations.clone();
            let embedded: usize = index
                .manifests
                .iter()
                .map(|d| d.data.as_ref().map_or(0, String::len))
                .sum();
            if body.len() <= EMBED_LIMIT && embedded + body.len() * 4 / 3 < INDEX_EMBED_BUDGET {
                entry = entry.with_data(&body);
            }
            index.manifests.push(entry);
            index.media_type = Some(OCI_INDEX.to_owned());
            let bytes = serde_json::to_vec(&index).expect("index serialises");
            self.put_manifest(&tag, OCI_INDEX, &bytes).await?;
        }
        Ok(digest)
    }
}
