//! GitHub Actions workflows and action metadata (`action.yml`), and GitHub's `actions.lock`.
//!
//! A `uses:` is pinned only at a full 40-hex commit id (or locked by `actions.lock`); `docker://`
//! and container images need a well-formed sha256 digest. `./local` actions and GitHub's
//! self-repository references (`$/path`, this repository at the running commit) are followed by
//! the caller ([`Checked::local_actions`]); `${{ }}` expressions are reported, never trusted.

use std::collections::BTreeMap;

use crate::yaml::{self, Node};
use crate::{image, is_commit_sha, Code, Finding, PinState, Reference, ReferenceKind};

/// What one workflow or action file yields.
#[derive(Debug, Default, Clone)]
pub struct Checked {
    pub references: Vec<Reference>,
    pub findings: Vec<Finding>,
    /// `./path` actions and reusable workflows referenced (relative to the repository root).
    pub local_actions: Vec<(String, u32)>,
    /// `run:` scripts: text, the line their text starts on, and the shell.
    pub scripts: Vec<Script>,
}

/// A shell script embedded in a YAML file.
#[derive(Debug, Clone)]
pub struct Script {
    pub text: String,
    pub line: u32,
    /// `shell:` when given (`bash` by default).
    pub shell: Option<String>,
}

/// GitHub's Actions lockfile: `name@ref` → commit id.
#[derive(Debug, Default, Clone)]
pub struct ActionsLock {
    /// `owner/repo@ref` → 40-hex commit.
    pub dependencies: BTreeMap<String, String>,
    /// workflow path → pin keys it uses.
    pub workflows: BTreeMap<String, Vec<String>>,
}

impl ActionsLock {
    /// Parses `actions.lock` (schema `v0.0.2`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let docs = yaml::parse(text).map_err(|e| e.to_string())?;
        let root = docs.first().ok_or("empty document")?;
        let mut lock = Self::default();
        for (k, v) in root.entries_at("dependencies") {
            let Some(key) = k.as_str() else { continue };
            let commit = v
                .get("commit")
                .and_then(Node::as_str)
                .ok_or_else(|| format!("line {}: `{key}` has no `commit`", v.line))?;
            let hex = commit.strip_prefix("sha1-").unwrap_or(commit);
            if !is_commit_sha(hex) {
                return Err(format!(
                    "line {}: `{key}` commit `{commit}` is not a 40-hex commit id",
                    v.line
                ));
            }
            lock.dependencies
                .insert(key.to_owned(), hex.to_ascii_lowercase());
        }
        for (k, v) in root.entries_at("workflows") {
            let Some(path) = k.as_str() else { continue };
            let keys = v
                .items()
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect();
            lock.workflows.insert(path.to_owned(), keys);
        }
        Ok(lock)
    }

    /// The commit `name@git_ref` is locked to.
    pub fn commit_for(&self, name: &str, git_ref: &str) -> Option<&str> {
        self.dependencies
            .get(&format!("{name}@{git_ref}"))
            .map(String::as_str)
    }
}

/// The comment after a value on its line (`# v4.2.2`), if any.
pub fn trailing_comment(text: &str, line: u32, value: &str) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)? as usize)?;
    let after = &l[l.find(value).map_or(0, |p| p + value.len())..];
    let hash = after.find(" #").map(|p| p + 1).or_else(|| {
        if after.starts_with('#') {
            Some(0)
        } else {
            None
        }
    })?;
    let c = after[hash + 1..].trim();
    (!c.is_empty()).then(|| c.to_owned())
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    lock: Option<&'a ActionsLock>,
    out: Checked,
}

/// Known actions that download a tool whose version is their `version` input.
const TOOL_INSTALLERS: &[&str] = &[
    "aquasecurity/setup-trivy",
    "1password/load-secrets-action",
    "astral-sh/setup-uv",
    "pnpm/action-setup",
    "oven-sh/setup-bun",
    "hashicorp/setup-terraform",
    "sigstore/cosign-installer",
    "golangci/golangci-lint-action",
    "goreleaser/goreleaser-action",
    "helm/kind-action",
    "azure/setup-helm",
    "azure/setup-kubectl",
];

