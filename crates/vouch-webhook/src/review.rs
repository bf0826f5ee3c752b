//! The `admission.k8s.io/v1` AdmissionReview: the request kube-apiserver sends, the images
//! its object would run, and the response it expects back.
//!
//! Only what the verifier needs is modelled; everything else in the review (user info, the
//! old object, options) is ignored. The object itself stays a `serde_json::Value` and is
//! walked by kind, so an unexpected field shape is a clear "malformed" error naming its JSON
//! path instead of a serde error about a struct.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `apiVersion` of the reviews this webhook answers.
pub const API_VERSION: &str = "admission.k8s.io/v1";
/// The older `apiVersion`, same shape; answered in kind (clusters before 1.16 and webhook
/// configurations listing it in `admissionReviewVersions` send it).
pub const API_VERSION_V1BETA1: &str = "admission.k8s.io/v1beta1";
/// `kind` of the reviews this webhook answers.
pub const KIND: &str = "AdmissionReview";

/// Why a review cannot be read at all (answered with HTTP 400).
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("failed to parse the AdmissionReview body as JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("the AdmissionReview body is not a JSON object")]
    NotAnObject,
    #[error("unsupported AdmissionReview `apiVersion` `{0}` (expected `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`)")]
    ApiVersion(String),
    #[error("unsupported `kind` `{0}` (expected `AdmissionReview`)")]
    Kind(String),
    #[error("the AdmissionReview has no `request`")]
    NoRequest,
}

/// Why a request's object cannot be checked (answered with `allowed: false`, code 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("the admission request has no `uid`")]
    NoUid,
    #[error("the admission request has no `kind`")]
    NoKind,
    #[error("the admission request has no `operation`")]
    NoOperation,
    #[error("the admission request for a {kind} has no `object`")]
    NoObject { kind: String },
    #[error("`{path}` is malformed: {reason}")]
    Malformed { path: String, reason: String },
}

/// A Kubernetes group/version/kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
}

/// The part of `request` the verifier reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    /// Echoed in the response; `None` when the request lacks it (a malformed review).
    #[serde(default)]
    pub uid: Option<String>,
    #[serde(default)]
    pub kind: Option<GroupVersionKind>,
    #[serde(default)]
    pub sub_resource: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub dry_run: Option<bool>,
    #[serde(default)]
    pub object: Option<Value>,
}

/// A parsed review: its `apiVersion` (echoed back) and the request.
#[derive(Debug, Clone, PartialEq)]
pub struct AdmissionReview {
    pub api_version: String,
    pub request: AdmissionRequest,
}

impl AdmissionReview {
    /// Parses a review body. `null`, a non-object, another `apiVersion`/`kind`, or a review
    /// without `request` is an error; a request with missing fields parses (its problems are
    /// answered in the response, with the `uid` echoed when there is one).
    pub fn parse(body: &[u8]) -> Result<Self, ReviewError> {
        let value: Value = serde_json::from_slice(body).map_err(ReviewError::Json)?;
        let Value::Object(mut map) = value else {
            return Err(ReviewError::NotAnObject);
        };
        let api_version = match map.get("apiVersion") {
            Some(Value::String(s)) if s == API_VERSION || s == API_VERSION_V1BETA1 => s.clone(),
            Some(Value::String(s)) => return Err(ReviewError::ApiVersion(s.clone())),
            Some(other) => return Err(ReviewError::ApiVersion(other.to_string())),
            None => return Err(ReviewError::ApiVersion(String::new())),
        };
        match map.get("kind") {
            Some(Value::String(s)) if s == KIND => {}
            Some(other) => {
                return Err(ReviewError::Kind(
                    other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_owned),
                ))
            }
            None => return Err(ReviewError::Kind(String::new())),
        }
        let request = match map.remove("request") {
            None | Some(Value::Null) => return Err(ReviewError::NoRequest),
            Some(r) => serde_json::from_value(r).map_err(ReviewError::Json)?,
        };
        Ok(Self {
            api_version,
            request,
        })
    }
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerList {
    Containers,
    InitContainers,
    EphemeralContainers,
}

