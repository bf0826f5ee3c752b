//! SPDX 3.0.1 JSON-LD: the Core and Software profiles, written and read.
//!
//! The document is one `@graph` of elements: a `CreationInfo` blank node, the vouch
//! `SoftwareAgent` and `Tool`, the `SpdxDocument`, a `software_Sbom` whose root element is
//! the SBOM's root package, one `software_Package` per component (purl as
//! `software_packageUrl` and an `ExternalIdentifier`, hashes as `verifiedUsing`), declared
//! licenses as `simplelicensing_LicenseExpression` elements linked by
//! `hasDeclaredLicense`, and `dependsOn` relationships, one per dependent and scope:
//! development- and build-only edges are `LifecycleScopedRelationship`s with
//! `scope: development` / `build`. vouch's own data (source kind, dependency kind, scope,
//! location) rides in each package's `comment` as `key=value` lines, as in the SPDX 2.3
//! encoder. IRIs derive from the content hash, so the same content gives the same document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use vouch_core::{Digest, DigestAlgorithm, Purl};

use crate::cyclonedx::timestamp_string;
use crate::{
    Component, ComponentKind, DecodeError, DependencyKind, License, Sbom, Scope, SourceKind, Tool,
    PROPERTY_DEPENDENCY_KIND, PROPERTY_LOCATION, PROPERTY_SOURCE,
};

/// The JSON-LD context every SPDX 3.0.1 document names.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

const PROPERTY_SCOPE: &str = "vouch:scope";

fn alg_name(a: DigestAlgorithm) -> &'static str {
    match a {
        DigestAlgorithm::Sha1 => "sha1",
        DigestAlgorithm::Sha256 => "sha256",
        DigestAlgorithm::Sha384 => "sha384",
        DigestAlgorithm::Sha512 => "sha512",
    }
}

