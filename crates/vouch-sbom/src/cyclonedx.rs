//! CycloneDX 1.7, 1.6 and 1.5 JSON: a typed serde model of the parts vouch writes and reads.
//!
//! The wire model ([`Bom`] and friends) is the subset of the 1.6 schema that describes
//! components, hashes, licenses, external references, properties and dependencies. Every
//! field vouch writes exists with the same meaning in 1.5 and 1.7, so one model serves all
//! three; only `specVersion` and `$schema` differ. Decoding ignores fields it does not model.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vouch_core::{Digest, DigestAlgorithm, Purl};

use crate::{
    Component, ComponentKind, DecodeError, DependencyKind, License, Occurrence, Sbom, Scope,
    SourceKind, Tool, PROPERTY_DEPENDENCY_KIND, PROPERTY_LOCATION, PROPERTY_SOURCE,
};

/// A CycloneDX specification version vouch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    V1_5,
    V1_6,
    V1_7,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_7 => "1.7",
        }
    }

    /// The schema URL for `$schema`.
    pub fn schema_url(self) -> &'static str {
        match self {
            Self::V1_5 => "http://cyclonedx.org/schema/bom-1.5.schema.json",
            Self::V1_6 => "http://cyclonedx.org/schema/bom-1.6.schema.json",
            Self::V1_7 => "http://cyclonedx.org/schema/bom-1.7.schema.json",
        }
    }

    /// Versions vouch reads: 1.4 documents are read as 1.5 (a subset for what vouch uses).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1.4" | "1.5" => Some(Self::V1_5),
            "1.6" => Some(Self::V1_6),
            "1.7" => Some(Self::V1_7),
            _ => None,
        }
    }
}

/// A CycloneDX BOM document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub bom_format: String,
    pub spec_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<WireComponent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<WireDependency>,
}

fn one() -> u32 {
    1
}

/// `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Tools>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<WireComponent>,
}

/// `metadata.tools`: the 1.5+ object form, or the deprecated array of tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tools {
    Components {
        #[serde(default)]
        components: Vec<WireComponent>,
    },
    Legacy(Vec<LegacyTool>),
}

/// A deprecated `metadata.tools[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyTool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A component on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireComponent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<WireHash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(
        rename = "externalReferences",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub external_references: Vec<ExternalReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// Where the component was found (`occurrences` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Nested components (read, flattened; never written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<WireComponent>,
}

/// `hashes[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireHash {
    pub alg: String,
    pub content: String,
}

/// `licenses[]`: an expression or a single license.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    Expression { expression: String },
    License { license: WireLicense },
}

/// `licenses[].license`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireLicense {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `evidence` (only the `occurrences` vouch writes; 1.5 and 1.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<WireOccurrence>,
}

/// `evidence.occurrences[]`: `additionalContext` exists from 1.6 on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireOccurrence {
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

/// `externalReferences[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalReference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// `properties[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// `dependencies[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireDependency {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub depends_on: Vec<String>,
}

fn hash_alg(a: DigestAlgorithm) -> &'static str {
    match a {
        DigestAlgorithm::Sha1 => "SHA-1",
        DigestAlgorithm::Sha256 => "SHA-256",
        DigestAlgorithm::Sha384 => "SHA-384",
        DigestAlgorithm::Sha512 => "SHA-512",
    }
}

