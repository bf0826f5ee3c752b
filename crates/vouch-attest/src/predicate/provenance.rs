//! SLSA provenance: v1 written, v1 and v0.2 read.
//!
//! vouch's build type is [`BUILD_TYPE`], documented in `docs/buildtypes/release-v1.md`.
//! [`ProvenanceParams`] collects what the predicate says, from the GitHub Actions
//! environment (`GITHUB_*`) when present and from explicit values otherwise; it never reads
//! the environment itself (the caller passes a lookup function).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// vouch's SLSA build type URI.
pub const BUILD_TYPE: &str = "https://vouch.dev/attestation/buildtypes/release/v1";

/// A SLSA ResourceDescriptor (`uri`, `digest`, `name`, `annotations`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
}

impl ResourceDescriptor {
    /// A descriptor with a URI and one digest.
    pub fn new(uri: impl Into<String>, algorithm: &str, value: impl Into<String>) -> Self {
        Self {
            uri: Some(uri.into()),
            digest: BTreeMap::from([(algorithm.to_owned(), value.into())]),
            ..Self::default()
        }
    }
}

/// SLSA provenance v1 predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceV1 {
    pub build_definition: BuildDefinition,
    pub run_details: RunDetails,
}

/// `buildDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    pub build_type: String,
    pub external_parameters: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// `runDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    pub builder: Builder,
    #[serde(default)]
    pub metadata: BuildMetadata,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub byproducts: Vec<ResourceDescriptor>,
}

/// `runDetails.builder`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Builder {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
}

/// `runDetails.metadata`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

/// What vouch's provenance records about a build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvenanceParams {
    /// `runDetails.builder.id`.
    pub builder_id: Option<String>,
    /// `runDetails.metadata.invocationId`.
    pub invocation_id: Option<String>,
    /// Source repository URI (`git+https://github.com/o/r`).
    pub source_uri: Option<String>,
    /// Source commit (40-hex git SHA-1).
    pub source_commit: Option<String>,
    /// Source ref (`refs/tags/v1.2.3`).
    pub source_ref: Option<String>,
    /// The workflow file, for CI builds (`.github/workflows/release.yml`).
    pub workflow_path: Option<String>,
    /// Extra GitHub context recorded as `internalParameters.github`.
    pub github: BTreeMap<String, String>,
    /// RFC 3339 start time.
    pub started_on: Option<String>,
    /// RFC 3339 end time.
    pub finished_on: Option<String>,
    /// Everything the build resolved besides the source: pinned actions, images, lockfiles.
    pub resolved_dependencies: Vec<ResourceDescriptor>,
    /// vouch's version (`runDetails.builder.version.vouch`).
    pub vouch_version: String,
}

/// Why provenance could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    #[error("no builder id: outside GitHub Actions pass `--builder-id URI`")]
    NoBuilderId,
    #[error("source commit `{0}` is not a 40 or 64 character hex git object id")]
    BadCommit(String),
}