impl ContainerList {
    pub const ALL: [Self; 3] = [
        Self::InitContainers,
        Self::Containers,
        Self::EphemeralContainers,
    ];

    pub fn field(self) -> &'static str {
        match self {
            Self::Containers => "containers",
            Self::InitContainers => "initContainers",
            Self::EphemeralContainers => "ephemeralContainers",
        }
    }

    /// How a person names it: "container", "init container", "ephemeral container".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Containers => "container",
            Self::InitContainers => "init container",
            Self::EphemeralContainers => "ephemeral container",
        }
    }
}

/// One container image the object would run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerImage {
    pub list: ContainerList,
    /// The container's `name`.
    pub container: String,
    /// The `image` exactly as written.
    pub image: String,
    /// JSON path of the field, e.g. `spec.template.spec.containers[0].image`.
    pub path: String,
    /// The same field as an RFC 6901 JSON pointer into the object, e.g.
    /// `/spec/template/spec/containers/0/image` (what a JSONPatch names).
    pub pointer: String,
}

/// What the request asks to admit, as far as images go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workload {
    /// An object with a pod spec: these images must all verify.
    Images(Vec<ContainerImage>),
    /// Nothing that runs images (a delete, a status update, a kind without a pod spec).
    Nothing(String),
}

/// Where a kind keeps its pod spec.
fn pod_spec_path(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (group, kind) {
        ("", "Pod") => &["spec"],
        ("", "PodTemplate") => &["template", "spec"],
        ("", "ReplicationController")
        | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => &["spec", "template", "spec"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

/// Extracts every container, init-container and ephemeral-container image of the request's
/// object (a Pod or a pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
/// CronJob, ReplicationController or PodTemplate). Kinds not listed are searched for the
/// usual template shapes (`spec.template.spec`, `spec.jobTemplate.spec.template.spec`), so a
/// custom workload resource routed to the webhook is checked rather than waved through.
pub fn workload(request: &AdmissionRequest) -> Result<Workload, RequestError> {
    if request.uid.as_deref().is_none_or(str::is_empty) {
        return Err(RequestError::NoUid);
    }
    let gvk = request
        .kind
        .as_ref()
        .filter(|k| !k.kind.is_empty())
        .ok_or(RequestError::NoKind)?;
    let operation = request
        .operation
        .as_deref()
        .filter(|o| !o.is_empty())
        .ok_or(RequestError::NoOperation)?;
    if operation == "DELETE" || operation == "CONNECT" {
        return Ok(Workload::Nothing(format!("{operation} runs no image")));
    }
    // Subresources other than ephemeralcontainers (status, binding, eviction, scale) cannot
    // change what a pod runs.
    if let Some(sub) = request.sub_resource.as_deref().filter(|s| !s.is_empty()) {
        if sub != "ephemeralcontainers" {
            return Ok(Workload::Nothing(format!(
                "the `{sub}` subresource runs no image"
            )));
        }
    }
    let object = match &request.object {
        Some(Value::Object(_)) => request.object.as_ref().expect("matched"),
        Some(Value::Null) | None => {
            return Err(RequestError::NoObject {
                kind: gvk.kind.clone(),
            })
        }
        Some(_) => {
            return Err(RequestError::Malformed {
                path: "request.object".to_owned(),
                reason: "not a JSON object".to_owned(),
            })
        }
    };
    // A subresource request carries the parent object (the Pod).
    let kind = if request.sub_resource.is_some() {
        ("", "Pod")
    } else {
        (gvk.group.as_str(), gvk.kind.as_str())
    };
    let candidates: Vec<&[&str]> = match pod_spec_path(kind.0, kind.1) {
        Some(p) => vec![p],
        None => vec![
            &["spec", "template", "spec"],
            &["spec", "jobTemplate", "spec", "template", "spec"],
        ],
    };
    let known = pod_spec_path(kind.0, kind.1).is_some();
    for path in candidates {
        let mut at = object;
        let mut found = true;
        for (i, seg) in path.iter().enumerate() {
            match at.get(seg) {
                Some(v @ Value::Object(_)) => at = v,
                Some(Value::Null) | None if !known => {
                    found = false;
                    break;
                }
                Some(Value::Null) | None => {
                    return Err(RequestError::Malformed {
                        path: path[..=i].join("."),
                        reason: format!("a {} must have it", gvk.kind),
                    })
                }
                Some(_) => {
                    return Err(RequestError::Malformed {
                        path: path[..=i].join("."),
                        reason: "not a JSON object".to_owned(),
                    })
                }
            }
        }
        if found {
            return images_of(at, &path.join("."), &format!("/{}", path.join("/")))
                .map(Workload::Images);
        }
    }
    Ok(Workload::Nothing(format!(
        "a {} has no pod template",
        gvk.kind
    )))
}

/// The images of a pod spec at `prefix` (dotted) / `pointer` (RFC 6901) in its object.
pub fn images_of(
    spec: &Value,
    prefix: &str,
    pointer: &str,
) -> Result<Vec<ContainerImage>, RequestError> {
    let mut out = Vec::new();
    for list in ContainerList::ALL {
        let field = list.field();
        let items = match spec.get(field) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(RequestError::Malformed {
                    path: format!("{prefix}.{field}"),
                    reason: "not a list".to_owned(),
                })
            }
        };
        for (i, c) in items.iter().enumerate() {
            let path = format!("{prefix}.{field}[{i}]");
            let container = c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let image = match c.get("image") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                _ => {
                    return Err(RequestError::Malformed {
                        path: format!("{path}.image"),
                        reason: "missing or not a non-empty string".to_owned(),
                    })
                }
            };
            out.push(ContainerImage {
                list,
                container,
                image,
                path: format!("{path}.image"),
                pointer: format!("{pointer}/{field}/{i}/image"),
            });
        }
    }
    Ok(out)
}