impl Ctx<'_> {
    fn uses(&mut self, node: &Node, job_level: bool, with: Option<&Node>) {
        let Some(raw) = node.as_str() else { return };
        let value = raw.trim();
        let line = node.line;
        let comment = trailing_comment(self.text, line, value);
        let mut reference = Reference {
            file: self.file.to_owned(),
            line,
            kind: if job_level {
                ReferenceKind::ReusableWorkflow
            } else {
                ReferenceKind::Action
            },
            reference: value.to_owned(),
            resolved: None,
            state: PinState::Unpinned,
            digest: None,
            comment,
        };
        if value.contains("${{") {
            reference.state = PinState::Expression;
            self.out.findings.push(
                Finding::new(
                    Code::ExpressionReference,
                    self.file,
                    Some(line),
                    format!("`uses: {value}` is an expression; what runs cannot be proven pinned"),
                )
                .subject(value),
            );
        } else if let Some(img) = value.strip_prefix("docker://") {
            reference.kind = ReferenceKind::DockerAction;
            self.image_state(&mut reference, img);
        } else if value.starts_with("./") || value.starts_with("../") {
            reference.state = PinState::Local;
            let path = value.split('@').next().unwrap_or(value);
            self.out.local_actions.push((path.to_owned(), line));
        } else if let Some(rest) = value.strip_prefix("$/") {
            // GitHub's self-repository reference: this repository at the very commit that is
            // running, so pinned by construction. It takes no `@ref`.
            reference.state = PinState::Local;
            let path = rest.split('@').next().unwrap_or(rest);
            let path = path.strip_prefix("./").unwrap_or(path);
            self.out.local_actions.push((format!("./{path}"), line));
        } else {
            let (name, git_ref) = value.rsplit_once('@').unwrap_or((value, ""));
            if is_commit_sha(git_ref) {
                reference.state = PinState::Pinned;
                reference.digest = Some(format!("sha1:{}", git_ref.to_ascii_lowercase()));
            } else if let Some(commit) = self.lock.and_then(|l| l.commit_for(name, git_ref)) {
                reference.state = PinState::Locked;
                reference.digest = Some(format!("sha1:{commit}"));
            } else {
                let (code, what) = if job_level {
                    (Code::UnpinnedReusableWorkflow, "reusable workflow")
                } else {
                    (Code::UnpinnedAction, "action")
                };
                let how = if git_ref.is_empty() {
                    "no ref".to_owned()
                } else {
                    format!("`{git_ref}`, not a full commit SHA")
                };
                self.out.findings.push(
                    Finding::new(
                        code,
                        self.file,
                        Some(line),
                        format!("{what} `{name}` is referenced by {how}"),
                    )
                    .subject(value),
                );
            }
            if reference.state.is_immutable() {
                self.unpinned_tool(name, value, with);
            }
        }
        self.out.references.push(reference);
    }

    fn unpinned_tool(&mut self, name: &str, value: &str, with: Option<&Node>) {
        let lower = name.to_ascii_lowercase();
        if !TOOL_INSTALLERS.contains(&lower.as_str()) {
            return;
        }
        let Some(version) = with.and_then(|w| w.get("version")) else {
            return;
        };
        if version.as_str().is_some_and(|v| v.trim() == "latest") {
            self.out.findings.push(
                Finding::new(
                    Code::UnpinnedTool,
                    self.file,
                    Some(version.line),
                    format!("`{name}` installs its tool at `version: latest`"),
                )
                .subject(value),
            );
        }
    }

    fn image_state(&mut self, reference: &mut Reference, img: &str) {
        let pin = image::classify(img);
        reference.state = pin.state;
        reference.digest = pin.digest;
        image_findings(&mut self.out.findings, self.file, reference);
    }

    fn image(&mut self, node: &Node) {
        let Some(img) = node.as_str().map(str::trim) else {
            return;
        };
        if img.is_empty() {
            return;
        }
        let mut reference = Reference {
            file: self.file.to_owned(),
            line: node.line,
            kind: ReferenceKind::Image,
            reference: img.to_owned(),
            resolved: None,
            state: PinState::Unpinned,
            digest: None,
            comment: None,
        };
        self.image_state(&mut reference, img);
        self.out.references.push(reference);
    }

    fn steps(&mut self, steps: &Node) {
        for step in steps.items() {
            if let Some(uses) = step.get("uses") {
                self.uses(uses, false, step.get("with"));
            }
            if let Some(run) = step.get("run") {
                if let Some(text) = run.as_str() {
                    self.out.scripts.push(Script {
                        text: text.to_owned(),
                        line: run.text_line(),
                        shell: step.get("shell").and_then(Node::as_str).map(str::to_owned),
                    });
                }
            }
        }
    }
}

/// The finding for an image reference's state, if it needs one.
pub fn image_findings(findings: &mut Vec<Finding>, file: &str, r: &Reference) {
    let shown = r.resolved.as_deref().unwrap_or(&r.reference);
    let (code, msg) = match r.state {
        PinState::Unpinned => (
            Code::UnpinnedImage,
            format!("image `{shown}` is not pinned by a sha256 digest"),
        ),
        PinState::Malformed => (
            Code::MalformedDigest,
            format!("image `{shown}` has a malformed digest (expected `@sha256:<64 hex>`)"),
        ),
        PinState::Expression => (
            Code::ExpressionReference,
            format!("image `{shown}` is only known at run time; it cannot be proven pinned"),
        ),
        _ => return,
    };
    findings.push(Finding::new(code, file, Some(r.line), msg).subject(&r.reference));
}

