//! The squashed view of an image: the files catalogers need, with the layer each came from.
//!
//! Layers are applied in order as tar streams ([`Rootfs::apply_layer`]). A regular file a
//! cataloger wants ([`wanted`]) is kept (replacing a lower layer's copy); anything else at
//! a kept path (a symlink, a directory, an unwanted file) replaces it by dropping it;
//! `.wh.NAME` removes `NAME` and everything below it from lower layers, and `.wh..wh..opq`
//! empties its directory of lower layers' files (OCI image spec, "Whiteouts").

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use vouch_core::{Diagnostic, Level};

/// A kept file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Index into [`Rootfs::layers`]; `None` for a directory source.
    pub layer: Option<usize>,
    pub data: Vec<u8>,
}

/// The kept files of an image, by path relative to `/` (no leading `/`).
#[derive(Debug, Default)]
pub struct Rootfs {
    /// Layer identities in order (the config's `diff_ids`, `sha256:…`).
    pub layers: Vec<String>,
    pub files: BTreeMap<String, File>,
    /// Problems met while reading (an oversized file skipped, a strange tar entry).
    pub diagnostics: Vec<Diagnostic>,
    /// What the image is: config digest, manifest digest, platform.
    pub info: crate::model::ImageInfo,
}

const OPAQUE: &str = ".wh..wh..opq";
const WHITEOUT: &str = ".wh.";

/// Whether a cataloger reads the file at `path` (relative, no leading `/`).
pub fn wanted(path: &str) -> bool {
    if matches!(
        path,
        "etc/os-release"
            | "usr/lib/os-release"
            | "etc/alpine-release"
            | "etc/debian_version"
            | "var/lib/dpkg/status"
            | "lib/apk/db/installed"
            | "var/lib/rpm/Packages"
            | "var/lib/rpm/rpmdb.sqlite"
            | "usr/lib/sysimage/rpm/rpmdb.sqlite"
            | "usr/lib/sysimage/rpm/Packages.db"
            | "var/lib/rpm/Packages.db"
    ) {
        return true;
    }
    // dpkg's file lists: which files OS packages own (language metadata among them).
    if let Some(rest) = path.strip_prefix("var/lib/dpkg/info/") {
        return !rest.contains('/')
            && Path::new(rest)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("list"));
    }
    if let Some(rest) = path.strip_prefix("var/lib/dpkg/status.d/") {
        return !rest.contains('/') && !rest.ends_with(".md5sums") && !rest.is_empty();
    }
    if path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO") {
        return path.contains("-packages/");
    }
    if let Some(dir) = path.strip_suffix("/package.json") {
        // node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json
        if let Some((parent, name)) = dir.rsplit_once('/') {
            if name.starts_with('.') {
                return false;
            }
            if parent.ends_with("node_modules") {
                return true;
            }
            if let Some((pp, scope)) = parent.rsplit_once('/') {
                return scope.starts_with('@') && pp.ends_with("node_modules");
            }
        }
    }
    false
}

