//! Reading policies and trusted roots, and the CLI's wording of a library "could not verify".

use std::path::PathBuf;

use anyhow::Context as _;
use vouch_policy::PolicySet;

/// Reads a policy file and the key files it names (relative to the policy's directory).
pub fn load_policy_file(path: &std::path::Path) -> anyhow::Result<PolicySet> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("`{}`: cannot read policy file", path.display()))?;
    let mut set = PolicySet::parse(&path.display().to_string(), &text)?;
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    set.load_key_files(|rel| {
        std::fs::read_to_string(dir.join(rel)).map_err(|e| format!("cannot read: {e}"))
    })?;
    Ok(set)
}

/// Reads a Sigstore trusted root file.
pub fn load_trusted_root(path: &std::path::Path) -> anyhow::Result<vouch_trust::TrustedRoot> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("`{}`: cannot read trusted root", path.display()))?;
    vouch_trust::TrustedRoot::from_json(&bytes)
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))
}

/// The CLI's wording for a library "could not verify": a hint where the fix is known.
pub fn could_not_verify(e: vouch_verify::CouldNotVerify) -> anyhow::Error {
    match e {
        vouch_verify::CouldNotVerify::RescanDatabase { .. }
        | vouch_verify::CouldNotVerify::NoRescanDatabase { .. } => crate::error::hinted(
            anyhow::Error::new(e),
            "build it with `vouch db import …` or `vouch db update`, or pass --db DIR",
        ),
        e => anyhow::Error::new(e),
    }
}
