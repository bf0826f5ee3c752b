//! A resolved package: the unit every stage talks about.

use serde::{Deserialize, Serialize};

use crate::{Digest, Ecosystem, Purl};

/// One resolved package, as a lockfile, SBOM or image catalog names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem spells it (`@babel/core`, `org.slf4j:slf4j-api`, `serde`).
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<Purl>,
    /// Integrity hashes recorded for the package's archive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Digest>,
}