fn parse_alg(s: &str) -> Option<DigestAlgorithm> {
    match s {
        "sha1" => Some(DigestAlgorithm::Sha1),
        "sha256" => Some(DigestAlgorithm::Sha256),
        "sha384" => Some(DigestAlgorithm::Sha384),
        "sha512" => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

fn comment_of(c: &Component) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(s) = c.source {
        lines.push(format!("{PROPERTY_SOURCE}={}", s.as_str()));
    }
    if let Some(k) = c.dependency_kind {
        lines.push(format!("{PROPERTY_DEPENDENCY_KIND}={}", k.as_str()));
    }
    match c.scope {
        Scope::Required => {}
        Scope::Optional => lines.push(format!("{PROPERTY_SCOPE}=optional")),
        Scope::Excluded => lines.push(format!("{PROPERTY_SCOPE}=excluded")),
    }
    if let Some(l) = &c.location {
        lines.push(format!(
            "{PROPERTY_LOCATION}={}",
            crate::model::format_location(l)
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The SPDX 3.0.1 JSON-LD document for `sbom`. `created` is the SBOM's timestamp, or the
/// Unix epoch when it has none (SPDX requires one; the CLI always sets it).
pub fn to_document(sbom: &Sbom) -> Value {
    let name = match &sbom.root.version {
        Some(v) => format!("{}-{v}", sbom.root.name),
        None => sbom.root.name.clone(),
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let ns = format!("https://spdx.org/spdxdocs/{safe}-{}", sbom.content_uuid());
    let created = timestamp_string(sbom.timestamp.unwrap_or(time::OffsetDateTime::UNIX_EPOCH));
    let tool = sbom.tool.clone().unwrap_or_else(Tool::vouch);
    let tool_name = match &tool.version {
        Some(v) => format!("{}-{v}", tool.name),
        None => tool.name.clone(),
    };
    let agent_id = format!("{ns}#agent");
    let tool_id = format!("{ns}#tool");
    let doc_id = format!("{ns}#document");
    let sbom_id = format!("{ns}#sbom");

    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (i, c) in sbom.all_components().enumerate() {
        ids.insert(c.bom_ref.as_str(), format!("{ns}#package-{i}"));
    }
    let mut graph = vec![
        json!({
            "type": "CreationInfo",
            "@id": "_:creationinfo",
            "createdBy": [agent_id],
            "createdUsing": [tool_id],
            "specVersion": "3.0.1",
            "created": created,
        }),
        json!({
            "type": "SoftwareAgent",
            "spdxId": agent_id,
            "creationInfo": "_:creationinfo",
            "name": tool.name,
        }),
        json!({
            "type": "Tool",
            "spdxId": tool_id,
            "creationInfo": "_:creationinfo",
            "name": tool_name,
        }),
    ];
    let mut elements: Vec<String> = Vec::new();
    let mut licenses: BTreeMap<String, String> = BTreeMap::new();
    let mut packages = Vec::new();
    let mut relationships = Vec::new();
    for c in sbom.all_components() {
        let id = ids[c.bom_ref.as_str()].clone();
        let mut p = Map::new();
        p.insert("type".into(), "software_Package".into());
        p.insert("spdxId".into(), id.clone().into());
        p.insert("creationInfo".into(), "_:creationinfo".into());
        p.insert("name".into(), c.name.clone().into());
        if let Some(v) = &c.version {
            p.insert("software_packageVersion".into(), v.clone().into());
        }
        if let Some(d) = &c.description {
            p.insert("description".into(), d.clone().into());
        }
        if let Some(cm) = comment_of(c) {
            p.insert("comment".into(), cm.into());
        }
        if let Some(purl) = &c.purl {
            p.insert("software_packageUrl".into(), purl.to_string().into());
            p.insert(
                "externalIdentifier".into(),
                json!([{
                    "type": "ExternalIdentifier",
                    "externalIdentifierType": "packageUrl",
                    "identifier": purl.to_string(),
                }]),
            );
        }
        if let Some(h) = c
            .homepage
            .as_deref()
            .filter(|u| crate::cyclonedx::plausible_url(u))
        {
            p.insert("software_homePage".into(), h.into());
        }
        if let Some(r) = c
            .repository
            .as_deref()
            .filter(|u| crate::cyclonedx::plausible_url(u))
        {
            p.insert(
                "software_sourceInfo".into(),
                format!("source repository: {r}").into(),
            );
        }
        if !c.hashes.is_empty() {
            p.insert(
                "verifiedUsing".into(),
                c.hashes
                    .iter()
                    .map(|d| {
                        json!({
                            "type": "Hash",
                            "algorithm": alg_name(d.algorithm()),
                            "hashValue": d.hex(),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
        p.insert(
            "software_primaryPurpose".into(),
            match c.kind {
                ComponentKind::Application => "application",
                ComponentKind::Library => "library",
                ComponentKind::Other => "other",
            }
            .into(),
        );
        if let Some(License::Expression(e)) = &c.license {
            let n = licenses.len();
            let lid = licenses
                .entry(e.clone())
                .or_insert_with(|| format!("{ns}#license-{n}"))
                .clone();
            let rid = format!("{ns}#declared-license-{}", relationships.len());
            relationships.push(json!({
                "type": "Relationship",
                "spdxId": rid,
                "creationInfo": "_:creationinfo",
                "from": id,
                "relationshipType": "hasDeclaredLicense",
                "to": [lid],
            }));
        }
        elements.push(id);
        packages.push(Value::Object(p));
    }
    let by_ref: BTreeMap<&str, &Component> = sbom
        .all_components()
        .map(|c| (c.bom_ref.as_str(), c))
        .collect();
    for (from, tos) in &sbom.dependencies {
        let mut by_scope: BTreeMap<Option<&str>, Vec<String>> = BTreeMap::new();
        for to in tos {
            let t = by_ref[to.as_str()];
            let scope = match (t.scope, t.dependency_kind) {
                (Scope::Excluded, Some(DependencyKind::Build)) => Some("build"),
                (Scope::Excluded, _) => Some("development"),
                _ => None,
            };
            by_scope
                .entry(scope)
                .or_default()
                .push(ids[to.as_str()].clone());
        }
        for (scope, to) in by_scope {
            let rid = format!("{ns}#dependency-{}", relationships.len());
            let mut r = json!({
                "type": if scope.is_some() { "LifecycleScopedRelationship" } else { "Relationship" },
                "spdxId": rid,
                "creationInfo": "_:creationinfo",
                "from": ids[from.as_str()],
                "relationshipType": "dependsOn",
                "to": to,
            });
            if let Some(s) = scope {
                r["scope"] = s.into();
            }
            relationships.push(r);
        }
    }
    for (expr, lid) in &licenses {
        graph.push(json!({
            "type": "simplelicensing_LicenseExpression",
            "spdxId": lid,
            "creationInfo": "_:creationinfo",
            "simplelicensing_licenseExpression": expr,
        }));
        elements.push(lid.clone());
    }
    elements.extend(
        relationships
            .iter()
            .map(|r| r["spdxId"].as_str().expect("set").to_owned()),
    );
    let root_id = ids[sbom.root.bom_ref.as_str()].clone();
    graph.push(json!({
        "type": "SpdxDocument",
        "spdxId": doc_id,
        "creationInfo": "_:creationinfo",
        "name": name,
        "profileConformance": ["core", "software", "simpleLicensing"],
        "rootElement": [sbom_id],
        "element": std::iter::once(sbom_id.clone()).chain(elements.iter().cloned()).collect::<Vec<_>>(),
    }));
    graph.push(json!({
        "type": "software_Sbom",
        "spdxId": sbom_id,
        "creationInfo": "_:creationinfo",
        "software_sbomType": ["source"],
        "rootElement": [root_id],
        "element": elements,
    }));
    graph.extend(packages);
    graph.extend(relationships);
    json!({
        "@context": CONTEXT,
        "@graph": graph,
    })
}

/// Encodes `sbom` as SPDX 3.0.1 JSON-LD (pretty, trailing newline).
pub fn to_spdx3_json(sbom: &Sbom) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&to_document(sbom)).expect("JSON always serialises");
    out.push(b'\n');
    out
}

fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn ty(e: &Value) -> &str {
    e.get("type")
        .or_else(|| e.get("@type"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn id_of(e: &Value) -> Option<String> {
    e.get("spdxId")
        .or_else(|| e.get("@id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn decode_package(e: &Value, id: String) -> Result<Component, DecodeError> {
    let purl_text = e
        .get("software_packageUrl")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            e.get("externalIdentifier")?
                .as_array()?
                .iter()
                .find(|x| x["externalIdentifierType"] == "packageUrl")?
                .get("identifier")?
                .as_str()
                .map(str::to_owned)
        });
    let purl = purl_text
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<Purl>()
                .map_err(|err| DecodeError::Invalid(err.to_string()))
        })
        .transpose()?;
    let mut c = Component::new(
        id,
        e.get("name").and_then(Value::as_str).unwrap_or("unnamed"),
    );
    c.version = e
        .get("software_packageVersion")
        .and_then(Value::as_str)
        .map(str::to_owned);
    c.purl = purl;
    c.description = e
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    c.homepage = e
        .get("software_homePage")
        .and_then(Value::as_str)
        .map(str::to_owned);
    c.repository = e
        .get("software_sourceInfo")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_prefix("source repository: "))
        .map(str::to_owned);
    c.kind = match e.get("software_primaryPurpose").and_then(Value::as_str) {
        Some("application") => ComponentKind::Application,
        Some("library") => ComponentKind::Library,
        _ => ComponentKind::Other,
    };
    if let Some(hashes) = e.get("verifiedUsing").and_then(Value::as_array) {
        for h in hashes {
            let (Some(a), Some(v)) = (
                h.get("algorithm")
                    .and_then(Value::as_str)
                    .and_then(parse_alg),
                h.get("hashValue").and_then(Value::as_str),
            ) else {
                continue;
            };
            if let Ok(d) = Digest::from_hex(a, &v.to_ascii_lowercase()) {
                c.hashes.push(d);
            }
        }
    }
    for line in e
        .get("comment")
        .and_then(Value::as_str)
        .unwrap_or("")
        .lines()
    {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        match k {
            PROPERTY_SOURCE => c.source = SourceKind::parse(v),
            PROPERTY_DEPENDENCY_KIND => c.dependency_kind = DependencyKind::parse(v),
            PROPERTY_LOCATION => c.location = Some(crate::model::parse_location(v)),
            PROPERTY_SCOPE => {
                c.scope = match v {
                    "optional" => Scope::Optional,
                    "excluded" => Scope::Excluded,
                    _ => Scope::Required,
                };
            }
            _ => {}
        }
    }
    Ok(c)
}

/// Reads an SPDX 3 JSON-LD document (`@graph` form) into the model.
pub(crate) fn decode_value(value: &Value) -> Result<Sbom, DecodeError> {
    let Some(graph) = value.get("@graph").and_then(Value::as_array) else {
        return Err(DecodeError::Invalid(
            "SPDX 3 document without an `@graph` array".to_owned(),
        ));
    };
    let mut components = Vec::new();
    let mut seen = BTreeSet::new();
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut licenses: BTreeMap<String, String> = BTreeMap::new();
    let mut declared: Vec<(String, String)> = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    let mut tool = None;
    let mut timestamp = None;
    for e in graph {
        match ty(e) {
            "software_Package" => {
                let Some(id) = id_of(e) else { continue };
                if !seen.insert(id.clone()) {
                    return Err(DecodeError::Invalid(format!(
                        "spdxId `{id}` is used by more than one package"
                    )));
                }
                components.push(decode_package(e, id)?);
            }
            "Relationship" | "LifecycleScopedRelationship" => {
                let from = e
                    .get("from")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let to = strs(e.get("to").unwrap_or(&Value::Null));
                match e.get("relationshipType").and_then(Value::as_str) {
                    Some("dependsOn" | "contains") => {
                        dependencies.entry(from).or_default().extend(to);
                    }
                    Some("hasDeclaredLicense") => {
                        declared.extend(to.into_iter().map(|t| (from.clone(), t)));
                    }
                    _ => {}
                }
            }
            "simplelicensing_LicenseExpression" => {
                if let (Some(id), Some(x)) = (
                    id_of(e),
                    e.get("simplelicensing_licenseExpression")
                        .and_then(Value::as_str),
                ) {
                    licenses.insert(id, x.to_owned());
                }
            }
            "software_Sbom" => roots.extend(strs(e.get("rootElement").unwrap_or(&Value::Null))),
            "Tool" => {
                let name = e.get("name").and_then(Value::as_str).unwrap_or("");
                tool = Some(match name.rsplit_once('-') {
                    Some((n, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => Tool {
                        name: n.to_owned(),
                        version: Some(v.to_owned()),
                    },
                    _ => Tool {
                        name: name.to_owned(),
                        version: None,
                    },
                });
            }
            "CreationInfo" => {
                timestamp = e.get("created").and_then(Value::as_str).and_then(|t| {
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .ok()
                });
            }
            _ => {}
        }
    }
    for (pkg, lic) in declared {
        if let (Some(c), Some(x)) = (
            components.iter_mut().find(|c| c.bom_ref == pkg),
            licenses.get(&lic),
        ) {
            c.license = Some(License::Expression(x.clone()));
        }
    }
    let found = roots
        .iter()
        .find_map(|r| components.iter().position(|c| &c.bom_ref == r));
    let root = if let Some(i) = found {
        components.remove(i)
    } else {
        crate::model::synthetic_root(&components, &mut dependencies)
    };
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