fn parse_root(file: &str, text: &str, out: &mut Checked) -> Option<Node> {
    match yaml::parse(text) {
        Ok(mut docs) if !docs.is_empty() => Some(docs.swap_remove(0)),
        Ok(_) => None,
        Err(e) => {
            out.findings.push(Finding::new(
                Code::ParseError,
                file,
                Some(e.line),
                format!("failed to parse `{file}`: {}", e.message),
            ));
            None
        }
    }
}

/// Checks a workflow file (`.github/workflows/*.yml`).
pub fn check_workflow(file: &str, text: &str, lock: Option<&ActionsLock>) -> Checked {
    let mut cx = Ctx {
        file,
        text,
        lock,
        out: Checked::default(),
    };
    let Some(root) = parse_root(file, text, &mut cx.out) else {
        return cx.out;
    };
    for (_, job) in root.entries_at("jobs") {
        if let Some(uses) = job.get("uses") {
            cx.uses(uses, true, job.get("with"));
        }
        if let Some(container) = job.get("container") {
            match container.get("image") {
                Some(img) => cx.image(img),
                None => cx.image(container),
            }
        }
        for (_, svc) in job.entries_at("services") {
            if let Some(img) = svc.get("image") {
                cx.image(img);
            }
        }
        if let Some(steps) = job.get("steps") {
            cx.steps(steps);
        }
    }
    cx.out
}

/// Checks an action's metadata file (`action.yml`): composite steps and Docker images.
pub fn check_action(file: &str, text: &str, lock: Option<&ActionsLock>) -> Checked {
    let mut cx = Ctx {
        file,
        text,
        lock,
        out: Checked::default(),
    };
    let Some(root) = parse_root(file, text, &mut cx.out) else {
        return cx.out;
    };
    let Some(runs) = root.get("runs") else {
        return cx.out;
    };
    if let Some(steps) = runs.get("steps") {
        cx.steps(steps);
    }
    if let Some(img) = runs.get("image") {
        if let Some(v) = img.as_str().and_then(|s| s.strip_prefix("docker://")) {
            let mut reference = Reference {
                file: file.to_owned(),
                line: img.line,
                kind: ReferenceKind::DockerAction,
                reference: img.as_str().unwrap_or_default().to_owned(),
                resolved: None,
                state: PinState::Unpinned,
                digest: None,
                comment: None,
            };
            cx.image_state(&mut reference, v);
            cx.out.references.push(reference);
        }
    }
    cx.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments() {
        let t = "    - uses: a/b@0123456789012345678901234567890123456789 # v1.2.3\n";
        assert_eq!(
            trailing_comment(t, 1, "a/b@0123456789012345678901234567890123456789").as_deref(),
            Some("v1.2.3")
        );
        assert_eq!(trailing_comment("uses: a/b@v1\n", 1, "a/b@v1"), None);
    }

    #[test]
    fn uses_states() {
        let t = "jobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@main\n  b:\n    steps:\n      - uses: ./local\n      - uses: ${{ matrix.a }}\n      - uses: docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000\n";
        let c = check_workflow("w.yml", t, None);
        let codes: Vec<_> = c.findings.iter().map(|f| (f.code, f.line)).collect();
        assert_eq!(
            codes,
            vec![
                (Code::UnpinnedReusableWorkflow, Some(3)),
                (Code::ExpressionReference, Some(7))
            ]
        );
        assert_eq!(c.local_actions, vec![("./local".to_owned(), 6)]);
        assert_eq!(c.references[3].state, PinState::Pinned);
    }

    #[test]
    fn self_repository_references_are_local() {
        let t = "jobs:\n  a:\n    uses: $/.github/workflows/build.yml\n  b:\n    steps:\n      - uses: $/./actions/setup\n      - uses: $/tools/lint\n";
        let c = check_workflow("w.yml", t, None);
        assert!(c.findings.is_empty(), "{:?}", c.findings);
        let states: Vec<_> = c.references.iter().map(|r| (r.kind, r.state)).collect();
        assert_eq!(
            states,
            vec![
                (ReferenceKind::ReusableWorkflow, PinState::Local),
                (ReferenceKind::Action, PinState::Local),
                (ReferenceKind::Action, PinState::Local)
            ]
        );
        assert_eq!(
            c.local_actions,
            vec![
                ("./.github/workflows/build.yml".to_owned(), 3),
                ("./actions/setup".to_owned(), 6),
                ("./tools/lint".to_owned(), 7)
            ]
        );
    }
}