/// `status` of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub code: u16,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// The `response` of an AdmissionReview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionResponse {
    pub uid: String,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
    /// `JSONPatch` when there is a patch.
    #[serde(rename = "patchType", skip_serializing_if = "Option::is_none", default)]
    pub patch_type: Option<String>,
    /// The RFC 6902 JSONPatch, base64-encoded (as the API expects it).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub patch: Option<String>,
}

impl AdmissionResponse {
    pub fn allow(uid: &str, message: Option<String>, warnings: Vec<String>) -> Self {
        Self {
            uid: uid.to_owned(),
            allowed: true,
            status: message.map(|message| Status {
                code: 200,
                message,
                reason: None,
            }),
            warnings,
            patch_type: None,
            patch: None,
        }
    }

    /// Adds an RFC 6902 JSONPatch (`ops`: a JSON array); an empty one is left out.
    #[must_use]
    pub fn with_patch(mut self, ops: &Value) -> Self {
        use base64::Engine as _;
        if ops.as_array().is_some_and(|a| !a.is_empty()) {
            let bytes = serde_json::to_vec(ops).unwrap_or_default();
            self.patch_type = Some("JSONPatch".to_owned());
            self.patch = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
        self
    }

    /// A denial: `code` 403 for a policy denial or a failed verification, 400 for a request
    /// that cannot be read, 500 for "could not verify".
    pub fn deny(uid: &str, code: u16, message: String) -> Self {
        Self {
            uid: uid.to_owned(),
            allowed: false,
            status: Some(Status {
                code,
                message,
                reason: Some(
                    match code {
                        400 => "BadRequest",
                        403 => "Forbidden",
                        504 => "Timeout",
                        _ => "InternalError",
                    }
                    .to_owned(),
                ),
            }),
            warnings: Vec::new(),
            patch_type: None,
            patch: None,
        }
    }

    /// The whole review to send back.
    pub fn into_review(self, api_version: &str) -> Value {
        serde_json::json!({
            "apiVersion": api_version,
            "kind": KIND,
            "response": self,
        })
    }
}
