//! Compose files (`services.*.image`) and Kubernetes manifests (every container, init container
//! and ephemeral container of every pod template, whatever the kind: the pod spec is found
//! wherever it sits, so `CronJob`, `List`s and custom resources that embed pod templates work).

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

fn walk(node: &Node, file: &str, out: &mut Checked) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let key = k.as_str().unwrap_or_default();
                if matches!(key, "containers" | "initContainers" | "ephemeralContainers") {
                    for c in v.items() {
                        if let Some(img) = c.get("image") {
                            push_image(out, file, img, false);
                        }
                    }
                } else {
                    walk(v, file, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| walk(i, file, out)),
        _ => {}
    }
}

/// Checks a Kubernetes manifest (all documents of the stream).
pub fn check_kubernetes(file: &str, text: &str) -> Checked {
    let mut out = Checked::default();
    for doc in parse(file, text, &mut out) {
        if doc.get("kind").is_some() {
            walk(&doc, file, &mut out);
        }
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
}
