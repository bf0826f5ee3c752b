//! Walking a repository: which file is which, local actions followed, git asked once.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use vouch_lockfile::LockfileKind;

use crate::workflow::{self, ActionsLock, Checked};
use crate::{
    config, dockerfile, manifest, records, shell, Code, Config, Finding, LockfileSummary, Report,
};

/// What kind of file a path is, for the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Workflow,
    Action,
    Dockerfile,
    Compose,
    Kubernetes,
    Shell,
    Lockfile(LockfileKind),
    ActionsLock,
}

/// Progress callbacks of a run, drawn by the CLI (libraries never print).
pub trait Reporter {
    /// The walk found `total` files to look at.
    fn on_start(&self, _total: usize) {}
    /// One file is about to be checked.
    fn on_file(&self, _rel: &str) {}
    /// The run is over.
    fn on_finish(&self) {}
}

/// A [`Reporter`] that reports nothing.
pub struct NoReporter;

impl Reporter for NoReporter {}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The date exceptions are judged against.
    pub today: time::Date,
    /// Check lockfile records (and manifests' lockfiles).
    pub lockfiles: bool,
    /// Ask git whether lockfiles are tracked, and cargo whether `Cargo.lock` is in sync.
    pub tools: bool,
    /// Path prefixes (relative to the root) not to walk.
    pub exclude: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            today: time::OffsetDateTime::now_utc().date(),
            lockfiles: true,
            tools: true,
            exclude: Vec::new(),
        }
    }
}

/// A run that could not be carried out (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("`{path}` does not exist")]
    NotFound { path: String },
    #[error("failed to read `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("could not run the online checks: {0}")]
    Online(String),
}

const SKIP_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    "dist",
];

fn has_ext(name: &str, exts: &[&str]) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Extensions that say a `Dockerfile.*` file is something else (`Dockerfile.md`,
/// `dockerfile.go`), never a Dockerfile.
const NOT_DOCKERFILE_EXTS: &[&str] = &[
    "md", "markdown", "rst", "txt", "adoc", "html", "json", "yml", "yaml", "toml", "xml", "go",
    "rs", "py", "js", "mjs", "ts", "java", "kt", "rb", "php", "c", "h", "cpp", "cs", "sh", "bash",
    "ps1", "bat", "lock", "orig", "rej", "swp", "bak", "diff", "patch", "snap", "svg", "png",
];

/// A Dockerfile by name (lower-case): `Dockerfile`, `Containerfile`, `*.Dockerfile`,
/// `*.Containerfile`, `Dockerfile.*` and `Containerfile.*` (`Dockerfile.dev`), never a file
/// whose name merely starts with `dockerfile` (`dockerfile_test.go`, `dockerfile.md`).
pub fn is_dockerfile_name(lower: &str) -> bool {
    if matches!(lower, "dockerfile" | "containerfile")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
    {
        return true;
    }
    ["dockerfile.", "containerfile."].iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|ext| !ext.is_empty() && !has_ext(lower, NOT_DOCKERFILE_EXTS))
    })
}

/// Classifies a path by name (`rel` is relative to the root, `/`-separated).
pub fn classify(rel: &str) -> Option<FileKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let yaml = has_ext(&lower, &["yml", "yaml"]);
    if name == "actions.lock" {
        return Some(FileKind::ActionsLock);
    }
    if yaml && (rel.starts_with(".github/workflows/") || rel.contains("/.github/workflows/")) {
        return Some(FileKind::Workflow);
    }
    if lower == "action.yml" || lower == "action.yaml" {
        return Some(FileKind::Action);
    }
    if is_dockerfile_name(&lower) {
        return Some(FileKind::Dockerfile);
    }
    if yaml && (lower.starts_with("compose") || lower.starts_with("docker-compose")) {
        return Some(FileKind::Compose);
    }
    if let Some(k) = LockfileKind::from_file_name(name) {
        return Some(FileKind::Lockfile(k));
    }
    if has_ext(&lower, &["sh", "bash"]) {
        return Some(FileKind::Shell);
    }
    if yaml {
        return Some(FileKind::Kubernetes);
    }
    None
}

