//! Reading inputs: files or standard input (`-`), hashed as they stream with progress.

use std::io::Read;
use std::path::Path;

use anyhow::Context as _;
use vouch_sign::DigestAlgorithm;

use crate::context::Context;

/// Hashes a file (or standard input) in chunks, drawing progress.
pub fn digest_file(
    ctx: &Context,
    path: &Path,
    algorithm: DigestAlgorithm,
) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        return algorithm
            .digest_reader(std::io::stdin().lock())
            .context("failed to read standard input");
    }
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot open file: {e}", path.display()))?;
    let len = file.metadata().map_or(0, |m| m.len());
    let bar = crate::support::progress::bar(ctx, len, "hashing");
    let digest = algorithm
        .digest_reader_with_progress(file, |n| bar.inc(n))
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?;
    bar.finish_and_clear();
    Ok(digest)
}

/// Several digests of a file (or standard input) in one pass.
pub fn digest_file_many(
    ctx: &Context,
    path: &Path,
    algorithms: &[DigestAlgorithm],
) -> anyhow::Result<Vec<(DigestAlgorithm, Vec<u8>)>> {
    if path.as_os_str() == "-" {
        return DigestAlgorithm::digest_reader_many(algorithms, std::io::stdin().lock(), |_| {})
            .context("failed to read standard input");
    }
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot open file: {e}", path.display()))?;
    let len = file.metadata().map_or(0, |m| m.len());
    let bar = crate::support::progress::bar(ctx, len, "hashing");
    let digests = DigestAlgorithm::digest_reader_many(algorithms, file, |n| bar.inc(n))
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?;
    bar.finish_and_clear();
    Ok(digests)
}

/// Reads a whole file (or standard input).
pub fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("failed to read standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))
}
