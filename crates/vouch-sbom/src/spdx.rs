//! SPDX 2.3 JSON: a typed serde model of the document, its packages and relationships.
//!
//! Edges are written with the relationship type that says how the dependency is used:
//! `A DEPENDS_ON B` for run-time dependencies, `B DEV_DEPENDENCY_OF A` and
//! `B BUILD_DEPENDENCY_OF A` when `B` is excluded as a dev or build dependency (the same
//! information CycloneDX carries as `scope: excluded` plus the `vouch:dependency-kind`
//! property). Decoding reads those plus `DEPENDENCY_OF`, `RUNTIME_DEPENDENCY_OF` and
//! `CONTAINS`, so SBOMs from other tools are understood too.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vouch_core::{Digest, DigestAlgorithm, Purl};

use crate::cyclonedx::timestamp_string;
use crate::{
    Component, ComponentKind, DecodeError, DependencyKind, License, Sbom, Scope, SourceKind, Tool,
};

const NOASSERTION: &str = "NOASSERTION";

/// An SPDX 2.3 document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub spdx_version: String,
    pub data_license: String,
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    pub document_namespace: String,
    pub creation_info: CreationInfo,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_describes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
}

/// `creationInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreationInfo {
    pub created: String,
    pub creators: Vec<String>,
}

/// `packages[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    #[serde(default = "noassertion")]
    pub download_location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_analyzed: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_concluded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_declared: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_comments: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_package_purpose: Option<String>,
    /// vouch writes `vouch:source=registry|git|path` here (CycloneDX: the property).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// vouch writes one per place an image component was found (CycloneDX: its
    /// `evidence.occurrences`): comment `found at PATH` or `found at PATH in layer DIGEST`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// `packages[].annotations[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub annotation_date: String,
    pub annotation_type: String,
    pub annotator: String,
    pub comment: String,
}

const FOUND_AT: &str = "found at ";
const IN_LAYER: &str = " in layer ";

fn occurrence_comment(o: &crate::Occurrence) -> String {
    match &o.layer {
        Some(l) => format!("{FOUND_AT}{}{IN_LAYER}{l}", o.location),
        None => format!("{FOUND_AT}{}", o.location),
    }
}

fn parse_occurrence(comment: &str) -> Option<crate::Occurrence> {
    let rest = comment.strip_prefix(FOUND_AT)?;
    Some(match rest.rsplit_once(IN_LAYER) {
        Some((location, layer)) => crate::Occurrence {
            location: location.to_owned(),
            layer: Some(layer.to_owned()),
        },
        None => crate::Occurrence {
            location: rest.to_owned(),
            layer: None,
        },
    })
}

fn noassertion() -> String {
    NOASSERTION.into()
}

/// `checksums[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checksum {
    pub algorithm: String,
    pub checksum_value: String,
}

/// `externalRefs[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    pub reference_category: String,
    pub reference_type: String,
    pub reference_locator: String,
}

/// `relationships[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: String,
    pub related_spdx_element: String,
}

/// `SPDXRef-` + the characters SPDX allows (`[A-Za-z0-9.-]`), others as `-`.
fn spdx_id_for(c: &Component) -> String {
    let mut s = String::from("SPDXRef-Package-");
    let raw = match &c.version {
        Some(v) => format!("{}-{v}", c.name),
        None => c.name.clone(),
    };
    for ch in raw.chars() {
        s.push(if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
            ch
        } else {
            '-'
        });
    }
    s
}

fn checksum_alg(a: DigestAlgorithm) -> &'static str {
    match a {
        DigestAlgorithm::Sha1 => "SHA1",
        DigestAlgorithm::Sha256 => "SHA256",
        DigestAlgorithm::Sha384 => "SHA384",
        DigestAlgorithm::Sha512 => "SHA512",
    }
}

