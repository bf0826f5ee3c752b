//! Compose files (`services.*.image`) and Kubernetes manifests (every container, init container
//! and ephemeral container of the pod spec of every workload kind, `List`s included). Other
//! kinds are not searched for images (a policy's pattern `image: '!*:latest'` is not an image
//! that runs); those that mention containers get a `skipped-kind` note saying so.

use crate::workflow::{image_findings, Checked};
use crate::yaml::{self, Node, Value};
#[cfg(test)]
use crate::PinState;
use crate::{image, Code, Finding, Reference, ReferenceKind};

fn push_image(out: &mut Checked, file: &str, node: &Node, interpolate: bool) {
    let Some(img) = node.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
        return;
    };
    // Compose interpolates `${VAR:-default}` from the environment; judge the default.
    let resolved = if interpolate {
        crate::dockerfile::substitute(img, &std::collections::HashMap::new())
    } else {
        img.to_owned()
    };
    let pin = image::classify(&resolved);
    let r = Reference {
        file: file.to_owned(),
        line: node.line,
        kind: ReferenceKind::Image,
        reference: img.to_owned(),
        resolved: (resolved != img).then_some(resolved),
        state: pin.state,
        digest: pin.digest,
        comment: None,
    };
    image_findings(&mut out.findings, file, &r);
    out.references.push(r);
}

fn parse(file: &str, text: &str, out: &mut Checked) -> Vec<Node> {
    match yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            out.findings.push(Finding::new(
                Code::ParseError,
                file,
                Some(e.line),
                format!("failed to parse `{file}`: {}", e.message),
            ));
            Vec::new()
        }
    }
}

/// Checks a compose file.
pub fn check_compose(file: &str, text: &str) -> Checked {
    let mut out = Checked::default();
    for doc in parse(file, text, &mut out) {
        for (_, svc) in doc.entries_at("services") {
            if let Some(img) = svc.get("image") {
                push_image(&mut out, file, img, true);
            }
        }
    }
    out
}

/// Whether a YAML text looks like a Kubernetes manifest (`apiVersion` and `kind` at the top).
pub fn is_kubernetes(docs: &[Node]) -> bool {
    docs.iter()
        .any(|d| d.get("apiVersion").is_some() && d.get("kind").is_some())
}

/// Where each workload kind keeps its pod spec: the kinds of Kubernetes itself, OpenShift's
/// `DeploymentConfig` and Argo's `Rollout` (which embed a pod template the same way).
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("PodTemplate", &["template", "spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("DeploymentConfig", &["spec", "template", "spec"]),
    ("Rollout", &["spec", "template", "spec"]),
];

/// The images of a pod spec: every init, regular and ephemeral container.
fn pod_spec(spec: &Node, file: &str, out: &mut Checked) {
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec.get(key).map_or(&[][..], Node::items) {
            if let Some(img) = c.get("image") {
                push_image(out, file, img, false);
            }
        }
    }
}

/// Whether anything under `node` is shaped like a container list (`containers: [{image}]`).
fn has_containers(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|(k, v)| {
            matches!(
                k.as_str(),
                Some("containers" | "initContainers" | "ephemeralContainers")
            ) && v.items().iter().any(|c| c.get("image").is_some())
                || has_containers(v)
        }),
        Value::Seq(items) => items.iter().any(has_containers),
        _ => false,
    }
}

/// One object of a manifest: a workload's pod spec is read; a `List` is read item by item;
/// any other kind is skipped, and said to be when it holds something shaped like containers
/// (a Kyverno `ClusterPolicy` pattern with `image: '!*:latest'` is no image that runs).
fn object(doc: &Node, file: &str, out: &mut Checked) {
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else {
        return;
    };
    if let Some((_, path)) = WORKLOADS.iter().find(|(k, _)| *k == kind) {
        let mut node = Some(doc);
        for key in *path {
            node = node.and_then(|n| n.get(key));
        }
        if let Some(spec) = node {
            pod_spec(spec, file, out);
        }
        return;
    }
    if kind.ends_with("List") {
        for item in doc.get("items").map_or(&[][..], Node::items) {
            object(item, file, out);
        }
        return;
    }
    if has_containers(doc) {
        let api = doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .map_or_else(String::new, |a| format!(" ({a})"));
        out.findings.push(
            Finding::new(
                Code::SkippedKind,
                file,
                Some(doc.line),
                format!(
                    "`{kind}`{api} is not a workload kind: the containers it mentions are not \
                     images it runs, and were not checked"
                ),
            )
            .subject(kind)
            .level(vouch_core::Level::Note),
        );
    }
}

/// Checks a Kubernetes manifest (all documents of the stream).
pub fn check_kubernetes(file: &str, text: &str) -> Checked {
    let mut out = Checked::default();
    for doc in parse(file, text, &mut out) {
        object(&doc, file, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_defaults_are_judged() {
        let t = "services:\n  a:\n    image: postgres:${PG:-16}\n  b:\n    image: redis:${TAG}\n  c:\n    image: \"x@sha256:${D:-0000000000000000000000000000000000000000000000000000000000000000}\"\n";
        let c = check_compose("compose.yaml", t);
        let states: Vec<_> = c.references.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            vec![PinState::Unpinned, PinState::Expression, PinState::Pinned]
        );
        assert_eq!(c.references[0].resolved.as_deref(), Some("postgres:16"));
    }

    #[test]
    fn every_pod_template() {
        let t = "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: a\n              image: busybox\n          containers:\n            - name: b\n              image: ghcr.io/x/y@sha256:0000000000000000000000000000000000000000000000000000000000000000\n---\napiVersion: v1\nkind: Pod\nspec:\n  ephemeralContainers:\n    - image: debug:1\n";
        let c = check_kubernetes("k.yaml", t);
        let states: Vec<_> = c.references.iter().map(|r| (r.line, r.state)).collect();
        assert_eq!(
            states,
            vec![
                (10, PinState::Unpinned),
                (13, PinState::Pinned),
                (19, PinState::Unpinned)
            ]
        );
    }

    #[test]
    fn only_workloads_are_searched_and_skipped_kinds_are_named() {
        let t = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec:\n  rules:\n    - validate:\n        pattern:\n          spec:\n            containers:\n              - image: '!*:latest'\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: Deployment\n    spec:\n      template:\n        spec:\n          containers:\n            - image: nginx:1.27\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n";
        let c = check_kubernetes("k.yaml", t);
        let refs: Vec<_> = c
            .references
            .iter()
            .map(|r| (r.line, r.reference.as_str()))
            .collect();
        assert_eq!(refs, vec![(20, "nginx:1.27")]);
        let notes: Vec<_> = c
            .findings
            .iter()
            .filter(|f| f.code == Code::SkippedKind)
            .collect();
        assert_eq!(notes.len(), 1, "{:?}", c.findings);
        assert_eq!(notes[0].level, vouch_core::Level::Note);
        assert!(!notes[0].is_failure());
        assert!(
            notes[0].message.contains("`ClusterPolicy` (kyverno.io/v1)"),
            "{}",
            notes[0].message
        );
        assert_eq!(notes[0].line, Some(1));
    }
}