impl ProvenanceParams {
    /// Fills the parameters from GitHub Actions' `GITHUB_*` variables, through `env`.
    /// Returns default (empty) parameters outside GitHub Actions.
    pub fn from_github_env(env: impl Fn(&str) -> Option<String>) -> Self {
        let mut p = Self::default();
        if env("GITHUB_ACTIONS").as_deref() != Some("true") {
            return p;
        }
        let server = env("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_owned());
        let repo = env("GITHUB_REPOSITORY");
        if let Some(wf) = env("GITHUB_WORKFLOW_REF") {
            // `owner/repo/.github/workflows/x.yml@refs/heads/main`
            p.builder_id = Some(format!("{server}/{wf}"));
            if let Some(path) = wf
                .split_once('@')
                .map(|(p, _)| p)
                .and_then(|p| p.find("/.github/").map(|i| p[i + 1..].to_owned()))
            {
                p.workflow_path = Some(path);
            }
        }
        if let (Some(repo), Some(run)) = (&repo, env("GITHUB_RUN_ID")) {
            let attempt = env("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".to_owned());
            p.invocation_id = Some(format!(
                "{server}/{repo}/actions/runs/{run}/attempts/{attempt}"
            ));
        }
        if let Some(repo) = &repo {
            p.source_uri = Some(format!("git+{server}/{repo}"));
        }
        p.source_commit = env("GITHUB_SHA");
        p.source_ref = env("GITHUB_REF");
        for (var, key) in [
            ("GITHUB_EVENT_NAME", "event_name"),
            ("GITHUB_REPOSITORY_ID", "repository_id"),
            ("GITHUB_REPOSITORY_OWNER_ID", "repository_owner_id"),
            ("RUNNER_ENVIRONMENT", "runner_environment"),
        ] {
            if let Some(v) = env(var) {
                p.github.insert(key.to_owned(), v);
            }
        }
        p
    }

    /// The provenance predicate.
    pub fn build(&self) -> Result<ProvenanceV1, ProvenanceError> {
        let builder_id = self
            .builder_id
            .clone()
            .ok_or(ProvenanceError::NoBuilderId)?;
        let mut external = Map::new();
        let mut source = Map::new();
        if let Some(uri) = &self.source_uri {
            source.insert("uri".into(), json!(uri));
        }
        if let Some(r) = &self.source_ref {
            source.insert("ref".into(), json!(r));
        }
        if !source.is_empty() {
            external.insert("source".into(), Value::Object(source));
        }
        if let Some(path) = &self.workflow_path {
            external.insert(
                "workflow".into(),
                json!({
                    "path": path,
                    "ref": self.source_ref.clone().unwrap_or_default(),
                    "repository": self.source_uri.as_deref().map(|u| u.trim_start_matches("git+")).unwrap_or_default(),
                }),
            );
        }
        let mut deps = Vec::new();
        if let Some(commit) = &self.source_commit {
            let ok = (commit.len() == 40 || commit.len() == 64)
                && commit.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(ProvenanceError::BadCommit(commit.clone()));
            }
            let algo = if commit.len() == 40 {
                "gitCommit"
            } else {
                "sha256"
            };
            let uri = match (&self.source_uri, &self.source_ref) {
                (Some(u), Some(r)) => format!("{u}@{r}"),
                (Some(u), None) => u.clone(),
                (None, _) => "git+local".to_owned(),
            };
            deps.push(ResourceDescriptor::new(
                uri,
                algo,
                commit.to_ascii_lowercase(),
            ));
        }
        deps.extend(self.resolved_dependencies.iter().cloned());
        let internal = (!self.github.is_empty()).then(|| json!({ "github": self.github }));
        Ok(ProvenanceV1 {
            build_definition: BuildDefinition {
                build_type: BUILD_TYPE.to_owned(),
                external_parameters: Value::Object(external),
                internal_parameters: internal,
                resolved_dependencies: deps,
            },
            run_details: RunDetails {
                builder: Builder {
                    id: builder_id,
                    version: BTreeMap::from([("vouch".to_owned(), self.vouch_version.clone())]),
                },
                metadata: BuildMetadata {
                    invocation_id: self.invocation_id.clone(),
                    started_on: self.started_on.clone(),
                    finished_on: self.finished_on.clone(),
                },
                byproducts: Vec::new(),
            },
        })
    }
}

/// What vouch reads from provenance of either version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ProvenanceSummary {
    pub builder_id: String,
    pub build_type: String,
    /// Source repository URI and its digest, when recorded.
    pub source_uri: Option<String>,
    pub source_digest: BTreeMap<String, String>,
}

