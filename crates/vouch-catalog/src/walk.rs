//! Finding lockfiles below a directory: `.gitignore` respected, `node_modules`, `vendor`
//! and `target` skipped unless asked, symlinked directories not followed, output sorted.
//!
//! A deliberately small `.gitignore` reader (globset per file): blank lines and comments
//! skipped, `/`-anchored and unanchored patterns, trailing-`/` directory patterns. Negated
//! (`!`) patterns are not supported: they can only un-ignore, so the walk may skip a file
//! Git would track, never the reverse.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use vouch_lockfile::FileFormat;

use crate::model::CatalogError;

/// Directories never entered unless [`crate::CatalogOptions::include_vendored`] is set.
pub const VENDORED: &[&str] = &["node_modules", "vendor", "target"];

struct Ignore {
    dir: PathBuf,
    set: GlobSet,
    dirs_only: GlobSet,
}

fn read_gitignore(dir: &Path) -> Option<Ignore> {
    let text = std::fs::read_to_string(dir.join(".gitignore")).ok()?;
    let mut all = GlobSetBuilder::new();
    let mut dirs = GlobSetBuilder::new();
    for raw in text.lines() {
        let l = raw.trim_end();
        if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
            continue;
        }
        let (l, dir_only) = match l.strip_suffix('/') {
            Some(s) => (s, true),
            None => (l, false),
        };
        let anchored = l.starts_with('/') || l.trim_start_matches('/').contains('/');
        let p = l.trim_start_matches('/');
        let pattern = if anchored {
            p.to_owned()
        } else {
            format!("**/{p}")
        };
        let Ok(glob) = Glob::new(&pattern) else {
            continue;
        };
        if dir_only {
            dirs.add(glob);
        } else {
            all.add(glob);
        }
    }
    Some(Ignore {
        dir: dir.to_owned(),
        set: all.build().ok()?,
        dirs_only: dirs.build().ok()?,
    })
}

fn ignored(stack: &[Ignore], path: &Path, is_dir: bool) -> bool {
    stack.iter().any(|ig| {
        path.strip_prefix(&ig.dir)
            .is_ok_and(|rel| ig.set.is_match(rel) || (is_dir && ig.dirs_only.is_match(rel)))
    })
}

/// Every file below `root` a format is recognised for, sorted by path.
pub fn find(
    root: &Path,
    include_vendored: bool,
) -> Result<Vec<(PathBuf, FileFormat)>, CatalogError> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    visit(root, include_vendored, &mut stack, &mut out)?;
    out.sort();
    Ok(out)
}

fn visit(
    dir: &Path,
    include_vendored: bool,
    stack: &mut Vec<Ignore>,
    out: &mut Vec<(PathBuf, FileFormat)>,
) -> Result<(), CatalogError> {
    let pushed = read_gitignore(dir).map(|ig| stack.push(ig)).is_some();
    let entries = std::fs::read_dir(dir).map_err(|cause| CatalogError::Read {
        path: dir.display().to_string(),
        cause,
    })?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        let Ok(ty) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if ty.is_dir() {
            if name == ".git"
                || (!include_vendored && VENDORED.contains(&name.as_ref()))
                || ignored(stack, &path, true)
            {
                continue;
            }
            visit(&path, include_vendored, stack, out)?;
        } else if ty.is_file() && !ignored(stack, &path, false) {
            if let Some(f) = FileFormat::from_path(&path) {
                out.push((path, f));
            }
        }
    }
    if pushed {
        stack.pop();
    }
    Ok(())
}
