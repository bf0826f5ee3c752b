//! The format-neutral SBOM: one root, components, and a dependency graph between them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use vouch_core::{Digest, Ecosystem, Location, Package, Purl};

/// A software bill of materials.
///
/// Invariants kept by every constructor in this crate (and checked by [`Sbom::check`]):
/// bom-refs are unique across `root` and `components`; every ref in `dependencies` names a
/// component or the root; every component and the root have an entry in `dependencies`
/// (possibly empty); `components` is sorted by `(name, version, bom_ref)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sbom {
    /// What the SBOM describes (CycloneDX `metadata.component`, the SPDX package the document
    /// `DESCRIBES`).
    pub root: Component,
    /// Everything else, sorted.
    pub components: Vec<Component>,
    /// Direct dependencies by bom-ref: `ref → dependsOn`.
    pub dependencies: BTreeMap<String, BTreeSet<String>>,
    /// The tool that produced the SBOM.
    pub tool: Option<Tool>,
    /// Creation time. Not part of the content hash.
    #[serde(skip)]
    pub timestamp: Option<OffsetDateTime>,
}

/// A tool name and version (CycloneDX `metadata.tools`, SPDX `creationInfo.creators`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: Option<String>,
}

impl Tool {
    /// This crate, as the producing tool.
    pub fn vouch() -> Self {
        Self {
            name: "vouch".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }
    }
}

/// What kind of thing a component is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    Application,
    Library,
    /// Anything else a decoded SBOM says (framework, container, file, ...).
    Other,
}

/// CycloneDX component scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Needed at run time (the default).
    #[default]
    Required,
    Optional,
    /// Not part of the shipped artifact: development or build-time only.
    Excluded,
}

/// Why a component is [`Scope::Excluded`]: how the root reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DependencyKind {
    /// Only through `[build-dependencies]` (build scripts, and what they use).
    Build,
    /// Only through `[dev-dependencies]` of a root package (tests, examples, benches).
    Dev,
    /// Declared optional (npm `optionalDependencies`, Python extras): may be absent.
    Optional,
    /// A peer dependency the consumer provides (npm `peerDependencies`).
    Peer,
}

impl DependencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Build => "build",
            Self::Dev => "dev",
            Self::Optional => "optional",
            Self::Peer => "peer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "build" => Some(Self::Build),
            "dev" => Some(Self::Dev),
            "optional" => Some(Self::Optional),
            "peer" => Some(Self::Peer),
            _ => None,
        }
    }
}

/// Where a component comes from, as far as the producer knew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A package registry (crates.io or another one).
    Registry,
    /// A git checkout.
    Git,
    /// A local path or workspace member: first-party code.
    Path,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registry => "registry",
            Self::Git => "git",
            Self::Path => "path",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "registry" => Some(Self::Registry),
            "git" => Some(Self::Git),
            "path" => Some(Self::Path),
            _ => None,
        }
    }
}

/// A declared license.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum License {
    /// A valid SPDX license expression, in canonical form (`MIT OR Apache-2.0`).
    Expression(String),
    /// Free text that is not an SPDX expression, kept verbatim.
    Name(String),
}

/// One package in the SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// Unique within the SBOM. For Cargo packages, the purl (with a `#n` suffix if two
    /// packages would share one).
    pub bom_ref: String,
    pub kind: ComponentKind,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<Purl>,
    /// Archive digests (for crates: the registry's SHA-256 of the `.crate` file).
    pub hashes: Vec<Digest>,
    pub license: Option<License>,
    pub description: Option<String>,
    pub homepage: Option<String>,
    /// Source repository URL.
    pub repository: Option<String>,
    pub scope: Scope,
    /// Set when `scope` is [`Scope::Excluded`] because of how the component is reached.
    pub dependency_kind: Option<DependencyKind>,
    pub source: Option<SourceKind>,
    /// Where the component was found (image cataloging: the file and the layer it came
    /// from). Empty for project SBOMs; left out of the content hash when empty, so adding
    /// the field changed no existing SBOM's identity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence>,
    /// The file (and line) the component was read from, where a cataloger knows it. Left
    /// out of the content hash when unknown, so SBOMs without locations keep their identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// One place a component was found: CycloneDX `evidence.occurrences[]`, an SPDX annotation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Occurrence {
    /// The path of the file that records the component (`var/lib/dpkg/status`), relative to
    /// the image's root.
    pub location: String,
    /// The layer the file came from (its uncompressed digest, the config's `diff_id`), when
    /// the component was found in an image rather than a directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

impl Occurrence {
    /// The text CycloneDX `additionalContext` and SPDX annotations carry for the layer.
    pub fn layer_context(&self) -> Option<String> {
        self.layer.as_ref().map(|l| format!("layer {l}"))
    }

    /// Reads [`Occurrence::layer_context`] back.
    pub fn parse_layer_context(s: &str) -> Option<String> {
        s.strip_prefix("layer ").map(str::to_owned)
    }
}