/// `path` without `./`, leading `/` or trailing `/`; `None` when it climbs out (`..`).
pub fn clean(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl Rootfs {
    /// Removes kept files of layers below `layer` at `dir/…` (and at `dir` itself when
    /// `including_self`). A range lookup: called for every entry of every layer, it must
    /// not scan all kept files.
    fn remove_below(&mut self, dir: &str, layer: usize, including_self: bool) {
        let lower = |f: &File| f.layer.is_some_and(|l| l < layer);
        if including_self && self.files.get(dir).is_some_and(lower) {
            self.files.remove(dir);
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, f)| lower(f))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.files.remove(&k);
        }
    }

    /// Applies one layer (an uncompressed tar stream) on top of the layers applied so far.
    /// `what` names the layer in diagnostics and errors.
    pub fn apply_layer(
        &mut self,
        layer_id: String,
        tar: impl Read,
        max_file_bytes: u64,
        what: &str,
    ) -> Result<(), crate::model::ImageError> {
        let index = self.layers.len();
        self.layers.push(layer_id);
        let mut archive = tar::Archive::new(tar);
        let entries = archive
            .entries()
            .map_err(|e| crate::model::ImageError::malformed(what, e))?;
        let mut hardlinks = Vec::new();
        for entry in entries {
            let mut entry = entry.map_err(|e| crate::model::ImageError::malformed(what, e))?;
            let raw = entry.path_bytes();
            let raw = String::from_utf8_lossy(&raw).into_owned();
            let Some(path) = clean(&raw) else {
                self.diagnostics.push(Diagnostic::new(
                    "image-entry-skipped",
                    Level::Warning,
                    format!("{what}: entry `{raw}` climbs out of the root; skipped"),
                ));
                continue;
            };
            let (dir, base) = match path.rsplit_once('/') {
                Some((d, b)) => (d.to_owned(), b.to_owned()),
                None => (String::new(), path.clone()),
            };
            if base == OPAQUE {
                self.remove_below(&dir, index, false);
                continue;
            }
            if let Some(name) = base.strip_prefix(WHITEOUT) {
                let target = if dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{dir}/{name}")
                };
                self.remove_below(&target, index, true);
                continue;
            }
            let kind = entry.header().entry_type();
            if kind.is_dir() {
                // A directory over a lower file replaces that file.
                if self
                    .files
                    .get(&path)
                    .is_some_and(|f| f.layer.is_some_and(|l| l < index))
                {
                    self.files.remove(&path);
                }
                continue;
            }
            // Anything that is not a directory replaces whatever was at (and below) `path`.
            self.remove_below(&path, index, true);
            if kind.is_hard_link() {
                if wanted(&path) {
                    if let Some(target) = entry
                        .link_name_bytes()
                        .and_then(|t| clean(&String::from_utf8_lossy(&t)))
                    {
                        hardlinks.push((path, target));
                    }
                }
                continue;
            }
            if !(kind.is_file() || kind == tar::EntryType::Continuous) || !wanted(&path) {
                continue;
            }
            let size = entry.size();
            if size > max_file_bytes {
                self.diagnostics.push(Diagnostic::new(
                    "image-file-too-large",
                    Level::Warning,
                    format!(
                        "{what}: `{path}` is {size} bytes, over the {max_file_bytes}-byte limit; not catalogued"
                    ),
                ));
                continue;
            }
            let mut data = Vec::with_capacity(size as usize);
            entry
                .read_to_end(&mut data)
                .map_err(|e| crate::model::ImageError::malformed(what, e))?;
            self.files.insert(
                path,
                File {
                    layer: Some(index),
                    data,
                },
            );
        }
        // Hard links name an earlier entry of the same archive.
        for (path, target) in hardlinks {
            if let Some(f) = self.files.get(&target).cloned() {
                self.files.insert(path, f);
            }
        }
        Ok(())
    }

    /// The layer identity of a kept file.
    pub fn layer_of(&self, file: &File) -> Option<&str> {
        file.layer
            .and_then(|i| self.layers.get(i))
            .map(String::as_str)
    }

    /// A kept file's bytes.
    pub fn get(&self, path: &str) -> Option<&File> {
        self.files.get(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn wanted_paths() {
        assert!(wanted("var/lib/dpkg/status"));
        assert!(wanted("var/lib/dpkg/status.d/libc6"));
        assert!(!wanted("var/lib/dpkg/status.d/libc6.md5sums"));
        assert!(wanted(
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA"
        ));
        assert!(wanted("app/node_modules/lodash/package.json"));
        assert!(wanted("app/node_modules/@babel/core/package.json"));
        assert!(!wanted("app/node_modules/lodash/lib/package.json"));
        assert!(!wanted("app/package.json"));
        assert!(!wanted("etc/passwd"));
    }

    #[test]
    fn whiteouts_and_opaque_directories_remove_lower_files_only() {
        let mut fs = Rootfs::default();
        let l1 = layer(&[
            ("var/lib/dpkg/status", b"one"),
            ("app/node_modules/a/package.json", b"{}"),
            ("app/node_modules/b/package.json", b"{}"),
            ("x/node_modules/c/package.json", b"{}"),
        ]);
        fs.apply_layer("sha256:1".into(), &l1[..], 1 << 20, "layer 1")
            .unwrap();
        assert_eq!(fs.files.len(), 4);
        let l2 = layer(&[
            ("app/node_modules/d/package.json", b"{}"),
            ("app/.wh..wh..opq", b""),
            ("x/node_modules/.wh.c", b""),
            ("var/lib/dpkg/status", b"two"),
        ]);
        fs.apply_layer("sha256:2".into(), &l2[..], 1 << 20, "layer 2")
            .unwrap();
        let paths: Vec<&str> = fs.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["app/node_modules/d/package.json", "var/lib/dpkg/status"]
        );
        let status = fs.get("var/lib/dpkg/status").unwrap();
        assert_eq!(status.data, b"two");
        assert_eq!(fs.layer_of(status), Some("sha256:2"));
    }

    #[test]
    fn a_directory_or_file_over_a_kept_path_replaces_it() {
        let mut fs = Rootfs::default();
        let l1 = layer(&[("a/node_modules/x/package.json", b"{}")]);
        fs.apply_layer("sha256:1".into(), &l1[..], 1 << 20, "l1")
            .unwrap();
        // Layer 2 turns `a/node_modules` into a file.
        let l2 = layer(&[("a/node_modules", b"not a dir")]);
        fs.apply_layer("sha256:2".into(), &l2[..], 1 << 20, "l2")
            .unwrap();
        assert!(fs.files.is_empty());
        assert_eq!(clean("./etc/../x"), None);
        assert_eq!(clean("./etc//os-release").unwrap(), "etc/os-release");
    }
}
