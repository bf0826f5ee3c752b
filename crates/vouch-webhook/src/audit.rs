//! The fleet audit behind `vouch verify workloads`: "zero unsigned images in prod".
//!
//! Reads what `kubectl get pods,deployments,statefulsets,daemonsets,jobs,cronjobs -A -o json`
//! prints (a `List`, or a single object), finds every container, init-container and
//! ephemeral-container image of every workload the same way the admission endpoints do, and
//! decides each distinct image once with the webhook's policy, caches and budget. Tags are
//! resolved (as at the mutating endpoint), so the report names the digest each tag runs now.
//! It is the dry run an operator needs before switching a policy from `warn` to `enforce`.

use serde::Serialize;
use serde_json::Value;

use crate::review::{self, AdmissionRequest, GroupVersionKind, Workload};
use crate::{Endpoint, ImageOutcome, Webhook};

/// Why the input cannot be audited.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("`{source_name}` is not JSON: {source}")]
    Json {
        source_name: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{source_name}` is not a Kubernetes object or `List` (`kubectl get … -o json` output): {reason}")]
    Shape { source_name: String, reason: String },
    #[error("`{source_name}`: `{path}` is malformed: {reason}")]
    Object {
        source_name: String,
        path: String,
        reason: String,
    },
}

/// A workload and the images it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadImages {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub images: Vec<review::ContainerImage>,
}

/// The verdict on one image of one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditResult {
    /// Every matching policy admits it (possibly with warnings).
    Admitted,
    /// A policy denies it.
    Denied,
    /// The registry or the configuration failed, or the budget ran out.
    CouldNotVerify,
    /// No policy covers it; `noMatch` decided.
    Unmatched,
}

/// One row: a container image of a workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub container: String,
    /// `container`, `init container` or `ephemeral container`.
    pub container_kind: String,
    /// The image as the workload names it.
    pub image: String,
    /// The reference pinned to the digest that was verified (absent when no digest was
    /// resolved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
    pub result: AuditResult,
    /// Whether the image is admitted (`unmatched` images per `noMatch`).
    pub admitted: bool,
    /// Failure codes (denials), warning codes (admissions with warnings).
    pub codes: Vec<String>,
    /// Why, with what fixes it.
    pub message: String,
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    pub workloads: usize,
    pub images: usize,
    pub rows: Vec<AuditRow>,
}

impl AuditReport {
    /// Whether any image would be denied (or could not be verified).
    pub fn any_denied(&self) -> bool {
        self.rows.iter().any(|r| !r.admitted)
    }

    /// Rows with this result.
    pub fn count(&self, result: &AuditResult) -> usize {
        self.rows.iter().filter(|r| r.result == *result).count()
    }
}

/// The workloads of `kubectl get … -o json` output (a `List` or one object). Objects that run
/// no image (a Service, a ConfigMap) are skipped.
pub fn workloads(source_name: &str, json: &[u8]) -> Result<Vec<WorkloadImages>, AuditError> {
    let value: Value = serde_json::from_slice(json).map_err(|source| AuditError::Json {
        source_name: source_name.to_owned(),
        source,
    })?;
    let shape = |reason: &str| AuditError::Shape {
        source_name: source_name.to_owned(),
        reason: reason.to_owned(),
    };
    let Value::Object(map) = &value else {
        return Err(shape("not a JSON object"));
    };
    let items: Vec<&Value> = match map.get("items") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(_) => return Err(shape("`items` is not a list")),
        None if map.contains_key("kind") => vec![&value],
        None => return Err(shape("no `items` and no `kind`")),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |reason: String, path: &str| AuditError::Object {
            source_name: source_name.to_owned(),
            path: format!("items[{i}]{path}"),
            reason,
        };
        let api_version = item
            .get("apiVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| at("no `apiVersion`".to_owned(), ""))?;
        let kind = item
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| at("no `kind`".to_owned(), ""))?;
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let meta = item.get("metadata");
        let text = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        // The admission endpoints' extraction, on a synthetic CREATE request.
        let request = AdmissionRequest {
            uid: Some(format!("audit-{i}")),
            kind: Some(GroupVersionKind {
                group: group.to_owned(),
                version: version.to_owned(),
                kind: kind.to_owned(),
            }),
            sub_resource: None,
            namespace: Some(text("namespace")),
            name: Some(text("name")),
            operation: Some("CREATE".to_owned()),
            dry_run: None,
            object: Some((*item).clone()),
        };
        match review::workload(&request) {
            Ok(Workload::Images(images)) if !images.is_empty() => out.push(WorkloadImages {
                namespace: text("namespace"),
                kind: kind.to_owned(),
                name: text("name"),
                images,
            }),
            Ok(_) => {}
            Err(e) => return Err(at(e.to_string(), "")),
        }
    }
    Ok(out)
}

/// Decides every distinct image of `workloads` once (tags resolved, as at the mutating
/// endpoint) and reports one row per workload image.
pub async fn audit(webhook: &Webhook, workloads: &[WorkloadImages]) -> AuditReport {
    let mut texts: Vec<&str> = workloads
        .iter()
        .flat_map(|w| w.images.iter().map(|i| i.image.as_str()))
        .collect();
    texts.sort_unstable();
    texts.dedup();
    let outcomes = webhook.decide_images(Endpoint::Mutate, &texts).await;
    let mut rows = Vec::new();
    for w in workloads {
        for i in &w.images {
            let outcome = outcomes.get(&i.image);
            let (result, admitted, pinned, codes, message) = describe(outcome);
            rows.push(AuditRow {
                namespace: w.namespace.clone(),
                kind: w.kind.clone(),
                name: w.name.clone(),
                container: i.container.clone(),
                container_kind: i.list.noun().to_owned(),
                image: i.image.clone(),
                pinned,
                result,
                admitted,
                codes,
                message,
            });
        }
    }
    AuditReport {
        workloads: workloads.len(),
        images: texts.len(),
        rows,
    }
}

fn describe(
    outcome: Option<&ImageOutcome>,
) -> (AuditResult, bool, Option<String>, Vec<String>, String) {
    match outcome {
        Some(ImageOutcome::Verified(v)) => {
            let admitted = v.admitted();
            let list: Vec<&vouch_policy::Failure> = if admitted {
                v.warnings().collect()
            } else {
                v.failures().collect()
            };
            let mut codes: Vec<String> = Vec::new();
            for f in &list {
                let c = crate::code(f.code);
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
            let message = list
                .iter()
                .map(|f| crate::failure_text(f))
                .collect::<Vec<_>>()
                .join("; ");
            let result = if v.unmatched() {
                AuditResult::Unmatched
            } else if admitted {
                AuditResult::Admitted
            } else {
                AuditResult::Denied
            };
            let pinned = v.reference.digest().map(|_| v.reference.to_string());
            (result, admitted, pinned, codes, message)
        }
        Some(ImageOutcome::CouldNotVerify { cause, .. }) => (
            AuditResult::CouldNotVerify,
            false,
            None,
            Vec::new(),
            cause.clone(),
        ),
        Some(ImageOutcome::BadReference(e)) => (
            AuditResult::Denied,
            false,
            None,
            vec!["bad-reference".to_owned()],
            format!("not a valid image reference: {e}"),
        ),
        Some(ImageOutcome::NotPinned) => (
            AuditResult::Denied,
            false,
            None,
            vec!["digest-required".to_owned()],
            "not pinned to a digest".to_owned(),
        ),
        Some(ImageOutcome::TimedOut) | None => (
            AuditResult::CouldNotVerify,
            false,
            None,
            Vec::new(),
            "not verified within the time budget".to_owned(),
        ),
    }
}