/// Guesses the kind of an explicitly named file from its name and content.
pub fn classify_explicit(rel: &str, text: &str) -> FileKind {
    match classify(rel) {
        Some(FileKind::Kubernetes) | None => {}
        Some(k) => return k,
    }
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    if has_ext(&name, &["yml", "yaml"]) {
        let top = |k: &str| text.lines().any(|l| l.starts_with(&format!("{k}:")));
        if top("jobs") {
            return FileKind::Workflow;
        }
        if top("runs") {
            return FileKind::Action;
        }
        if top("services") && !top("apiVersion") {
            return FileKind::Compose;
        }
        return FileKind::Kubernetes;
    }
    if text.lines().any(|l| {
        let t = l.trim_start().to_ascii_uppercase();
        t.starts_with("FROM ")
    }) && !text.starts_with("#!")
    {
        return FileKind::Dockerfile;
    }
    FileKind::Shell
}

struct RepoFiles<'a> {
    root: &'a Path,
}

impl shell::Files for RepoFiles<'_> {
    fn requirements_hashed(&self, path: &str) -> bool {
        std::fs::read_to_string(self.root.join(path))
            .is_ok_and(|t| shell::requirements_text_hashed(&t))
    }
}

fn rel_of(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.to_string_lossy().replace('\\', "/")
}

fn walk(root: &Path, dir: &Path, opts: &Options, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = rel_of(root, &path);
        if opts
            .exclude
            .iter()
            .any(|x| rel.starts_with(x.trim_end_matches('/')))
        {
            continue;
        }
        let ft = e.file_type()?;
        if ft.is_dir() {
            if SKIP_DIRS.contains(&name.as_str())
                || (name.starts_with('.') && name != ".github" && name != ".vouch")
            {
                continue;
            }
            walk(root, &path, opts, out)?;
        } else if ft.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// The repository root for `path`: the nearest ancestor with `.git` or `.github`.
fn find_root(start: &Path) -> PathBuf {
    // The parent of a bare file name (`Cargo.lock`) is the empty path: the current directory.
    let start = if start.as_os_str().is_empty() {
        Path::new(".")
    } else {
        start
    };
    let abs = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    for a in abs.ancestors() {
        if a.join(".git").exists() || a.join(".github").is_dir() {
            return a.to_path_buf();
        }
    }
    abs
}

fn git_tracked(root: &Path) -> Option<HashSet<String>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--cached"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        out.stdout
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect(),
    )
}

