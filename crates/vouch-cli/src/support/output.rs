//! Writing results: standard output, or a file replaced atomically.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;

use crate::context::Context;

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed,
/// then renamed over the target. On any failure the target is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        anyhow::bail!("cannot write `{}`: it is a directory", path.display());
    }
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write `{}`: directory `{}` does not exist",
            path.display(),
            dir.display()
        );
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".vouch-")
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {}", path.display(), e.kind()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}

/// Writes a command's result where `-o` says, or to standard output.
pub fn emit(ctx: &Context, bytes: &[u8]) -> anyhow::Result<()> {
    match &ctx.output {
        Some(path) if path.as_os_str() != "-" => write_atomic(path, bytes),
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .context("failed to write to standard output")
        }
    }
}
