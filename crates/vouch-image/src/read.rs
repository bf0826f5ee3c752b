//! Reading each kind of source into the squashed view: one pass over every layer, each
//! byte checked against a digest (the blob digest of the manifest, then the uncompressed
//! `diff_id` of the config) before the result is used.

use std::collections::BTreeMap;
use std::fs::File as StdFile;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use vouch_core::{Digest, DigestAlgorithm, ImageRef};
use vouch_oci::{AnyManifest, Descriptor, Index, Manifest, Registry};

use crate::fs::{self, Rootfs};
use crate::model::{ImageError, ImageInfo, Options};
use crate::source::Source;

/// The parts of an image config vouch reads.
#[derive(Debug, Deserialize)]
struct Config {
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    rootfs: RootfsConfig,
}

#[derive(Debug, Deserialize)]
struct RootfsConfig {
    #[serde(default)]
    diff_ids: Vec<String>,
}

fn parse_config(what: &str, bytes: &[u8]) -> Result<Config, ImageError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ImageError::malformed(format!("image config of {what}"), e))
}

fn platform_of(c: &Config) -> Option<String> {
    let (os, arch) = (c.os.as_deref()?, c.architecture.as_deref()?);
    Some(match &c.variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Hasher,
    count: u64,
}

enum Hasher {
    Sha256(Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn new(a: DigestAlgorithm) -> Option<Self> {
        match a {
            DigestAlgorithm::Sha256 => Some(Self::Sha256(Sha256::new())),
            DigestAlgorithm::Sha384 => Some(Self::Sha384(sha2::Sha384::new())),
            DigestAlgorithm::Sha512 => Some(Self::Sha512(sha2::Sha512::new())),
            DigestAlgorithm::Sha1 => None,
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match &mut self.hasher {
            Hasher::Sha256(h) => h.update(&buf[..n]),
            Hasher::Sha384(h) => h.update(&buf[..n]),
            Hasher::Sha512(h) => h.update(&buf[..n]),
        }
        self.count += n as u64;
        Ok(n)
    }
}

impl<R> Hashing<R> {
    fn finish(self, algorithm: DigestAlgorithm) -> (Digest, u64) {
        let d = match self.hasher {
            Hasher::Sha256(h) => Digest::from_bytes(algorithm, &h.finalize()),
            Hasher::Sha384(h) => Digest::from_bytes(algorithm, &h.finalize()),
            Hasher::Sha512(h) => Digest::from_bytes(algorithm, &h.finalize()),
        };
        (d, self.count)
    }
}

/// Applies one layer stream: detects the compression, checks the uncompressed content
/// against `diff_id` and, when given, the compressed content against `blob` (digest, size).
fn apply(
    rootfs: &mut Rootfs,
    raw: impl Read,
    blob: Option<&Descriptor>,
    diff_id: &str,
    options: &Options,
    what: &str,
) -> Result<(), ImageError> {
    let algorithm = blob.map_or(DigestAlgorithm::Sha256, |b| b.digest.algorithm());
    let outer = Hashing {
        inner: raw,
        hasher: Hasher::new(algorithm).ok_or_else(|| {
            ImageError::malformed(what, format!("unsupported digest algorithm `{algorithm}`"))
        })?,
        count: 0,
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, outer);
    let magic = buffered
        .fill_buf()
        .map_err(|e| ImageError::malformed(what, e))?
        .get(..4)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let layer_what = format!("layer {diff_id} of {what}");
    let inner: Box<dyn Read + '_> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(&mut buffered))
    } else if magic == [0x28, 0xb5, 0x2f, 0xfd] {
        return Err(ImageError::UnsupportedCompression {
            what: what.to_owned(),
            layer: diff_id.to_owned(),
            compression: "zstd".to_owned(),
        });
    } else {
        Box::new(&mut buffered)
    };
    let mut uncompressed = Hashing {
        inner,
        hasher: Hasher::Sha256(Sha256::new()),
        count: 0,
    };
    rootfs.apply_layer(
        diff_id.to_owned(),
        &mut uncompressed,
        options.max_file_bytes,
        &layer_what,
    )?;
    // The tar reader stops at the end-of-archive blocks: hash the rest too.
    io::copy(&mut uncompressed, &mut io::sink())
        .map_err(|e| ImageError::malformed(&layer_what, e))?;
    let (actual, _) = uncompressed.finish(DigestAlgorithm::Sha256);
    if actual.to_string() != diff_id {
        return Err(ImageError::DiffIdMismatch {
            what: what.to_owned(),
            layer: diff_id.to_owned(),
            expected: diff_id.to_owned(),
            actual: actual.to_string(),
        });
    }
    io::copy(&mut buffered, &mut io::sink()).map_err(|e| ImageError::malformed(&layer_what, e))?;
    let outer = buffered.into_inner();
    if let Some(b) = blob {
        let (d, n) = outer.finish(algorithm);
        if d != b.digest || n != b.size {
            return Err(ImageError::malformed(
                layer_what,
                format!(
                    "blob hashes to {d} ({n} bytes), the manifest says {} ({} bytes)",
                    b.digest, b.size
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a source into the squashed view.
pub(crate) fn read(source: &Source, options: &Options) -> Result<Rootfs, ImageError> {
    match source {
        Source::Dir(dir) => read_dir(dir, options),
        Source::OciLayout { dir, reference } => read_layout(dir, reference.as_deref(), options),
        Source::DockerArchive(file) => read_docker_archive(file, options),
        Source::Registry(r) => read_registry(r, options),
    }
}

fn read_dir(root: &Path, options: &Options) -> Result<Rootfs, ImageError> {
    let meta = std::fs::metadata(root).map_err(|e| ImageError::io(root, e))?;
    if !meta.is_dir() {
        return Err(ImageError::BadSource {
            input: format!("dir:{}", root.display()),
            reason: "not a directory".to_owned(),
        });
    }
    let mut rootfs = Rootfs {
        info: ImageInfo {
            name: std::fs::canonicalize(root)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "rootfs".to_owned()),
            ..ImageInfo::default()
        },
        ..Rootfs::default()
    };
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| ImageError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ImageError::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            // Never follow symlinks: an absolute link would read the host's files.
            let ft = entry
                .file_type()
                .map_err(|e| ImageError::io(entry.path(), e))?;
            if ft.is_dir() {
                stack.push((entry.path(), path));
            } else if ft.is_file() && fs::wanted(&path) {
                let len = entry.metadata().map_or(0, |m| m.len());
                if len > options.max_file_bytes {
                    continue;
                }
                let data =
                    std::fs::read(entry.path()).map_err(|e| ImageError::io(entry.path(), e))?;
                rootfs.files.insert(path, fs::File { layer: None, data });
            }
        }
    }
    Ok(rootfs)
}

/// Picks the image of an index for `want` (`os/arch[/variant]`): the only image when there
/// is one and nothing was asked, else `linux/amd64` by default.
fn select_platform<'a>(
    index: &'a Index,
    want: Option<&str>,
    what: &str,
) -> Result<&'a Descriptor, ImageError> {
    let images: Vec<&Descriptor> = index
        .manifests
        .iter()
        .filter(|d| {
            // Skip attestation manifests (buildkit's `unknown/unknown`).
            d.platform
                .as_ref()
                .is_none_or(|p| p.os != "unknown" && p.architecture != "unknown")
        })
        .collect();
    if want.is_none() && images.len() == 1 {
        return Ok(images[0]);
    }
    let want = want.unwrap_or("linux/amd64");
    let mut parts = want.split('/');
    let (os, arch, variant) = (parts.next(), parts.next(), parts.next());
    let found = images.iter().find(|d| {
        d.platform.as_ref().is_some_and(|p| {
            Some(p.os.as_str()) == os
                && Some(p.architecture.as_str()) == arch
                && variant.is_none_or(|v| p.variant.as_deref() == Some(v))
        })
    });
    found.copied().ok_or_else(|| ImageError::NoPlatform {
        what: what.to_owned(),
        platform: want.to_owned(),
        available: {
            let list: Vec<String> = images
                .iter()
                .filter_map(|d| d.platform.as_ref().map(ToString::to_string))
                .collect();
            if list.is_empty() {
                "no platforms".to_owned()
            } else {
                list.join(", ")
            }
        },
    })
}

fn check_layers(what: &str, manifest: &Manifest, config: &Config) -> Result<(), ImageError> {
    if manifest.layers.len() != config.rootfs.diff_ids.len() {
        return Err(ImageError::malformed(
            what,
            format!(
                "the manifest has {} layers, the config {} diff_ids",
                manifest.layers.len(),
                config.rootfs.diff_ids.len()
            ),
        ));
    }
    Ok(())
}

// ---- OCI image layout ----------------------------------------------------------------

fn blob_path(dir: &Path, d: &Digest) -> PathBuf {
    dir.join("blobs").join(d.algorithm().as_str()).join(d.hex())
}

fn read_blob_checked(
    dir: &Path,
    desc: &Descriptor,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, ImageError> {
    if desc.size > limit {
        return Err(ImageError::malformed(
            what,
            format!(
                "blob {} is {} bytes, over the {limit}-byte limit",
                desc.digest, desc.size
            ),
        ));
    }
    let path = blob_path(dir, &desc.digest);
    let bytes = std::fs::read(&path).map_err(|e| ImageError::io(&path, e))?;
    vouch_oci::model::verify_content(what, &desc.digest, Some(desc.size), &bytes)?;
    Ok(bytes)
}

fn read_layout(
    dir: &Path,
    reference: Option<&str>,
    options: &Options,
) -> Result<Rootfs, ImageError> {
    let what = format!("OCI layout `{}`", dir.display());
    let index_path = dir.join("index.json");
    let index_bytes = std::fs::read(&index_path).map_err(|e| ImageError::io(&index_path, e))?;
    let index: Index = serde_json::from_slice(&index_bytes)
        .map_err(|e| ImageError::malformed(format!("`{}`", index_path.display()), e))?;
    let top = match reference {
        Some(r) => index
            .manifests
            .iter()
            .find(|d| {
                d.annotations
                    .get("org.opencontainers.image.ref.name")
                    .is_some_and(|n| n == r)
            })
            .ok_or_else(|| ImageError::BadSource {
                input: format!("oci:{}:{r}", dir.display()),
                reason: format!("no manifest named `{r}` in index.json"),
            })?,
        None => match index.manifests.as_slice() {
            [one] => one,
            [] => {
                return Err(ImageError::malformed(
                    &what,
                    "index.json lists no manifests",
                ))
            }
            _ => {
                return Err(ImageError::BadSource {
                    input: format!("oci:{}", dir.display()),
                    reason: "index.json lists several manifests: name one with oci:DIR:REF"
                        .to_owned(),
                })
            }
        },
    };
    let limit = options.registry.max_manifest_bytes;
    let mut desc = top.clone();
    let manifest = loop {
        let bytes = read_blob_checked(dir, &desc, limit, &what)?;
        match AnyManifest::parse(&what, &bytes, Some(&desc.media_type))? {
            AnyManifest::Image(m) => break m,
            AnyManifest::Index(i) => {
                desc = select_platform(&i, options.platform.as_deref(), &what)?.clone();
            }
        }
    };
    let config_bytes = read_blob_checked(dir, &manifest.config, limit.max(16 << 20), &what)?;
    let config = parse_config(&what, &config_bytes)?;
    check_layers(&what, &manifest, &config)?;
    let mut rootfs = Rootfs {
        info: ImageInfo {
            name: "image".to_owned(),
            config_digest: Some(manifest.config.digest.to_string()),
            manifest_digest: Some(desc.digest.to_string()),
            platform: platform_of(&config),
        },
        ..Rootfs::default()
    };
    for (layer, diff_id) in manifest.layers.iter().zip(&config.rootfs.diff_ids) {
        if layer.size > options.max_layer_bytes {
            return Err(ImageError::malformed(
                &what,
                format!(
                    "layer {} is over the {}-byte limit",
                    layer.digest, options.max_layer_bytes
                ),
            ));
        }
        let path = blob_path(dir, &layer.digest);
        let f = StdFile::open(&path).map_err(|e| ImageError::io(&path, e))?;
        apply(&mut rootfs, f, Some(layer), diff_id, options, &what)?;
    }
    Ok(rootfs)
}

// ---- docker-archive ------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ArchiveManifest {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// Where a member of the outer tar lives.
#[derive(Debug, Clone)]
enum Member {
    Data { offset: u64, size: u64 },
    Link(String),
}

fn read_docker_archive(file: &Path, options: &Options) -> Result<Rootfs, ImageError> {
    let what = format!("docker archive `{}`", file.display());
    let f = StdFile::open(file).map_err(|e| ImageError::io(file, e))?;
    let mut members: BTreeMap<String, Member> = BTreeMap::new();
    let mut small: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    {
        let mut archive = tar::Archive::new(BufReader::new(f));
        for entry in archive
            .entries()
            .map_err(|e| ImageError::malformed(&what, e))?
        {
            let mut entry = entry.map_err(|e| ImageError::malformed(&what, e))?;
            let Some(path) = fs::clean(&String::from_utf8_lossy(&entry.path_bytes())) else {
                continue;
            };
            let kind = entry.header().entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                if let Some(t) = entry.link_name_bytes() {
                    let t = String::from_utf8_lossy(&t).into_owned();
                    let target = if kind.is_symlink() {
                        let base = path.rsplit_once('/').map_or("", |(d, _)| d);
                        fs::clean(&format!("{base}/{t}"))
                    } else {
                        fs::clean(&t)
                    };
                    if let Some(target) = target {
                        members.insert(path, Member::Link(target));
                    }
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let size = entry.size();
            if path == "manifest.json"
                || (Path::new(&path)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                    && size <= 16 << 20)
            {
                let mut b = Vec::new();
                entry
                    .read_to_end(&mut b)
                    .map_err(|e| ImageError::malformed(&what, e))?;
                small.insert(path.clone(), b);
            }
            members.insert(
                path,
                Member::Data {
                    offset: entry.raw_file_position(),
                    size,
                },
            );
        }
    }
    let manifest_bytes = small.get("manifest.json").ok_or_else(|| {
        ImageError::malformed(&what, "no manifest.json (not a docker save archive?)")
    })?;
    let manifests: Vec<ArchiveManifest> = serde_json::from_slice(manifest_bytes)
        .map_err(|e| ImageError::malformed(format!("manifest.json of {what}"), e))?;
    let m = manifests
        .first()
        .ok_or_else(|| ImageError::malformed(&what, "manifest.json lists no images"))?;
    let resolve = |name: &str| -> Option<(u64, u64)> {
        let mut name = fs::clean(name)?;
        for _ in 0..16 {
            match members.get(&name)? {
                Member::Data { offset, size } => return Some((*offset, *size)),
                Member::Link(t) => name.clone_from(t),
            }
        }
        None
    };
    let config_name = fs::clean(&m.config).unwrap_or_default();
    let config_bytes = if let Some(b) = small.get(&config_name) {
        b.clone()
    } else {
        let (offset, size) = resolve(&m.config).ok_or_else(|| {
            ImageError::malformed(&what, format!("config `{}` is missing", m.config))
        })?;
        let mut f = StdFile::open(file).map_err(|e| ImageError::io(file, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(file, e))?;
        let mut b = Vec::new();
        f.take(size.min(16 << 20))
            .read_to_end(&mut b)
            .map_err(|e| ImageError::io(file, e))?;
        b
    };
    let config = parse_config(&what, &config_bytes)?;
    if m.layers.len() != config.rootfs.diff_ids.len() {
        return Err(ImageError::malformed(
            &what,
            format!(
                "manifest.json has {} layers, the config {} diff_ids",
                m.layers.len(),
                config.rootfs.diff_ids.len()
            ),
        ));
    }
    let mut rootfs = Rootfs {
        info: ImageInfo {
            name: "image".to_owned(),
            config_digest: Some(sha256_hex(&config_bytes)),
            manifest_digest: None,
            platform: platform_of(&config),
        },
        ..Rootfs::default()
    };
    for (layer, diff_id) in m.layers.iter().zip(&config.rootfs.diff_ids) {
        let (offset, size) = resolve(layer)
            .ok_or_else(|| ImageError::malformed(&what, format!("layer `{layer}` is missing")))?;
        let mut f = StdFile::open(file).map_err(|e| ImageError::io(file, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(file, e))?;
        apply(&mut rootfs, f.take(size), None, diff_id, options, &what)?;
    }
    Ok(rootfs)
}

// ---- registry ------------------------------------------------------------------------

fn read_registry(reference: &ImageRef, options: &Options) -> Result<Rootfs, ImageError> {
    let what = format!("image `{reference}`");
    let registry = Registry::new(options.registry.clone())?;
    vouch_oci::block_on(async {
        let resolved = registry.resolve(reference).await?;
        let pinned = resolved.reference.clone();
        let (manifest, manifest_digest) = match resolved.manifest.manifest {
            AnyManifest::Image(m) => (m, resolved.digest.clone()),
            AnyManifest::Index(i) => {
                let d = select_platform(&i, options.platform.as_deref(), &what)?;
                let fetched = registry
                    .get_manifest(&pinned.with_digest(d.digest.clone()))
                    .await?;
                match fetched.manifest {
                    AnyManifest::Image(m) => (m, fetched.digest),
                    AnyManifest::Index(_) => {
                        return Err(ImageError::malformed(
                            &what,
                            "an index entry is another index",
                        ))
                    }
                }
            }
        };
        let config_bytes = registry
            .get_blob(&pinned, &manifest.config, options.registry.max_blob_bytes)
            .await?;
        let config = parse_config(&what, &config_bytes)?;
        check_layers(&what, &manifest, &config)?;
        let mut rootfs = Rootfs {
            info: ImageInfo {
                name: "image".to_owned(),
                config_digest: Some(manifest.config.digest.to_string()),
                manifest_digest: Some(manifest_digest.to_string()),
                platform: platform_of(&config),
            },
            ..Rootfs::default()
        };
        for (layer, diff_id) in manifest.layers.iter().zip(&config.rootfs.diff_ids) {
            // The layer goes to a temporary file (checked against its digest while it
            // arrives), then is read once: bounded memory, nothing trusted unchecked.
            let mut tmp =
                tempfile::tempfile().map_err(|e| ImageError::io(std::env::temp_dir(), e))?;
            registry
                .copy_blob(&pinned, layer, options.max_layer_bytes, &mut tmp)
                .await?;
            tmp.seek(SeekFrom::Start(0))
                .map_err(|e| ImageError::io(std::env::temp_dir(), e))?;
            apply(&mut rootfs, tmp, Some(layer), diff_id, options, &what)?;
        }
        Ok(rootfs)
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let d = |arch: &str, variant: Option<&str>, n: u8| {
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "size": 10,
                "digest": format!("sha256:{}", hex::encode([n; 32])),
                "platform": {"os": "linux", "architecture": arch, "variant": variant}
            })
        };
        serde_json::from_value(serde_json::json!({
            "schemaVersion": 2,
            "manifests": [
                d("amd64", None, 1),
                d("arm", Some("v7"), 2),
                d("arm64", Some("v8"), 3),
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 10,
                 "digest": format!("sha256:{}", hex::encode([4u8; 32])),
                 "platform": {"os": "unknown", "architecture": "unknown"}}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn platforms_are_selected_from_an_index() {
        let i = index();
        let pick = |want: Option<&str>| {
            select_platform(&i, want, "test").map(|d| d.digest.hex()[..2].to_owned())
        };
        assert_eq!(pick(None).unwrap(), "01", "linux/amd64 by default");
        assert_eq!(pick(Some("linux/arm64")).unwrap(), "03");
        assert_eq!(pick(Some("linux/arm/v7")).unwrap(), "02");
        let err = pick(Some("linux/s390x")).unwrap_err().to_string();
        assert!(
            err.contains("linux/s390x") && err.contains("linux/arm/v7"),
            "{err}"
        );
        assert!(
            !err.contains("unknown"),
            "attestation manifests are not platforms: {err}"
        );
    }
}
