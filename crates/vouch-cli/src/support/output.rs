//! Writing results: standard output, a regular file replaced atomically, or a device, FIFO or
//! socket written in place.
//!
//! Only regular files (and new paths) are written through a temporary file renamed over the
//! target: renaming over `/dev/null` as root would replace the device node with a file. A
//! symbolic link to a regular file keeps the link and replaces the file it names; `-`,
//! `/dev/stdout` and `/dev/stderr` are this process's own streams. New files follow the umask
//! (SBOMs and bundles are meant to be published); only private keys are written mode 0600.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::context::Context;

/// Where a path given with `-o` (or any output path) really leads.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Stdout,
    Stderr,
    /// A regular file or a new path: a temporary file in the same directory, renamed over it.
    Atomic(PathBuf),
    /// A character or block device, a FIFO, or a `/dev/fd/N`-style link: opened and written.
    InPlace(PathBuf),
    /// A Unix socket: connected to and written.
    Socket(PathBuf),
}

/// Links through `/proc` or `/dev` (`/dev/stdout` → `/proc/self/fd/1` → `pipe:[…]`) name
/// open files of this process, not paths to replace.
fn is_special(p: &Path) -> bool {
    p.starts_with("/proc") || p.starts_with("/dev")
}

fn classify(path: &Path) -> anyhow::Result<Target> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    for (names, stream) in [
        (
            ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"],
            Target::Stdout,
        ),
        (
            ["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"],
            Target::Stderr,
        ),
    ] {
        if names.iter().any(|n| path == Path::new(n)) {
            return Ok(stream);
        }
    }
    let cannot = |e: std::io::Error| anyhow::anyhow!("cannot write `{}`: {e}", path.display());
    // Follow a chain of links by hand, so that the final regular file is the one replaced.
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Target::Atomic(current));
            }
            Err(e) => return Err(cannot(e)),
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            let next = std::fs::read_link(&current).map_err(cannot)?;
            let next = match current.parent() {
                Some(dir) if next.is_relative() => dir.join(next),
                _ => next,
            };
            if is_special(&next) {
                return Ok(Target::InPlace(path.to_path_buf()));
            }
            current = next;
            continue;
        }
        if ft.is_dir() {
            anyhow::bail!("cannot write `{}`: it is a directory", path.display());
        }
        if ft.is_file() {
            return Ok(Target::Atomic(current));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt as _;
            if ft.is_socket() {
                return Ok(Target::Socket(current));
            }
        }
        return Ok(Target::InPlace(current));
    }
    anyhow::bail!(
        "cannot write `{}`: too many levels of symbolic links",
        path.display()
    )
}

/// Writes `bytes` to `path`: atomically when it is a regular file or a new path (a temporary
/// file in the same directory, flushed, then renamed over the target; on any failure the
/// target is untouched), in place when it is a device, FIFO or socket. New files follow the
/// umask.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write(path, bytes, false)
}

/// [`write_atomic`] for secrets: a new file is created mode 0600 whatever the umask.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write(path, bytes, true)
}

fn write(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    match classify(path)? {
        Target::Stdout => to_stream(&mut std::io::stdout().lock(), bytes, "standard output"),
        Target::Stderr => to_stream(&mut std::io::stderr().lock(), bytes, "standard error"),
        Target::Atomic(file) => replace(path, &file, bytes, private),
        Target::InPlace(file) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&file)
                .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?;
            f.write_all(bytes)
                .and_then(|()| f.flush())
                .with_context(|| format!("failed to write `{}`", path.display()))
        }
        Target::Socket(file) => socket(path, &file, bytes),
    }
}

#[cfg(unix)]
fn socket(shown: &Path, file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut s = std::os::unix::net::UnixStream::connect(file)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", shown.display()))?;
    s.write_all(bytes)
        .and_then(|()| s.flush())
        .with_context(|| format!("failed to write `{}`", shown.display()))
}

#[cfg(not(unix))]
fn socket(shown: &Path, _file: &Path, _bytes: &[u8]) -> anyhow::Result<()> {
    anyhow::bail!("cannot write `{}`: it is a socket", shown.display())
}

fn to_stream(out: &mut dyn Write, bytes: &[u8], name: &str) -> anyhow::Result<()> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .with_context(|| format!("failed to write to {name}"))
}

/// Replaces the regular file (or creates the new path) `file` that `shown` leads to.
fn replace(shown: &Path, file: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write `{}`: directory `{}` does not exist",
            shown.display(),
            dir.display()
        );
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vouch-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // The mode is given to open(2), so the umask applies, as for any new file.
        let mode = if private { 0o600 } else { 0o666 };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {}", shown.display(), e.kind()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("failed to write `{}`", shown.display()))?;
    tmp.persist(file)
        .with_context(|| format!("failed to write `{}`", shown.display()))?;
    Ok(())
}

/// Writes a command's result where `-o` says, or to standard output.
pub fn emit(ctx: &Context, bytes: &[u8]) -> anyhow::Result<()> {
    match &ctx.output {
        Some(path) => write_atomic(path, bytes),
        None => to_stream(&mut std::io::stdout().lock(), bytes, "standard output"),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(classify(Path::new("-")).unwrap(), Target::Stdout);
        assert_eq!(classify(Path::new("/dev/stdout")).unwrap(), Target::Stdout);
        assert_eq!(classify(Path::new("/dev/stderr")).unwrap(), Target::Stderr);
        assert_eq!(
            classify(Path::new("/dev/null")).unwrap(),
            Target::InPlace("/dev/null".into())
        );
        let new = d.join("new.json");
        assert_eq!(classify(&new).unwrap(), Target::Atomic(new.clone()));
        std::fs::write(&new, "x").unwrap();
        assert_eq!(classify(&new).unwrap(), Target::Atomic(new.clone()));
        // A link to a regular file replaces the file and keeps the link.
        let link = d.join("link.json");
        std::os::unix::fs::symlink("new.json", &link).unwrap();
        assert_eq!(classify(&link).unwrap(), Target::Atomic(d.join("new.json")));
        // A link into /dev is written in place, through the link.
        let out = d.join("out");
        std::os::unix::fs::symlink("/dev/null", &out).unwrap();
        assert_eq!(classify(&out).unwrap(), Target::InPlace(out.clone()));
        // A loop is one clear error.
        let a = d.join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", d.join("b")).unwrap();
        let e = classify(&a).unwrap_err().to_string();
        assert!(e.contains("too many levels"), "{e}");
        assert!(classify(d)
            .unwrap_err()
            .to_string()
            .contains("is a directory"));
    }

    #[test]
    fn link_to_a_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("real"), "old").unwrap();
        std::os::unix::fs::symlink("real", d.join("link")).unwrap();
        write_atomic(&d.join("link"), b"new").unwrap();
        assert!(std::fs::symlink_metadata(d.join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(d.join("real")).unwrap(), "new");
    }
}