fn parse_checksum_alg(s: &str) -> Option<DigestAlgorithm> {
    match s {
        "SHA1" => Some(DigestAlgorithm::Sha1),
        "SHA256" => Some(DigestAlgorithm::Sha256),
        "SHA384" => Some(DigestAlgorithm::Sha384),
        "SHA512" => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

/// Where the package's source can be downloaded, as far as the purl tells.
fn download_location(c: &Component) -> String {
    let Some(purl) = &c.purl else {
        return NOASSERTION.into();
    };
    if c.source == Some(SourceKind::Path) || purl.ty() != "cargo" {
        return NOASSERTION.into();
    }
    if let Some(vcs) = purl.qualifiers().get("vcs_url") {
        return vcs.clone();
    }
    if purl.qualifiers().is_empty() {
        if let Some(v) = purl.version() {
            return format!(
                "https://crates.io/api/v1/crates/{}/{v}/download",
                purl.name()
            );
        }
    }
    NOASSERTION.into()
}

fn encode_package(c: &Component, id: String, created: &str, annotator: &str) -> Package {
    let mut external_refs = Vec::new();
    if let Some(p) = &c.purl {
        external_refs.push(ExternalRef {
            reference_category: "PACKAGE-MANAGER".into(),
            reference_type: "purl".into(),
            reference_locator: p.to_string(),
        });
    }
    let (declared, comments) = match &c.license {
        Some(License::Expression(e)) => (e.clone(), None),
        Some(License::Name(n)) => (
            NOASSERTION.into(),
            Some(format!("declared license (not an SPDX expression): {n}")),
        ),
        None => (NOASSERTION.into(), None),
    };
    Package {
        spdx_id: id,
        name: c.name.clone(),
        version_info: c.version.clone(),
        download_location: download_location(c),
        files_analyzed: Some(false),
        checksums: c
            .hashes
            .iter()
            .map(|d| Checksum {
                algorithm: checksum_alg(d.algorithm()).into(),
                checksum_value: d.hex().into(),
            })
            .collect(),
        homepage: c
            .homepage
            .clone()
            .filter(|u| crate::cyclonedx::plausible_url(u)),
        source_info: c
            .repository
            .as_ref()
            .map(|r| format!("source repository: {r}")),
        license_concluded: Some(NOASSERTION.into()),
        license_declared: Some(declared),
        license_comments: comments,
        copyright_text: Some(NOASSERTION.into()),
        description: c.description.clone(),
        external_refs,
        primary_package_purpose: Some(
            match c.kind {
                ComponentKind::Application => "APPLICATION",
                ComponentKind::Library => "LIBRARY",
                ComponentKind::Other => "OTHER",
            }
            .into(),
        ),
        comment: c
            .source
            .map(|k| format!("{}={}", crate::model::PROPERTY_SOURCE, k.as_str())),
        annotations: c
            .occurrences
            .iter()
            .map(|o| Annotation {
                annotation_date: created.to_owned(),
                annotation_type: "OTHER".into(),
                annotator: annotator.to_owned(),
                comment: occurrence_comment(o),
            })
            .collect(),
    }
}

/// The wire document for `sbom`. `created` is the SBOM's timestamp, or the Unix epoch when
/// it has none (SPDX requires one; the CLI always sets it).
pub fn to_document(sbom: &Sbom) -> Document {
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for c in sbom.all_components() {
        let base = spdx_id_for(c);
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(c.bom_ref.as_str(), id);
    }
    let created = timestamp_string(sbom.timestamp.unwrap_or(OffsetDateTime::UNIX_EPOCH));
    let creators = match &sbom.tool {
        Some(t) => vec![match &t.version {
            Some(v) => format!("Tool: {}-{v}", t.name),
            None => format!("Tool: {}", t.name),
        }],
        None => vec!["Tool: vouch".into()],
    };
    let packages = sbom
        .all_components()
        .map(|c| encode_package(c, ids[c.bom_ref.as_str()].clone(), &created, &creators[0]))
        .collect();
    let root_id = ids[sbom.root.bom_ref.as_str()].clone();
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES".into(),
        related_spdx_element: root_id,
    }];
    let by_ref: BTreeMap<&str, &Component> = sbom
        .all_components()
        .map(|c| (c.bom_ref.as_str(), c))
        .collect();
    for (from, to) in sbom.edges() {
        let target = by_ref[to];
        let (a, ty, b) = match (target.scope, target.dependency_kind) {
            (Scope::Excluded, Some(DependencyKind::Dev)) => (to, "DEV_DEPENDENCY_OF", from),
            (Scope::Excluded, Some(DependencyKind::Build)) => (to, "BUILD_DEPENDENCY_OF", from),
            (Scope::Optional, _) => (to, "OPTIONAL_DEPENDENCY_OF", from),
            _ => (from, "DEPENDS_ON", to),
        };
        relationships.push(Relationship {
            spdx_element_id: ids[a].clone(),
            relationship_type: ty.into(),
            related_spdx_element: ids[b].clone(),
        });
    }
    let name = match &sbom.root.version {
        Some(v) => format!("{}-{v}", sbom.root.name),
        None => sbom.root.name.clone(),
    };
    Document {
        spdx_version: "SPDX-2.3".into(),
        data_license: "CC0-1.0".into(),
        spdx_id: "SPDXRef-DOCUMENT".into(),
        document_namespace: format!(
            "https://spdx.org/spdxdocs/{}-{}",
            name.replace(
                |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-',
                "-"
            ),
            sbom.content_uuid()
        ),
        name,
        creation_info: CreationInfo { created, creators },
        document_describes: Vec::new(),
        packages,
        relationships,
    }
}