/// Reads the builder, build type and source from a SLSA v1 or v0.2 predicate.
pub fn summarize(predicate_type: &str, predicate: &Value) -> Option<ProvenanceSummary> {
    let s = |p: &str| {
        predicate
            .pointer(p)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let digest = |p: &str| -> BTreeMap<String, String> {
        predicate
            .pointer(p)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    match predicate_type {
        super::SLSA_PROVENANCE_V1 => {
            let deps = predicate
                .pointer("/buildDefinition/resolvedDependencies")
                .and_then(Value::as_array);
            let first = deps.and_then(|d| d.first());
            Some(ProvenanceSummary {
                builder_id: s("/runDetails/builder/id")?,
                build_type: s("/buildDefinition/buildType").unwrap_or_default(),
                source_uri: first
                    .and_then(|d| d.get("uri"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                source_digest: first
                    .and_then(|d| d.get("digest"))
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        }
        super::SLSA_PROVENANCE_V02 => Some(ProvenanceSummary {
            builder_id: s("/builder/id")?,
            build_type: s("/buildType").unwrap_or_default(),
            source_uri: s("/invocation/configSource/uri"),
            source_digest: digest("/invocation/configSource/digest"),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gha_env(k: &str) -> Option<String> {
        Some(
            match k {
                "GITHUB_ACTIONS" => "true",
                "GITHUB_SERVER_URL" => "https://github.com",
                "GITHUB_REPOSITORY" => "acme/tool",
                "GITHUB_WORKFLOW_REF" => "acme/tool/.github/workflows/release.yml@refs/tags/v1.0.0",
                "GITHUB_RUN_ID" => "42",
                "GITHUB_RUN_ATTEMPT" => "2",
                "GITHUB_SHA" => "4d329c75e7ec1725f7c9ce917a8799d408d06be3",
                "GITHUB_REF" => "refs/tags/v1.0.0",
                "GITHUB_EVENT_NAME" => "push",
                _ => return None,
            }
            .to_owned(),
        )
    }

    #[test]
    fn fills_from_github_actions() {
        let p = ProvenanceParams::from_github_env(gha_env);
        let v1 = p.build().unwrap();
        assert_eq!(
            v1.run_details.builder.id,
            "https://github.com/acme/tool/.github/workflows/release.yml@refs/tags/v1.0.0"
        );
        assert_eq!(
            v1.run_details.metadata.invocation_id.as_deref(),
            Some("https://github.com/acme/tool/actions/runs/42/attempts/2")
        );
        let dep = &v1.build_definition.resolved_dependencies[0];
        assert_eq!(
            dep.uri.as_deref(),
            Some("git+https://github.com/acme/tool@refs/tags/v1.0.0")
        );
        assert_eq!(
            dep.digest["gitCommit"],
            "4d329c75e7ec1725f7c9ce917a8799d408d06be3"
        );
        assert_eq!(
            v1.build_definition.external_parameters["workflow"]["path"],
            ".github/workflows/release.yml"
        );
        let summary = summarize(
            super::super::SLSA_PROVENANCE_V1,
            &serde_json::to_value(&v1).unwrap(),
        )
        .unwrap();
        assert_eq!(summary.builder_id, v1.run_details.builder.id);
    }

    #[test]
    fn outside_ci_needs_a_builder_id() {
        let p = ProvenanceParams::from_github_env(|_| None);
        assert!(matches!(p.build(), Err(ProvenanceError::NoBuilderId)));
        let p = ProvenanceParams {
            builder_id: Some("https://example.com/b".into()),
            source_commit: Some("xyz".into()),
            ..ProvenanceParams::default()
        };
        assert!(matches!(p.build(), Err(ProvenanceError::BadCommit(_))));
    }

    #[test]
    fn reads_the_published_workflow_buildtype_example() {
        let path = vouch_testkit::shared_path(
            "policy-examples/provenance/slsa-buildtype-workflow-v1-example.json",
        );
        let st = crate::Statement::from_json(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(st.predicate_type, super::super::SLSA_PROVENANCE_V1);
        let v1: ProvenanceV1 = serde_json::from_value(st.predicate.clone()).unwrap();
        assert_eq!(
            v1.build_definition.build_type,
            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"
        );
        let summary = summarize(&st.predicate_type, &st.predicate).unwrap();
        assert_eq!(summary.builder_id, v1.run_details.builder.id);
    }
}
