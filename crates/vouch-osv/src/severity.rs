//! Severity: CVSS base scores computed from the vectors in a record, mapped to the
//! qualitative rating scale (`low` … `critical`), with the source of the rating recorded so
//! a report can say when it fell back to a database's label or knows nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::record::Record;

/// The qualitative rating (CVSS v3/v4 scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No rating available.
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    /// The rating of a 0.0–10.0 score.
    pub fn from_score(score: f64) -> Self {
        if score <= 0.0 {
            Self::None
        } else if score < 4.0 {
            Self::Low
        } else if score < 7.0 {
            Self::Medium
        } else if score < 9.0 {
            Self::High
        } else {
            Self::Critical
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "unknown" => Self::Unknown,
            "none" => Self::None,
            "low" => Self::Low,
            "medium" | "moderate" => Self::Medium,
            "high" => Self::High,
            "critical" => Self::Critical,
            _ => return Err(format!("unknown severity `{s}`")),
        })
    }
}

/// Where a rating came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Computed from a CVSS v4.0 vector.
    CvssV4,
    /// Computed from a CVSS v3.0/v3.1 vector.
    CvssV3,
    /// The database's own label (GHSA `database_specific.severity`).
    DatabaseLabel,
    /// Nothing to go on.
    Unknown,
}

/// A finding's severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub level: Level,
    /// CVSS base score, when computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The vector the score was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    pub basis: Basis,
}

impl Rating {
    pub fn unknown() -> Self {
        Self {
            level: Level::Unknown,
            score: None,
            vector: None,
            basis: Basis::Unknown,
        }
    }
}

/// Rates a record: the highest computed CVSS score among its vectors (record-level and
/// per-`affected`), preferring v4.0 over v3.x when both exist; else the database's label;
/// else unknown.
pub fn rate(record: &Record) -> Rating {
    let vectors = record
        .severity
        .iter()
        .chain(record.affected.iter().flat_map(|a| a.severity.iter()));
    let mut best_v4: Option<(f64, String)> = None;
    let mut best_v3: Option<(f64, String)> = None;
    for s in vectors {
        let (slot, score) = match s.kind.as_str() {
            "CVSS_V4" => (&mut best_v4, crate::cvss::v4_base_score(&s.score)),
            "CVSS_V3" => (&mut best_v3, crate::cvss::v3_base_score(&s.score)),
            _ => continue,
        };
        if let Some(score) = score {
            if slot.as_ref().is_none_or(|(b, _)| score > *b) {
                *slot = Some((score, s.score.clone()));
            }
        }
    }
    if let Some((score, vector)) = best_v4 {
        return Rating {
            level: Level::from_score(score),
            score: Some(score),
            vector: Some(vector),
            basis: Basis::CvssV4,
        };
    }
    if let Some((score, vector)) = best_v3 {
        return Rating {
            level: Level::from_score(score),
            score: Some(score),
            vector: Some(vector),
            basis: Basis::CvssV3,
        };
    }
    let label = record.severity_label().or_else(|| {
        record
            .affected
            .iter()
            .find_map(|a| crate::record::raw_str(&a.database_specific, "severity"))
    });
    if let Some(level) = label.and_then(|l| l.parse::<Level>().ok()) {
        return Rating {
            level,
            score: None,
            vector: None,
            basis: Basis::DatabaseLabel,
        };
    }
    Rating::unknown()
}