fn parse_hash_alg(s: &str) -> Option<DigestAlgorithm> {
    match s {
        "SHA-1" => Some(DigestAlgorithm::Sha1),
        "SHA-256" => Some(DigestAlgorithm::Sha256),
        "SHA-384" => Some(DigestAlgorithm::Sha384),
        "SHA-512" => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

/// Whether `s` can go in a schema `iri-reference` field without doubt.
pub(crate) fn plausible_url(s: &str) -> bool {
    s.contains("://") && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn encode_component(c: &Component, version: SpecVersion) -> WireComponent {
    let mut external_references = Vec::new();
    if let Some(url) = c.repository.as_deref().filter(|u| plausible_url(u)) {
        external_references.push(ExternalReference {
            kind: "vcs".into(),
            url: url.into(),
        });
    }
    if let Some(url) = c.homepage.as_deref().filter(|u| plausible_url(u)) {
        external_references.push(ExternalReference {
            kind: "website".into(),
            url: url.into(),
        });
    }
    let mut properties = Vec::new();
    if let Some(k) = c.dependency_kind {
        properties.push(Property {
            name: PROPERTY_DEPENDENCY_KIND.into(),
            value: k.as_str().into(),
        });
    }
    if let Some(s) = c.source {
        properties.push(Property {
            name: PROPERTY_SOURCE.into(),
            value: s.as_str().into(),
        });
    }
    if let Some(l) = &c.location {
        properties.push(Property {
            name: PROPERTY_LOCATION.into(),
            value: crate::model::format_location(l),
        });
    }
    WireComponent {
        kind: match c.kind {
            ComponentKind::Application => "application",
            ComponentKind::Library | ComponentKind::Other => "library",
        }
        .into(),
        bom_ref: Some(c.bom_ref.clone()),
        group: None,
        name: c.name.clone(),
        version: c.version.clone(),
        description: c.description.clone(),
        scope: match c.scope {
            Scope::Required => None,
            Scope::Optional => Some("optional".into()),
            Scope::Excluded => Some("excluded".into()),
        },
        hashes: c
            .hashes
            .iter()
            .map(|d| WireHash {
                alg: hash_alg(d.algorithm()).into(),
                content: d.hex().into(),
            })
            .collect(),
        licenses: match &c.license {
            None => Vec::new(),
            Some(License::Expression(e)) => vec![LicenseChoice::Expression {
                expression: e.clone(),
            }],
            Some(License::Name(n)) => vec![LicenseChoice::License {
                license: WireLicense {
                    id: None,
                    name: Some(n.clone()),
                },
            }],
        },
        purl: c.purl.as_ref().map(ToString::to_string),
        external_references,
        properties,
        evidence: (!c.occurrences.is_empty()).then(|| Evidence {
            occurrences: c
                .occurrences
                .iter()
                .map(|o| WireOccurrence {
                    location: o.location.clone(),
                    additional_context: match version {
                        SpecVersion::V1_5 => None,
                        SpecVersion::V1_6 | SpecVersion::V1_7 => o.layer_context(),
                    },
                })
                .collect(),
        }),
        components: Vec::new(),
    }
}

fn format_timestamp(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("zero nanoseconds is valid")
        .format(&Rfc3339)
        .expect("UTC timestamps format as RFC 3339")
}

pub(crate) fn timestamp_string(t: OffsetDateTime) -> String {
    format_timestamp(t)
}

/// The wire document for `sbom`.
pub fn to_bom(sbom: &Sbom, version: SpecVersion) -> Bom {
    let tools = sbom.tool.as_ref().map(|t| Tools::Components {
        components: vec![WireComponent {
            kind: "application".into(),
            bom_ref: None,
            group: None,
            name: t.name.clone(),
            version: t.version.clone(),
            description: None,
            scope: None,
            hashes: Vec::new(),
            licenses: Vec::new(),
            purl: None,
            external_references: Vec::new(),
            properties: Vec::new(),
            evidence: None,
            components: Vec::new(),
        }],
    });
    Bom {
        schema: Some(version.schema_url().into()),
        bom_format: "CycloneDX".into(),
        spec_version: version.as_str().into(),
        serial_number: Some(format!("urn:uuid:{}", sbom.content_uuid())),
        version: 1,
        metadata: Some(Metadata {
            timestamp: sbom.timestamp.map(format_timestamp),
            tools,
            component: Some(encode_component(&sbom.root, version)),
        }),
        components: sbom
            .components
            .iter()
            .map(|c| encode_component(c, version))
            .collect(),
        dependencies: sbom
            .dependencies
            .iter()
            .map(|(r, deps)| WireDependency {
                reference: r.clone(),
                depends_on: deps.iter().cloned().collect(),
            })
            .collect(),
    }
}

/// Encodes `sbom` as CycloneDX JSON of the given version (pretty, trailing newline).
pub fn to_cyclonedx_json(sbom: &Sbom, version: SpecVersion) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&to_bom(sbom, version))
        .expect("the CycloneDX model always serialises");
    out.push(b'\n');
    out
}

fn decode_component(w: WireComponent, fallback_ref: String) -> Result<Component, DecodeError> {
    let purl = match &w.purl {
        Some(p) if !p.is_empty() => Some(
            p.parse::<Purl>()
                .map_err(|e| DecodeError::Invalid(e.to_string()))?,
        ),
        _ => None,
    };
    let bom_ref = w
        .bom_ref
        .clone()
        .or_else(|| purl.as_ref().map(ToString::to_string))
        .unwrap_or(fallback_ref);
    let hashes = w
        .hashes
        .iter()
        .filter_map(|h| {
            let alg = parse_hash_alg(&h.alg)?;
            Digest::from_hex(alg, &h.content.to_ascii_lowercase()).ok()
        })
        .collect();
    let mut license_parts = Vec::new();
    let mut names = Vec::new();
    for l in &w.licenses {
        match l {
            LicenseChoice::Expression { expression } => license_parts.push(expression.clone()),
            LicenseChoice::License { license } => match (&license.id, &license.name) {
                (Some(id), _) => license_parts.push(id.clone()),
                (None, Some(n)) => names.push(n.clone()),
                (None, None) => {}
            },
        }
    }
    let license = if names.is_empty() && !license_parts.is_empty() {
        let joined = if license_parts.len() == 1 {
            license_parts.remove(0)
        } else {
            license_parts
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        Some(License::Expression(joined))
    } else if !names.is_empty() || !license_parts.is_empty() {
        license_parts.extend(names);
        Some(License::Name(license_parts.join(", ")))
    } else {
        None
    };
    let property = |name: &str| {
        w.properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    };
    let dependency_kind = property(PROPERTY_DEPENDENCY_KIND).and_then(DependencyKind::parse);
    let location = property(PROPERTY_LOCATION).map(crate::model::parse_location);
    let source = property(PROPERTY_SOURCE).and_then(SourceKind::parse);
    let ext = |kind: &str| {
        w.external_references
            .iter()
            .find(|e| e.kind == kind)
            .map(|e| e.url.clone())
    };
    let name = match &w.group {
        Some(g) if !g.is_empty() => format!("{g}/{}", w.name),
        _ => w.name.clone(),
    };
    Ok(Component {
        bom_ref,
        kind: match w.kind.as_str() {
            "application" => ComponentKind::Application,
            "library" => ComponentKind::Library,
            _ => ComponentKind::Other,
        },
        name,
        version: w.version.clone(),
        purl,
        hashes,
        license,
        description: w.description.clone(),
        homepage: ext("website"),
        repository: ext("vcs"),
        scope: match w.scope.as_deref() {
            Some("optional") => Scope::Optional,
            Some("excluded") => Scope::Excluded,
            _ => Scope::Required,
        },
        dependency_kind,
        source,
        occurrences: w
            .evidence
            .as_ref()
            .map(|e| {
                e.occurrences
                    .iter()
                    .map(|o| Occurrence {
                        location: o.location.clone(),
                        layer: o
                            .additional_context
                            .as_deref()
                            .and_then(Occurrence::parse_layer_context),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        location,
    })
}

fn flatten(list: Vec<WireComponent>, out: &mut Vec<WireComponent>) {
    for mut c in list {
        let nested = std::mem::take(&mut c.components);
        out.push(c);
        flatten(nested, out);
    }
}

pub(crate) fn decode_value(value: serde_json::Value) -> Result<Sbom, DecodeError> {
    let bom: Bom = serde_json::from_value(value).map_err(DecodeError::Json)?;
    decode_bom(bom)
}

/// The typed fast path: a well-formed CycloneDX document read straight into [`Bom`], without
/// a generic JSON value in between. `None` for anything else (another format, a syntax error,
/// a duplicate key), which the caller then reads through [`decode_value`], so errors and
/// edge cases behave exactly as before.
pub(crate) fn decode_fast(bytes: &[u8]) -> Option<Result<Sbom, DecodeError>> {
    let bom: Bom = serde_json::from_slice(bytes).ok()?;
    Some(decode_bom(bom))
}

fn decode_bom(bom: Bom) -> Result<Sbom, DecodeError> {
    if bom.bom_format != "CycloneDX" {
        return Err(DecodeError::Unsupported(format!(
            "bomFormat `{}`",
            bom.bom_format
        )));
    }
    if SpecVersion::parse(&bom.spec_version).is_none() {
        return Err(DecodeError::Unsupported(format!(
            "CycloneDX specVersion `{}` (vouch reads 1.4 to 1.7)",
            bom.spec_version
        )));
    }
    let metadata = bom.metadata.unwrap_or_default();
    let tool = match metadata.tools {
        Some(Tools::Components { components }) => components.into_iter().next().map(|c| Tool {
            name: c.name,
            version: c.version,
        }),
        Some(Tools::Legacy(tools)) => tools.into_iter().find_map(|t| {
            Some(Tool {
                name: t.name?,
                version: t.version,
            })
        }),
        None => None,
    };
    let timestamp = metadata
        .timestamp
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());

    let mut flat = Vec::new();
    flatten(bom.components, &mut flat);
    let mut components = Vec::with_capacity(flat.len());
    let mut seen = BTreeSet::new();
    for (i, w) in flat.into_iter().enumerate() {
        let c = decode_component(w, format!("component-{i}"))?;
        if !seen.insert(c.bom_ref.clone()) {
            return Err(DecodeError::Invalid(format!(
                "bom-ref `{}` is used by more than one component",
                c.bom_ref
            )));
        }
        components.push(c);
    }

    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in bom.dependencies {
        dependencies
            .entry(d.reference)
            .or_default()
            .extend(d.depends_on);
    }

    let root = if let Some(w) = metadata.component {
        let mut nested = Vec::new();
        flatten(vec![w], &mut nested);
        let mut it = nested.into_iter();
        let root = decode_component(it.next().expect("one"), "root".into())?;
        for (i, w) in it.enumerate() {
            components.push(decode_component(w, format!("root-component-{i}"))?);
        }
        root
    } else {
        // No root: synthesise one depending on every component nothing else depends on.
        crate::model::synthetic_root(&components, &mut dependencies)
    };
    if components.iter().any(|c| c.bom_ref == root.bom_ref) {
        components.retain(|c| c.bom_ref != root.bom_ref);
    }
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
