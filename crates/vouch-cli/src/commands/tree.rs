//! `vouch tree`: what is attached to an image, in both storage schemes (cosign's
//! `.sig`/`.att`/`.sbom` tags and OCI 1.1 referrers), per platform for an index.

use serde::Serialize;
use vouch_core::{Digest, ImageRef};
use vouch_oci::{cosign, AnyManifest, OciError, Registry};

use crate::args::tree::TreeArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::registry;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Attached {
    digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<String>,
    /// `.sig` layers.
    signatures: Vec<String>,
    /// `.att` layers (predicate types).
    attestations: Vec<String>,
    /// `.sbom` layers (media types).
    sboms: Vec<String>,
    referrers: Vec<ReferrerEntry>,
    referrers_source: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferrerEntry {
    digest: String,
    artifact_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    predicate_type: Option<String>,
}

async fn attached(
    registry: &Registry,
    reference: &ImageRef,
    digest: &Digest,
    platform: Option<String>,
) -> Result<Attached, OciError> {
    let layers = |m: Option<vouch_oci::FetchedManifest>| match m.map(|m| m.manifest) {
        Some(AnyManifest::Image(i)) => i.layers,
        _ => Vec::new(),
    };
    let sig = layers(
        registry
            .get_manifest_opt(&reference.with_tag(&cosign::signature_tag(digest)))
            .await?,
    );
    let att = layers(
        registry
            .get_manifest_opt(&reference.with_tag(&cosign::attestation_tag(digest)))
            .await?,
    );
    let sbom = layers(
        registry
            .get_manifest_opt(&reference.with_tag(&cosign::sbom_tag(digest)))
            .await?,
    );
    let (index, source) = registry.referrers(reference, digest).await?;
    Ok(Attached {
        digest: digest.to_string(),
        platform,
        signatures: sig.iter().map(|l| l.digest.to_string()).collect(),
        attestations: att
            .iter()
            .map(|l| {
                l.annotations
                    .get(cosign::PREDICATE_TYPE_ANNOTATION)
                    .cloned()
                    .unwrap_or_else(|| l.media_type.clone())
            })
            .collect(),
        sboms: sbom.iter().map(|l| l.media_type.clone()).collect(),
        referrers: index
            .manifests
            .iter()
            .map(|d| ReferrerEntry {
                digest: d.digest.to_string(),
                artifact_type: d.artifact_type.clone().unwrap_or_default(),
                predicate_type: d
                    .annotations
                    .get(vouch_oci::referrers::BUNDLE_PREDICATE_TYPE_ANNOTATION)
                    .cloned(),
            })
            .collect(),
        referrers_source: match source {
            vouch_oci::ReferrersSource::Api => "referrers API",
            vouch_oci::ReferrersSource::TagSchema => "referrers tag schema",
        },
    })
}

fn render(out: &mut String, reference: &ImageRef, a: &Attached) {
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "📦 {}@{}{}",
        reference.name(),
        a.digest,
        a.platform
            .as_ref()
            .map_or_else(String::new, |p| format!(" ({p})"))
    );
    let hex = a.digest.split_once(':').map_or("", |(_, h)| h);
    let refs: Vec<String> = a
        .referrers
        .iter()
        .map(|r| {
            format!(
                "{} {}{}",
                r.digest,
                r.artifact_type,
                r.predicate_type
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" ({p})"))
            )
        })
        .collect();
    let sections: Vec<(String, &[String])> = [
        (
            format!("🔐 signatures (sha256-{hex}.sig)"),
            a.signatures.as_slice(),
        ),
        (
            format!("💾 attestations (sha256-{hex}.att)"),
            a.attestations.as_slice(),
        ),
        (format!("📦 SBOMs (sha256-{hex}.sbom)"), a.sboms.as_slice()),
        (
            format!("🔗 referrers ({})", a.referrers_source),
            refs.as_slice(),
        ),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .collect();
    if sections.is_empty() {
        let _ = writeln!(out, "└── (nothing attached)");
    }
    // `├──` for every entry but the last of its level, `└──` for the last; children of a
    // section that has a sibling below it hang from a `│`.
    let branch = |last: bool| if last { "└── " } else { "├── " };
    for (i, (title, items)) in sections.iter().enumerate() {
        let last_section = i + 1 == sections.len();
        let _ = writeln!(out, "{}{title}", branch(last_section));
        let indent = if last_section { "    " } else { "│   " };
        for (j, item) in items.iter().enumerate() {
            let _ = writeln!(out, "{indent}{}{item}", branch(j + 1 == items.len()));
        }
    }
}

pub fn run(ctx: &Context, args: TreeArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let reference = registry::parse_ref(&args.image)?;
    let registry = args.registry.registry()?;
    let (pinned, all) = registry::block_on(async {
        let resolved = registry.resolve(&reference).await?;
        let mut all = vec![attached(&registry, &resolved.reference, &resolved.digest, None).await?];
        for p in registry::platforms(&resolved) {
            let platform = p.platform.as_ref().map(ToString::to_string);
            all.push(attached(&registry, &resolved.reference, &p.digest, platform).await?);
        }
        Ok::<_, OciError>((resolved.reference, all))
    })?
    .map_err(|e| registry::could_not("list what is attached to", &reference, e))?;
    let out = if format == "json" {
        let mut v = serde_json::to_vec_pretty(&serde_json::json!({
            "image": pinned.to_string(),
            "manifests": all,
        }))?;
        v.push(b'\n');
        v
    } else {
        let mut s = String::new();
        for a in &all {
            render(&mut s, &pinned, a);
        }
        s.into_bytes()
    };
    crate::support::output::emit(ctx, &out)?;
    Ok(Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_schemes() {
        let hex = "a".repeat(64);
        let a = Attached {
            digest: format!("sha256:{hex}"),
            platform: Some("linux/arm64".to_owned()),
            signatures: vec![
                format!("sha256:{}", "b".repeat(64)),
                format!("sha256:{}", "d".repeat(64)),
            ],
            attestations: vec!["https://slsa.dev/provenance/v1".to_owned()],
            sboms: Vec::new(),
            referrers: vec![ReferrerEntry {
                digest: format!("sha256:{}", "c".repeat(64)),
                artifact_type: "application/vnd.dev.sigstore.bundle.v0.3+json".to_owned(),
                predicate_type: Some("https://sigstore.dev/cosign/sign/v1".to_owned()),
            }],
            referrers_source: "referrers tag schema",
        };
        let r: ImageRef = "ghcr.io/acme/app:1".parse().unwrap();
        let mut out = String::new();
        render(&mut out, &r, &a);
        let expected = format!(
            "📦 ghcr.io/acme/app@sha256:{hex} (linux/arm64)
├── 🔐 signatures (sha256-{hex}.sig)
│   ├── sha256:{b}
│   └── sha256:{d}
├── 💾 attestations (sha256-{hex}.att)
│   └── https://slsa.dev/provenance/v1
└── 🔗 referrers (referrers tag schema)
    └── sha256:{c} application/vnd.dev.sigstore.bundle.v0.3+json (https://sigstore.dev/cosign/sign/v1)
",
            b = "b".repeat(64),
            c = "c".repeat(64),
            d = "d".repeat(64)
        );
        assert_eq!(out, expected);
        let empty = Attached {
            signatures: Vec::new(),
            attestations: Vec::new(),
            referrers: Vec::new(),
            platform: None,
            ..a
        };
        let mut out = String::new();
        render(&mut out, &r, &empty);
        assert!(out.ends_with("└── (nothing attached)\n"), "{out}");
    }
}
