//! Writing key files: atomically, private keys mode 0600, never over an existing file unless
//! forced.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// `PREFIX.key` and `PREFIX.pub`.
pub fn pair_paths(prefix: &str) -> (PathBuf, PathBuf) {
    (
        PathBuf::from(format!("{prefix}.key")),
        PathBuf::from(format!("{prefix}.pub")),
    )
}

/// Refuses to replace existing files unless `force`.
pub fn check_overwrite(paths: &[&Path], force: bool) -> anyhow::Result<()> {
    if force {
        return Ok(());
    }
    for p in paths {
        if p.exists() {
            return Err(crate::error::hinted(
                anyhow::anyhow!("`{}` already exists", p.display()),
                "pass --force to overwrite it, or choose another --output-key-prefix",
            ));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically with Unix permissions `mode`.
pub fn write_with_mode(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile creates files 0600; set the final mode before any content is written.
    let mut tmp = tempfile::Builder::new()
        .prefix(".vouch-")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("failed to set permissions on `{}`", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}