impl Component {
    /// A bare library component.
    pub fn new(bom_ref: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            bom_ref: bom_ref.into(),
            kind: ComponentKind::Library,
            name: name.into(),
            version: None,
            purl: None,
            hashes: Vec::new(),
            license: None,
            description: None,
            homepage: None,
            repository: None,
            scope: Scope::Required,
            dependency_kind: None,
            source: None,
            occurrences: Vec::new(),
            location: None,
        }
    }

    /// First-party code: a path or workspace crate, not something a registry published.
    pub fn is_first_party(&self) -> bool {
        self.source == Some(SourceKind::Path)
    }

    /// The component as a [`Package`], when its purl names an ecosystem vouch knows and it
    /// is not first-party (a registry advisory cannot name a path crate, even when a
    /// published crate has the same name).
    pub fn package(&self) -> Option<Package> {
        if self.is_first_party() {
            return None;
        }
        let purl = self.purl.as_ref()?;
        let ecosystem = Ecosystem::from_purl_type(purl.ty())?;
        let name = match ecosystem {
            Ecosystem::Maven => purl.namespace().map_or_else(
                || purl.name().to_owned(),
                |ns| format!("{ns}:{}", purl.name()),
            ),
            // The namespace of a distribution package is the distribution, not the name.
            Ecosystem::Debian | Ecosystem::Alpine => purl.name().to_owned(),
            // PyPI purls carry the normalised name; the component keeps the file's spelling
            // (`Django`), which is what a report should show.
            Ecosystem::PyPI if self.name.to_ascii_lowercase().replace('_', "-") == purl.name() => {
                self.name.clone()
            }
            _ => purl.full_name(),
        };
        Some(Package {
            ecosystem,
            name,
            version: purl
                .version()
                .map(str::to_owned)
                .or_else(|| self.version.clone())?,
            purl: Some(purl.clone()),
            hashes: self.hashes.clone(),
        })
    }
}

/// An SBOM that breaks the model's invariants.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GraphError {
    #[error("bom-ref `{0}` is used by more than one component")]
    DuplicateRef(String),
    #[error("dependency graph names unknown bom-ref `{0}`")]
    DanglingRef(String),
    #[error("component `{0}` has no entry in the dependency graph")]
    MissingEntry(String),
}

impl Sbom {
    /// The root and every component.
    pub fn all_components(&self) -> impl Iterator<Item = &Component> {
        std::iter::once(&self.root).chain(&self.components)
    }

    /// A component (or the root) by bom-ref.
    pub fn component(&self, bom_ref: &str) -> Option<&Component> {
        self.all_components().find(|c| c.bom_ref == bom_ref)
    }

    /// Every third-party component with a purl in a known ecosystem, as [`Package`]s (what a
    /// scanner looks up). Includes the root and excluded-scope components; leaves out
    /// first-party path/workspace crates.
    pub fn packages(&self) -> Vec<Package> {
        self.all_components()
            .filter_map(Component::package)
            .collect()
    }

    /// Every `(from, to)` edge by bom-ref.
    pub fn edges(&self) -> impl Iterator<Item = (&str, &str)> {
        self.dependencies
            .iter()
            .flat_map(|(from, tos)| tos.iter().map(move |to| (from.as_str(), to.as_str())))
    }

    /// Checks the invariants documented on [`Sbom`].
    pub fn check(&self) -> Result<(), GraphError> {
        let mut refs = BTreeSet::new();
        for c in self.all_components() {
            if !refs.insert(c.bom_ref.as_str()) {
                return Err(GraphError::DuplicateRef(c.bom_ref.clone()));
            }
        }
        for (from, to) in self.edges() {
            for r in [from, to] {
                if !refs.contains(r) {
                    return Err(GraphError::DanglingRef(r.to_owned()));
                }
            }
        }
        for r in refs {
            if !self.dependencies.contains_key(r) {
                return Err(GraphError::MissingEntry(r.to_owned()));
            }
        }
        Ok(())
    }

    /// Sorts components and fills in missing dependency entries, restoring the invariants
    /// after components were added or removed. Drops edges to unknown refs.
    pub fn normalise(&mut self) {
        self.components.sort_by(|a, b| {
            (&a.name, &a.version, &a.bom_ref).cmp(&(&b.name, &b.version, &b.bom_ref))
        });
        let refs: BTreeSet<String> = self.all_components().map(|c| c.bom_ref.clone()).collect();
        self.dependencies.retain(|k, _| refs.contains(k));
        for deps in self.dependencies.values_mut() {
            deps.retain(|d| refs.contains(d));
        }
        for r in refs {
            self.dependencies.entry(r).or_default();
        }
    }

    /// The SBOM without development- and build-only components (`--profile runtime`).
    #[must_use]
    pub fn runtime_only(&self) -> Self {
        let mut out = self.clone();
        out.components.retain(|c| c.scope != Scope::Excluded);
        out.normalise();
        out
    }

