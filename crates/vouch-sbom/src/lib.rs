//! SBOMs for Rust projects, and the SBOM model every later vouch stage reads.
//!
//! vouch's pipeline starts here: `vouch sbom` catalogs a Cargo workspace (through `cargo
//! metadata`, so features, targets and dev/build kinds are exactly what Cargo resolves) or a
//! bare `Cargo.lock`, and `scan`, `attest` and `verify` read SBOMs back through [`decode`].
//!
//! The key design choice is one small format-neutral model ([`Sbom`]: a root, components
//! with purls, hashes and licenses, and a dependency graph by bom-ref) with a typed serde
//! model per wire format beside it. CycloneDX 1.6 is modelled here rather than through the
//! `cyclonedx-bom` crate, which stops at 1.5. Encoding is deterministic: sorted components
//! and edges, a serial number / document namespace derived from the content hash, and a
//! timestamp only when the caller sets one (from `SOURCE_DATE_EPOCH`).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let text = std::fs::read_to_string("Cargo.lock")?;
//! let lock = vouch_lockfile::cargo::parse_lock(&text, "Cargo.lock")?;
//! let sbom = vouch_sbom::cargo::from_lockfile(&lock, "my-project");
//! let json = vouch_sbom::to_cyclonedx_json(&sbom, vouch_sbom::SpecVersion::V1_6);
//! let back = vouch_sbom::decode(&json)?;
//! assert_eq!(back.packages().len(), sbom.packages().len());
//! # Ok(()) }
//! ```

pub mod cargo;
pub mod cyclonedx;
pub mod license;
mod model;
pub mod spdx;
pub mod spdx3;

pub use cyclonedx::{to_cyclonedx_json, SpecVersion};
pub use model::{
    format_location, parse_location, Component, ComponentKind, DecodeError, DependencyKind,
    GraphError, License, Occurrence, Sbom, Scope, SourceKind, Tool, PROPERTY_DEPENDENCY_KIND,
    PROPERTY_LOCATION, PROPERTY_SOURCE,
};
pub use spdx::to_spdx_json;
pub use spdx3::to_spdx3_json;
/// The `time` crate, for [`Sbom::timestamp`].
pub use time;

use std::fmt;
use std::str::FromStr;

/// An SBOM wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    CycloneDx(SpecVersion),
    Spdx23,
    /// SPDX 3.0.1 JSON-LD.
    Spdx3,
}

impl Format {
    /// The names `--format` accepts, default first.
    pub const NAMES: &'static [&'static str] = &[
        "cyclonedx-json",
        "cyclonedx-json@1.7",
        "cyclonedx-json@1.6",
        "cyclonedx-json@1.5",
        "spdx-json",
        "spdx-json@2.3",
        "spdx-json@3.0.1",
    ];

    /// Encodes `sbom` in this format (pretty JSON, trailing newline).
    pub fn encode(self, sbom: &Sbom) -> Vec<u8> {
        match self {
            Self::CycloneDx(v) => to_cyclonedx_json(sbom, v),
            Self::Spdx23 => to_spdx_json(sbom),
            Self::Spdx3 => to_spdx3_json(sbom),
        }
    }
}

/// A `--format` value vouch does not know.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown SBOM format `{0}`")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cyclonedx-json" | "cyclonedx-json@1.7" | "cyclonedx" => {
                Ok(Self::CycloneDx(SpecVersion::V1_7))
            }
            "cyclonedx-json@1.6" => Ok(Self::CycloneDx(SpecVersion::V1_6)),
            "cyclonedx-json@1.5" => Ok(Self::CycloneDx(SpecVersion::V1_5)),
            "spdx-json" | "spdx-json@2.3" | "spdx" => Ok(Self::Spdx23),
            "spdx-json@3.0.1" | "spdx-json@3" => Ok(Self::Spdx3),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CycloneDx(v) => write!(f, "cyclonedx-json@{}", v.as_str()),
            Self::Spdx23 => f.write_str("spdx-json@2.3"),
            Self::Spdx3 => f.write_str("spdx-json@3.0.1"),
        }
    }
}

/// Reads a CycloneDX (1.4–1.7), SPDX (2.2–2.3) JSON or SPDX 3.0 JSON-LD document into the
/// model.
///
/// Lenient where producers differ (missing bom-refs, nested components, unknown fields,
/// edges to unknown refs are dropped), strict where a consumer would be misled (a purl that
/// does not parse is an error, not a silently missing package).
pub fn decode(bytes: &[u8]) -> Result<Sbom, DecodeError> {
    // Formats that are SBOMs but not JSON get a name, not a JSON syntax error.
    let head = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let head = &head[head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len())..];
    if head.starts_with(b"<") {
        return Err(DecodeError::Unsupported(
            "XML document (CycloneDX XML or SPDX RDF/XML): vouch reads CycloneDX and SPDX JSON \
             only; convert it to JSON first (`cyclonedx convert --output-format json`)"
                .to_owned(),
        ));
    }
    if head.starts_with(b"SPDXVersion:") {
        return Err(DecodeError::Unsupported(
            "SPDX tag-value document: vouch reads CycloneDX and SPDX JSON only; convert it to \
             JSON first"
                .to_owned(),
        ));
    }
    // Scanning a 10k-component SBOM spent a sixth of its time building a generic value first.
    if let Some(result) = cyclonedx::decode_fast(bytes) {
        return result;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(DecodeError::Json)?;
    if value.get("bomFormat").is_some() {
        cyclonedx::decode_value(value)
    } else if value.get("spdxVersion").is_some() {
        spdx::decode_value(value)
    } else if value
        .get("@context")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|c| c.starts_with("https://spdx.org/rdf/3"))
    {
        spdx3::decode_value(&value)
    } else {
        Err(DecodeError::UnknownFormat)
    }
}

/// Which format a document is, without decoding it fully.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if value.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        let v = value.get("specVersion")?.as_str()?;
        return SpecVersion::parse(v).map(Format::CycloneDx);
    }
    if value
        .get("@context")
        .and_then(|v| v.as_str())
        .is_some_and(|c| c.starts_with("https://spdx.org/rdf/3"))
    {
        return Some(Format::Spdx3);
    }
    value
        .get("spdxVersion")?
        .as_str()?
        .starts_with("SPDX-2.")
        .then_some(Format::Spdx23)
}
