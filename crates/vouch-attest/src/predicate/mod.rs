//! Predicate types vouch writes and reads.
//!
//! Built-in producers: SLSA provenance v1 ([`provenance`]), the cosign vulnerability-scan
//! predicate ([`vuln`]), OpenVEX ([`vex`]), and vouch's own pins report and lockfile change
//! record ([`vouch`]). SBOM predicates are the CycloneDX or SPDX document itself.

pub mod provenance;
pub mod vex;
pub mod vouch;
pub mod vuln;

use serde_json::Value;

/// SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// SLSA provenance v0.2 (read only).
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// A CycloneDX BOM (the predicate is the BOM).
pub const CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// An SPDX document (the predicate is the document).
pub const SPDX: &str = "https://spdx.dev/Document";
/// cosign's vulnerability-scan predicate.
pub const COSIGN_VULN: &str = "https://cosign.sigstore.dev/attestation/vuln/v1";
/// OpenVEX (the predicate is the VEX document).
pub const OPENVEX: &str = "https://openvex.dev/ns/v0.2.0";
/// vouch's pins report.
pub const VOUCH_PINS: &str = "https://vouch.dev/attestation/pins/v1";
/// vouch's lockfile change record.
pub const VOUCH_LOCKFILE_CHANGE: &str = "https://vouch.dev/attestation/lockfile-change/v1";

/// Short names accepted wherever a predicate type is asked for (cosign's `--type` spellings
/// plus vouch's own), and the URI each stands for.
pub const ALIASES: &[(&str, &str)] = &[
    ("slsaprovenance", SLSA_PROVENANCE_V1),
    ("slsaprovenance1", SLSA_PROVENANCE_V1),
    ("slsaprovenance02", SLSA_PROVENANCE_V02),
    ("provenance", SLSA_PROVENANCE_V1),
    ("cyclonedx", CYCLONEDX),
    ("sbom", CYCLONEDX),
    ("spdx", SPDX),
    ("spdxjson", SPDX),
    ("vuln", COSIGN_VULN),
    ("scan", COSIGN_VULN),
    ("openvex", OPENVEX),
    ("vex", OPENVEX),
    ("pins", VOUCH_PINS),
    ("lockfile-change", VOUCH_LOCKFILE_CHANGE),
    ("lockfile-diff", VOUCH_LOCKFILE_CHANGE),
];

/// Why a predicate type spelling was rejected.
#[derive(Debug, thiserror::Error)]
#[error("unknown predicate type `{0}`: give a URI or one of {aliases}", aliases = alias_names())]
pub struct UnknownPredicateType(pub String);

fn alias_names() -> String {
    ALIASES
        .iter()
        .map(|(a, _)| *a)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Resolves a short name to its URI; anything with a scheme (`…://` or `urn:`) is taken as is.
pub fn resolve_type(s: &str) -> Result<String, UnknownPredicateType> {
    if s.contains("://") || s.starts_with("urn:") {
        return Ok(s.to_owned());
    }
    ALIASES
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(s))
        .map(|(_, uri)| (*uri).to_owned())
        .ok_or_else(|| UnknownPredicateType(s.to_owned()))
}

/// Whether a predicate type is an SBOM vouch can re-scan.
pub fn is_sbom(predicate_type: &str) -> bool {
    predicate_type == CYCLONEDX
        || predicate_type.starts_with("https://cyclonedx.org/bom/")
        || predicate_type == SPDX
        || predicate_type.starts_with("https://spdx.dev/Document/")
}

/// Whether two predicate types name the same kind of claim: equal, or an SBOM type given with
/// and without a version suffix (`https://cyclonedx.org/bom` vs `…/bom/v1.6`).
pub fn same_type(required: &str, actual: &str) -> bool {
    if required == actual {
        return true;
    }
    for base in [CYCLONEDX, SPDX] {
        if required == base && actual.starts_with(base) && actual[base.len()..].starts_with('/') {
            return true;
        }
    }
    false
}

fn time_at(v: &Value, pointer: &str) -> Option<time::OffsetDateTime> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(crate::parse_rfc3339)
}

/// When a predicate says its claim was made, if it says so.
pub fn issued_at(predicate_type: &str, predicate: &Value) -> Option<time::OffsetDateTime> {
    let pointers: &[&str] = match predicate_type {
        SLSA_PROVENANCE_V1 => &[
            "/runDetails/metadata/finishedOn",
            "/runDetails/metadata/startedOn",
        ],
        SLSA_PROVENANCE_V02 => &["/metadata/buildFinishedOn", "/metadata/buildStartedOn"],
        COSIGN_VULN => &["/metadata/scanFinishedOn", "/metadata/scanStartedOn"],
        VOUCH_PINS | VOUCH_LOCKFILE_CHANGE => &["/generatedAt"],
        t if t.starts_with("https://openvex.dev/ns") => &["/timestamp", "/last_updated"],
        t if is_sbom(t) => &["/metadata/timestamp", "/creationInfo/created"],
        _ => &[],
    };
    pointers.iter().find_map(|p| time_at(predicate, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_aliases_and_uris() {
        assert_eq!(resolve_type("cyclonedx").unwrap(), CYCLONEDX);
        assert_eq!(resolve_type("SPDXJSON").unwrap(), SPDX);
        assert_eq!(
            resolve_type("https://example.com/x/v1").unwrap(),
            "https://example.com/x/v1"
        );
        let err = resolve_type("bogus").unwrap_err().to_string();
        assert!(
            err.contains("`bogus`") && err.contains("cyclonedx"),
            "{err}"
        );
    }

    #[test]
    fn sbom_types_with_version_suffix_match_the_base() {
        assert!(same_type(CYCLONEDX, "https://cyclonedx.org/bom/v1.6"));
        assert!(!same_type(CYCLONEDX, "https://cyclonedx.org/bomx"));
        assert!(!same_type("https://cyclonedx.org/bom/v1.6", CYCLONEDX));
    }
}