/// Encodes `sbom` as SPDX 2.3 JSON (pretty, trailing newline).
pub fn to_spdx_json(sbom: &Sbom) -> Vec<u8> {
    let mut out =
        serde_json::to_vec_pretty(&to_document(sbom)).expect("the SPDX model always serialises");
    out.push(b'\n');
    out
}

fn decode_package(p: &Package) -> Result<Component, DecodeError> {
    let purl = p
        .external_refs
        .iter()
        .find(|r| r.reference_type == "purl")
        .map(|r| {
            r.reference_locator
                .parse::<Purl>()
                .map_err(|e| DecodeError::Invalid(e.to_string()))
        })
        .transpose()?;
    let license = p
        .license_declared
        .as_deref()
        .filter(|l| *l != NOASSERTION && *l != "NONE")
        .map(|l| {
            if crate::license::is_expression(l) {
                License::Expression(l.to_owned())
            } else {
                License::Name(l.to_owned())
            }
        });
    let mut c = Component::new(p.spdx_id.clone(), p.name.clone());
    c.kind = match p.primary_package_purpose.as_deref() {
        Some("APPLICATION") => ComponentKind::Application,
        Some("LIBRARY") | None => ComponentKind::Library,
        Some(_) => ComponentKind::Other,
    };
    c.version.clone_from(&p.version_info);
    c.purl = purl;
    c.hashes = p
        .checksums
        .iter()
        .filter_map(|h| {
            Digest::from_hex(
                parse_checksum_alg(&h.algorithm)?,
                &h.checksum_value.to_ascii_lowercase(),
            )
            .ok()
        })
        .collect();
    c.license = license;
    c.source = p
        .comment
        .as_deref()
        .and_then(|t| {
            t.strip_prefix(crate::model::PROPERTY_SOURCE)?
                .strip_prefix('=')
        })
        .and_then(SourceKind::parse);
    c.description.clone_from(&p.description);
    c.homepage = p
        .homepage
        .clone()
        .filter(|h| h != NOASSERTION && h != "NONE");
    c.repository = p
        .source_info
        .as_deref()
        .and_then(|s| s.strip_prefix("source repository: "))
        .map(str::to_owned);
    c.occurrences = p
        .annotations
        .iter()
        .filter_map(|a| parse_occurrence(&a.comment))
        .collect();
    Ok(c)
}

