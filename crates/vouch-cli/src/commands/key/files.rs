//! Key file names, and never writing over an existing file unless forced (the writing itself,
//! atomic and private keys mode 0600, is [`crate::support::output`]'s).

use std::path::{Path, PathBuf};

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