    /// SHA-256 over the content (root, components, graph and tool; not the timestamp).
    /// CycloneDX serial numbers and SPDX document namespaces derive from it, so the same
    /// content always gets the same identity.
    pub fn content_hash(&self) -> [u8; 32] {
        let bytes = serde_json::to_vec(self).expect("the SBOM model always serialises");
        Sha256::digest(bytes).into()
    }

    /// A version-5-style UUID (RFC 9562 layout) taken from [`Sbom::content_hash`].
    pub fn content_uuid(&self) -> String {
        let h = self.content_hash();
        let mut b: [u8; 16] = h[..16].try_into().expect("16 bytes");
        b[6] = (b[6] & 0x0f) | 0x50;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Sbom {
        let root = Component::new("root", "root");
        let mut a = Component::new("a", "a");
        a.scope = Scope::Excluded;
        a.dependency_kind = Some(DependencyKind::Dev);
        let b = Component::new("b", "b");
        let mut sbom = Sbom {
            root,
            components: vec![b, a],
            dependencies: BTreeMap::new(),
            tool: Some(Tool::vouch()),
            timestamp: None,
        };
        sbom.dependencies
            .insert("root".into(), ["a".into(), "b".into()].into());
        sbom.dependencies.insert("a".into(), ["b".into()].into());
        sbom.normalise();
        sbom
    }

    #[test]
    fn normalise_sorts_and_fills_entries() {
        let s = sample();
        assert_eq!(s.components[0].name, "a");
        assert!(s.dependencies["b"].is_empty());
        s.check().unwrap();
    }

    #[test]
    fn runtime_only_drops_excluded_components_and_their_edges() {
        let s = sample().runtime_only();
        assert_eq!(s.components.len(), 1);
        assert_eq!(s.dependencies["root"], BTreeSet::from(["b".to_owned()]));
        s.check().unwrap();
    }

    #[test]
    fn check_finds_dangling_and_duplicate_refs() {
        let mut s = sample();
        s.dependencies.get_mut("b").unwrap().insert("zz".into());
        assert_eq!(s.check(), Err(GraphError::DanglingRef("zz".into())));
        let mut s = sample();
        s.components.push(Component::new("a", "a2"));
        assert_eq!(s.check(), Err(GraphError::DuplicateRef("a".into())));
    }

    #[test]
    fn uuid_is_stable_and_content_dependent() {
        let s = sample();
        let u = s.content_uuid();
        assert_eq!(u, sample().content_uuid());
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
        let mut t = sample();
        t.timestamp = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(t.content_uuid(), u, "timestamp is not content");
        t.components[0].name = "other".into();
        assert_ne!(t.content_uuid(), u);
    }
}

/// Property (CycloneDX) naming why a component is excluded: `dev` or `build`.
pub const PROPERTY_DEPENDENCY_KIND: &str = "vouch:dependency-kind";
/// Property (CycloneDX) naming where a component comes from: `registry`, `git` or `path`.
pub const PROPERTY_SOURCE: &str = "vouch:source";
/// Property (CycloneDX; an SPDX annotation) naming the file and line a component was read
/// from: `path/to/package-lock.json:42`.
pub const PROPERTY_LOCATION: &str = "vouch:location";

/// A root for a decoded document that names none: an application depending on every
/// component nothing else depends on (its edges are added to `dependencies`).
pub(crate) fn synthetic_root(
    components: &[Component],
    dependencies: &mut BTreeMap<String, BTreeSet<String>>,
) -> Component {
    let mut root = Component::new("vouch:root", "unnamed");
    root.kind = ComponentKind::Application;
    let depended: BTreeSet<&String> = dependencies.values().flatten().collect();
    let tops: BTreeSet<String> = components
        .iter()
        .map(|c| c.bom_ref.clone())
        .filter(|r| !depended.contains(r))
        .collect();
    dependencies.insert(root.bom_ref.clone(), tops);
    root
}

/// `file:line` (or `file`), as [`PROPERTY_LOCATION`] writes it.
pub fn format_location(l: &vouch_core::Location) -> String {
    match l.line {
        Some(n) => format!("{}:{n}", l.file),
        None => l.file.clone(),
    }
}

/// Reads a [`PROPERTY_LOCATION`] value back (a trailing `:<digits>` is the line).
pub fn parse_location(s: &str) -> vouch_core::Location {
    let (file, line) = match s.rsplit_once(':') {
        Some((f, n)) if !f.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (f, n.parse().ok())
        }
        _ => (s, None),
    };
    vouch_core::Location {
        file: file.to_owned(),
        line,
        column: None,
    }
}

/// Why an SBOM document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// serde's message is in the text, not a `#[source]`, so a CLI prints it once.
    #[error("failed to parse SBOM JSON: {0}")]
    Json(serde_json::Error),
    #[error("not a CycloneDX or SPDX JSON document (no `bomFormat` or `spdxVersion`)")]
    UnknownFormat,
    #[error("unsupported {0}")]
    Unsupported(String),
    #[error("invalid SBOM: {0}")]
    Invalid(String),
}