pub(crate) fn decode_value(value: serde_json::Value) -> Result<Sbom, DecodeError> {
    let doc: Document = serde_json::from_value(value).map_err(DecodeError::Json)?;
    if !doc.spdx_version.starts_with("SPDX-2.") {
        return Err(DecodeError::Unsupported(format!(
            "SPDX version `{}` (vouch reads SPDX 2.x JSON)",
            doc.spdx_version
        )));
    }
    let mut components = Vec::with_capacity(doc.packages.len());
    let mut seen = BTreeSet::new();
    for p in &doc.packages {
        if !seen.insert(p.spdx_id.clone()) {
            return Err(DecodeError::Invalid(format!(
                "SPDXID `{}` is used by more than one package",
                p.spdx_id
            )));
        }
        components.push(decode_package(p)?);
    }

    let mut described: Vec<String> = doc.document_describes.clone();
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // How each package is reached: the strongest kind among its incoming edges.
    let mut incoming: BTreeMap<String, (bool, bool, bool, bool)> = BTreeMap::new();
    for r in &doc.relationships {
        let (a, b) = (&r.spdx_element_id, &r.related_spdx_element);
        let (from, to, kind) = match r.relationship_type.as_str() {
            "DESCRIBES" if a == &doc.spdx_id => {
                if !described.contains(b) {
                    described.push(b.clone());
                }
                continue;
            }
            "DESCRIBED_BY" if b == &doc.spdx_id => {
                if !described.contains(a) {
                    described.push(a.clone());
                }
                continue;
            }
            "DEPENDS_ON" | "CONTAINS" => (a, b, 0),
            "DEPENDENCY_OF" | "RUNTIME_DEPENDENCY_OF" => (b, a, 0),
            "BUILD_DEPENDENCY_OF" => (b, a, 1),
            "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => (b, a, 2),
            "OPTIONAL_DEPENDENCY_OF" => (b, a, 3),
            _ => continue,
        };
        dependencies
            .entry(from.clone())
            .or_default()
            .insert(to.clone());
        let e = incoming.entry(to.clone()).or_default();
        match kind {
            0 => e.0 = true,
            1 => e.1 = true,
            2 => e.2 = true,
            _ => e.3 = true,
        }
    }
    for c in &mut components {
        if let Some(&(runtime, build, dev, optional)) = incoming.get(&c.bom_ref) {
            if runtime {
                continue;
            }
            if optional {
                c.scope = Scope::Optional;
            } else if build {
                c.scope = Scope::Excluded;
                c.dependency_kind = Some(DependencyKind::Build);
            } else if dev {
                c.scope = Scope::Excluded;
                c.dependency_kind = Some(DependencyKind::Dev);
            }
        }
    }

    let root = match described.as_slice() {
        [one] if components.iter().any(|c| &c.bom_ref == one) => {
            let i = components
                .iter()
                .position(|c| &c.bom_ref == one)
                .expect("checked");
            let mut root = components.remove(i);
            root.scope = Scope::Required;
            root.dependency_kind = None;
            root
        }
        _ => {
            let mut root = Component::new(doc.spdx_id.clone(), doc.name.clone());
            root.kind = ComponentKind::Application;
            let tops: BTreeSet<String> = if described.is_empty() {
                let depended: BTreeSet<&String> = dependencies.values().flatten().collect();
                components
                    .iter()
                    .map(|c| c.bom_ref.clone())
                    .filter(|r| !depended.contains(r))
                    .collect()
            } else {
                described.into_iter().collect()
            };
            dependencies.insert(root.bom_ref.clone(), tops);
            root
        }
    };

    components.retain(|c| c.bom_ref != root.bom_ref);
    let tool = doc.creation_info.creators.iter().find_map(|c| {
        let t = c.strip_prefix("Tool:")?.trim();
        Some(match t.rsplit_once('-') {
            Some((n, v)) if v.starts_with(|ch: char| ch.is_ascii_digit()) => Tool {
                name: n.to_owned(),
                version: Some(v.to_owned()),
            },
            _ => Tool {
                name: t.to_owned(),
                version: None,
            },
        })
    });
    let timestamp = OffsetDateTime::parse(&doc.creation_info.created, &Rfc3339).ok();
    let mut sbom = Sbom {
        root,
        components,
        dependencies,
        tool,
        timestamp,
    };
    sbom.normalise();
    Ok(sbom)
}
