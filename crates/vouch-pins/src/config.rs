//! The pins policy: per-owner rules, extra allowed registries, and exceptions that must carry a
//! reason and an expiry date.
//!
//! Read from `.vouch/pins.toml` (keys at the top level or under `[pins]`) or from `vouch.toml`'s
//! `[pins]` table:
//!
//! ```toml
//! [pins]
//! allowed-sources = ["https://npm.example.com/"]
//!
//! [pins.owners]
//! my-org = "tag"        # tags are accepted for my own actions and images
//! evil-corp = "deny"    # never
//!
//! [[pins.exceptions]]
//! code = "unpinned-image"
//! subject = "postgres:16"
//! reason = "mirrored and scanned nightly"
//! expires = "2026-12-31"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::{image, Code, Finding, PinState, Reference, ReferenceKind, Waiver};

/// What an owner's references must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerRule {
    /// A full commit SHA or digest (the default for everyone).
    Sha,
    /// A tag or branch is enough (first-party code you control).
    Tag,
    /// Never allowed.
    Deny,
}

/// One exception.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The finding code it applies to (all codes when absent).
    #[serde(default)]
    pub code: Option<Code>,
    /// Prefix of the finding's subject (reference, command or `name@version`).
    #[serde(default)]
    pub subject: Option<String>,
    /// Prefix of the finding's file.
    #[serde(default)]
    pub file: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`; the exception stops applying after this day.
    pub expires: String,
}

/// The pins policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub owners: BTreeMap<String, OwnerRule>,
    /// Registries (URL prefixes) accepted besides the public default registries.
    #[serde(default)]
    pub allowed_sources: Vec<String>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
}

/// A policy file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read `{file}`: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse `{file}`: {source}")]
    Toml {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("`{file}`: exception {index} {problem}")]
    Exception {
        file: String,
        index: usize,
        problem: String,
    },
}

#[derive(Deserialize)]
struct Wrapper {
    #[serde(default)]
    pins: Option<toml::Value>,
}

impl Config {
    /// Parses a policy file's text. `nested` means the policy sits under `[pins]`.
    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        let wrapper: Wrapper = toml::from_str(text).map_err(|source| ConfigError::Toml {
            file: file.to_owned(),
            source,
        })?;
        let value = match wrapper.pins {
            Some(v) => v,
            None if file.ends_with("pins.toml") => {
                toml::from_str(text).map_err(|source| ConfigError::Toml {
                    file: file.to_owned(),
                    source,
                })?
            }
            None => return Ok(Self::default()),
        };
        let config: Self = Config::deserialize(value).map_err(|source| ConfigError::Toml {
            file: file.to_owned(),
            source,
        })?;
        for (i, e) in config.exceptions.iter().enumerate() {
            let problem = if e.reason.trim().is_empty() {
                Some("has an empty `reason`".to_owned())
            } else if parse_date(&e.expires).is_none() {
                Some(format!(
                    "has `expires = \"{}\"`, not a YYYY-MM-DD date",
                    e.expires
                ))
            } else if e.code.is_none() && e.subject.is_none() && e.file.is_none() {
                Some("matches everything: give a `code`, `subject` or `file`".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(ConfigError::Exception {
                    file: file.to_owned(),
                    index: i + 1,
                    problem,
                });
            }
        }
        Ok(config)
    }

    /// Loads `.vouch/pins.toml`, else `vouch.toml` `[pins]`, from `root`; the default policy
    /// when neither exists. Returns the file used.
    pub fn load(root: &Path) -> Result<(Self, Option<String>), ConfigError> {
        for name in [".vouch/pins.toml", "vouch.toml"] {
            let path = root.join(name);
            if path.is_file() {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    file: path.display().to_string(),
                    source,
                })?;
                return Ok((Self::parse(name, &text)?, Some(name.to_owned())));
            }
        }
        Ok((Self::default(), None))
    }

    /// The rule for an action name (`owner/repo/path`) or image repository.
    pub fn rule_for(&self, r: &Reference) -> OwnerRule {
        let name = match r.kind {
            ReferenceKind::Action | ReferenceKind::ReusableWorkflow => {
                r.reference.split('@').next().unwrap_or_default().to_owned()
            }
            ReferenceKind::DockerAction | ReferenceKind::Image => {
                let s = r.resolved.as_deref().unwrap_or(&r.reference);
                image::repository(s.strip_prefix("docker://").unwrap_or(s)).to_owned()
            }
        };
        let lower = name.to_ascii_lowercase();
        self.owners
            .iter()
            .filter(|(owner, _)| {
                let o = owner.to_ascii_lowercase();
                lower == o || lower.starts_with(&format!("{o}/"))
            })
            .max_by_key(|(owner, _)| owner.len())
            .map_or(OwnerRule::Sha, |(_, rule)| *rule)
    }

    /// Applies owner rules and exceptions to the references and findings of a run.
    pub fn apply(
        &self,
        policy_file: Option<&str>,
        references: &mut [Reference],
        findings: &mut Vec<Finding>,
        today: time::Date,
    ) {
        // Owner rules.
        let mut extra = Vec::new();
        for r in references.iter_mut() {
            match self.rule_for(r) {
                OwnerRule::Sha => {}
                OwnerRule::Tag => {
                    if r.state == PinState::Unpinned {
                        r.state = PinState::Allowed;
                        findings.retain(|f| {
                            !(f.file == r.file
                                && f.line == Some(r.line)
                                && f.subject.as_deref() == Some(r.reference.as_str())
                                && matches!(
                                    f.code,
                                    Code::UnpinnedAction
                                        | Code::UnpinnedReusableWorkflow
                                        | Code::UnpinnedImage
                                ))
                        });
                    }
                }
                OwnerRule::Deny => extra.push(
                    Finding::new(
                        Code::OwnerDenied,
                        &r.file,
                        Some(r.line),
                        format!("`{}` belongs to an owner the policy denies", r.reference),
                    )
                    .subject(&r.reference),
                ),
            }
        }
        findings.extend(extra);
        // Exceptions.
        let file = policy_file.unwrap_or("vouch.toml");
        for e in &self.exceptions {
            let expired = parse_date(&e.expires).is_none_or(|d| d < today);
            let mut used = false;
            for f in findings.iter_mut() {
                if f.waived.is_some() || e.code.is_some_and(|c| c != f.code) {
                    continue;
                }
                if e.subject
                    .as_deref()
                    .is_some_and(|s| !f.subject.as_deref().is_some_and(|fs| fs.starts_with(s)))
                {
                    continue;
                }
                if e.file.as_deref().is_some_and(|p| !f.file.starts_with(p)) {
                    continue;
                }
                used = true;
                if !expired {
                    f.waived = Some(Waiver {
                        reason: e.reason.clone(),
                        expires: e.expires.clone(),
                    });
                }
            }
            if expired && used {
                findings.push(
                    Finding::new(
                        Code::ExceptionExpired,
                        file,
                        None,
                        format!(
                            "the exception for {} expired on {} (reason: {})",
                            e.subject
                                .as_deref()
                                .or(e.code.map(Code::as_str))
                                .unwrap_or("a file"),
                            e.expires,
                            e.reason
                        ),
                    )
                    .subject(e.subject.clone().unwrap_or_default()),
                );
            }
        }
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), fmt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_need_reason_and_date() {
        let bad =
            "[[exceptions]]\ncode = \"unpinned-image\"\nreason = \"\"\nexpires = \"2026-01-01\"\n";
        assert!(Config::parse(".vouch/pins.toml", bad).is_err());
        let missing = "[pins]\n[[pins.exceptions]]\ncode = \"unpinned-image\"\nreason = \"x\"\n";
        assert!(Config::parse("vouch.toml", missing).is_err());
        let ok = "[pins.owners]\nmy-org = \"tag\"\n[[pins.exceptions]]\ncode = \"unpinned-image\"\nreason = \"x\"\nexpires = \"2026-01-01\"\n";
        let c = Config::parse("vouch.toml", ok).unwrap();
        assert_eq!(c.owners["my-org"], OwnerRule::Tag);
    }

    #[test]
    fn expired_exception_is_a_finding() {
        let c = Config::parse(
            "vouch.toml",
            "[[pins.exceptions]]\nsubject = \"postgres\"\nreason = \"r\"\nexpires = \"2026-01-01\"\n",
        )
        .unwrap();
        let mut f =
            vec![Finding::new(Code::UnpinnedImage, "c.yml", Some(1), "m").subject("postgres:16")];
        c.apply(None, &mut [], &mut f, parse_date("2025-12-31").unwrap());
        assert!(f[0].waived.is_some());
        let mut f =
            vec![Finding::new(Code::UnpinnedImage, "c.yml", Some(1), "m").subject("postgres:16")];
        c.apply(None, &mut [], &mut f, parse_date("2026-01-02").unwrap());
        assert!(f[0].waived.is_none());
        assert_eq!(f[1].code, Code::ExceptionExpired);
    }
}