fn read(path: &Path) -> Result<String, ScanError> {
    let bytes = std::fs::read(path).map_err(|source| ScanError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Accumulates one run.
#[derive(Default)]
struct Run {
    checked: Checked,
    lockfiles: Vec<LockfileSummary>,
    files: usize,
    /// `./local` actions still to follow: (path, line, referring file).
    locals: VecDeque<(String, u32, String)>,
    /// Scripts run by `run:` steps and `RUN` (`bash ci/build.sh`), relative to the root.
    invoked: Vec<String>,
}

impl Run {
    fn absorb(&mut self, c: Checked, rel: &str, files: &dyn shell::Files) {
        for s in &c.scripts {
            if s.shell.as_deref().is_some_and(|sh| {
                let sh = sh.split_whitespace().next().unwrap_or(sh);
                !matches!(sh, "bash" | "sh")
            }) {
                continue;
            }
            self.checked
                .findings
                .extend(shell::check_script(rel, &s.text, s.line, files));
            self.invoked.extend(shell::invoked_scripts(&s.text));
        }
        self.checked.references.extend(c.references);
        self.checked.findings.extend(c.findings);
        self.locals.extend(
            c.local_actions
                .into_iter()
                .map(|(p, line)| (p, line, rel.to_owned())),
        );
    }
}

/// Checks a file or a directory tree.
pub fn check_path(path: &Path, config: &Config, opts: &Options) -> Result<Report, ScanError> {
    check_path_reporting(path, config, opts, &NoReporter)
}

/// [`check_path`] with progress callbacks.
pub fn check_path_reporting(
    path: &Path,
    config: &Config,
    opts: &Options,
    reporter: &dyn Reporter,
) -> Result<Report, ScanError> {
    check_path_full(path, config, opts, reporter, None)
}

/// [`check_path`] with progress callbacks and, given a tag lookup (the GitHub API), the
/// online checks of [`crate::online`].
pub fn check_path_full(
    path: &Path,
    config: &Config,
    opts: &Options,
    reporter: &dyn Reporter,
    tags: Option<&dyn crate::online::TagLookup>,
) -> Result<Report, ScanError> {
    if !path.exists() {
        return Err(ScanError::NotFound {
            path: path.display().to_string(),
        });
    }
    let explicit_file = path.is_file();
    let root = if explicit_file {
        find_root(path.parent().unwrap_or(Path::new(".")))
    } else {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut paths = Vec::new();
    if explicit_file {
        paths.push(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()));
    } else {
        walk(&root, &root, opts, &mut paths).map_err(|source| ScanError::Read {
            path: root.display().to_string(),
            source,
        })?;
    }
    let repo_files = RepoFiles { root: &root };

    // actions.lock first: it changes how workflows are judged.
    let mut lock: Option<ActionsLock> = None;
    let mut run = Run::default();
    for cand in [".github/workflows/actions.lock", ".github/actions.lock"] {
        let p = root.join(cand);
        if p.is_file() {
            let text = read(&p)?;
            match ActionsLock::parse(&text) {
                Ok(l) => lock = Some(l),
                Err(e) => run.checked.findings.push(Finding::new(
                    Code::ParseError,
                    cand,
                    None,
                    format!("failed to parse `{cand}`: {e}"),
                )),
            }
            break;
        }
    }

    let tracked = if opts.tools && opts.lockfiles {
        git_tracked(&root)
    } else {
        None
    };
    let mut seen_actions: BTreeSet<String> = BTreeSet::new();
    reporter.on_start(paths.len());
    for p in &paths {
        let rel = if explicit_file && !p.starts_with(&root) {
            p.display().to_string()
        } else {
            rel_of(&root, p)
        };
        let kind = if explicit_file {
            let text = read(p)?;
            classify_explicit(&rel, &text)
        } else {
            match classify(&rel) {
                Some(k) => k,
                None => continue,
            }
        };
        reporter.on_file(&rel);
        if kind == FileKind::Action {
            seen_actions.insert(rel.clone());
        }
        check_one(
            &mut run,
            kind,
            p,
            &rel,
            lock.as_ref(),
            &repo_files,
            opts,
            tracked.as_ref(),
            &root,
            explicit_file,
            &config.allowed_sources,
        )?;
    }

    // Follow `./local` actions (recursively) that the walk did not reach.
    while let Some((local, line, from)) = run.locals.pop_front() {
        let dir = local.trim_start_matches("./").trim_end_matches('/');
        if has_ext(dir, &["yml", "yaml"]) {
            // A local reusable workflow: the walk checks it; a single file run follows it.
            let p = root.join(dir);
            if explicit_file && p.is_file() && seen_actions.insert(dir.to_owned()) {
                check_one(
                    &mut run,
                    FileKind::Workflow,
                    &p,
                    dir,
                    lock.as_ref(),
                    &repo_files,
                    opts,
                    None,
                    &root,
                    true,
                    &config.allowed_sources,
                )?;
            }
            continue;
        }
        let found = ["action.yml", "action.yaml"]
            .iter()
            .map(|n| format!("{dir}/{n}"))
            .find(|rel| root.join(rel).is_file());
        if let Some(rel) = found {
            if seen_actions.insert(rel.clone()) {
                let p = root.join(&rel);
                check_one(
                    &mut run,
                    FileKind::Action,
                    &p,
                    &rel,
                    lock.as_ref(),
                    &repo_files,
                    opts,
                    None,
                    &root,
                    true,
                    &config.allowed_sources,
                )?;
            }
        } else {
            run.checked.findings.push(
                Finding::new(
                    Code::UnresolvedLocalAction,
                    &from,
                    Some(line),
                    format!("local action `{local}` has no action.yml under the repository root"),
                )
                .subject(&local),
            );
        }
    }

    // Scripts the workflows and Dockerfiles run, when the walk did not check them already.
    let mut checked_scripts: BTreeSet<String> = paths
        .iter()
        .map(|p| rel_of(&root, p))
        .filter(|r| classify(r) == Some(FileKind::Shell))
        .collect();
    while let Some(script) = run.invoked.pop() {
        let p = root.join(&script);
        if p.is_file() && checked_scripts.insert(script.clone()) {
            check_one(
                &mut run,
                FileKind::Shell,
                &p,
                &script,
                lock.as_ref(),
                &repo_files,
                opts,
                None,
                &root,
                true,
                &config.allowed_sources,
            )?;
        }
    }

    if opts.lockfiles && !explicit_file {
        run.checked
            .findings
            .extend(records::missing_lockfiles(&root, &paths, |p| {
                rel_of(&root, p)
            }));
    }

    reporter.on_finish();
    let Run {
        mut checked,
        lockfiles,
        files,
        ..
    } = run;
    if let Some(tags) = tags {
        let online = crate::online::check_version_comments(&checked.references, tags)
            .map_err(ScanError::Online)?;
        checked.findings.extend(online);
    }
    let (references, findings) = (&mut checked.references, &mut checked.findings);
    config.apply(None, references, findings, opts.today);
    Ok(Report::new(
        checked.references,
        lockfiles,
        checked.findings,
        files,
    ))
}

#[allow(clippy::too_many_arguments)]
fn check_one(
    run: &mut Run,
    kind: FileKind,
    path: &Path,
    rel: &str,
    lock: Option<&ActionsLock>,
    files: &dyn shell::Files,
    opts: &Options,
    tracked: Option<&HashSet<String>>,
    root: &Path,
    explicit: bool,
    allowed_sources: &[String],
) -> Result<(), ScanError> {
    let text = || read(path);
    let checked = match kind {
        FileKind::Workflow => workflow::check_workflow(rel, &text()?, lock),
        FileKind::Action => workflow::check_action(rel, &text()?, lock),
        FileKind::Dockerfile => dockerfile::check(rel, &text()?),
        FileKind::Compose => manifest::check_compose(rel, &text()?),
        FileKind::Kubernetes => {
            let t = text()?;
            // A walk only takes YAML that says it is a manifest, and leaves templates (Helm's
            // `{{ }}`) alone: they are manifests only once rendered.
            if !(explicit || t.contains("apiVersion") && t.contains("kind") && !t.contains("{{")) {
                return Ok(());
            }
            manifest::check_kubernetes(rel, &t)
        }
        FileKind::Shell => {
            let t = text()?;
            let mut c = Checked::default();
            c.scripts.push(workflow::Script {
                text: t,
                line: 1,
                shell: None,
            });
            c
        }
        FileKind::ActionsLock => {
            if explicit {
                if let Err(e) = ActionsLock::parse(&text()?) {
                    run.checked.findings.push(Finding::new(
                        Code::ParseError,
                        rel,
                        None,
                        format!("failed to parse `{rel}`: {e}"),
                    ));
                }
            }
            Checked::default()
        }
        FileKind::Lockfile(k) => {
            if !opts.lockfiles {
                return Ok(());
            }
            let bytes = std::fs::read(path).map_err(|source| ScanError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let (summary, findings) = records::check_lockfile_with(
                rel,
                k,
                &bytes,
                tracked,
                root,
                opts.tools,
                allowed_sources,
            );
            run.checked.findings.extend(findings);
            if let Some(s) = summary {
                run.lockfiles.push(s);
            }
            run.files += 1;
            return Ok(());
        }
    };
    run.files += 1;
    run.absorb(checked, rel, files);
    Ok(())
}

/// The files a run over `path` looks at, with their kinds: `(absolute path, display path,
/// kind)`. YAML files found by the walk are Kubernetes manifests only when they say so.
pub fn discover(
    path: &Path,
    opts: &Options,
) -> Result<Vec<(PathBuf, String, FileKind)>, ScanError> {
    if !path.exists() {
        return Err(ScanError::NotFound {
            path: path.display().to_string(),
        });
    }
    if path.is_file() {
        let text = read(path)?;
        let rel = path.display().to_string();
        let kind = classify_explicit(&rel, &text);
        return Ok(vec![(path.to_path_buf(), rel, kind)]);
    }
    let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut paths = Vec::new();
    walk(&root, &root, opts, &mut paths).map_err(|source| ScanError::Read {
        path: root.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for p in paths {
        let rel = rel_of(&root, &p);
        let Some(kind) = classify(&rel) else { continue };
        if kind == FileKind::Kubernetes {
            let t = read(&p)?;
            if !(t.contains("apiVersion") && t.contains("kind") && !t.contains("{{")) {
                continue;
            }
        }
        out.push((p, rel, kind));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_by_exact_name_and_suffix_never_by_prefix() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "build/Containerfile",
            "app.Dockerfile",
            "x/base.containerfile",
            "Dockerfile.dev",
            "docker/Dockerfile.alpine",
            "Containerfile.fedora",
        ] {
            assert_eq!(classify(yes), Some(FileKind::Dockerfile), "{yes}");
        }
        for no in [
            "dockerfile_test.go",
            "pkg/dockerfile/parser.go",
            "Dockerfile.md",
            "docs/dockerfile.json",
            "dockerfiles.txt",
            "DockerfileLint",
            "Dockerfile.",
            "containerfile_parser.rs",
        ] {
            assert_ne!(classify(no), Some(FileKind::Dockerfile), "{no}");
        }
    }

    #[test]
    fn a_bare_file_name_has_the_current_directory_as_its_root() {
        assert_eq!(
            find_root(Path::new("")),
            find_root(Path::new(".")),
            "the parent of `Cargo.lock` is the empty path"
        );
    }
}
