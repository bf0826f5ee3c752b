//! The offline database: OSV records indexed by ecosystem and normalised package name.
//!
//! # On-disk format (version 1)
//!
//! ```text
//! DIR/vouch-db.json        metadata: format, source, snapshot time, per-ecosystem counts
//! DIR/<eco>.dat            the ecosystem's records, minified JSON, concatenated
//! DIR/<eco>.idx            "VOUCHIDX1\n", u32 n, n × u32 entry offsets, then entries
//!                          sorted by name: u16 len, name, u32 k, k × (u64 off, u32 len)
//! ```
//!
//! A scan reads the metadata and, per ecosystem it needs, the index (a few hundred KB for
//! the largest exports), binary-searches each package name and reads only the records it
//! points at. A record affecting several packages is stored once per ecosystem. Databases
//! are built in a temporary directory beside the target and renamed into place, so a
//! failed import or update leaves the previous database usable.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use vouch_core::{Diagnostic, Level};

use crate::name::normalize;
use crate::record::Record;

/// Format version written to `vouch-db.json`.
pub const FORMAT: u32 = 1;
const META: &str = "vouch-db.json";
const MAGIC: &[u8] = b"VOUCHIDX1\n";

/// OSV's ecosystem names (`shared/osv/schema/ecosystems.json`, schema 1.7.5).
pub const KNOWN_ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpaquita",
    "Alpine",
    "Android",
    "Azure Linux",
    "BellSoft Hardened Containers",
    "Bioconductor",
    "Bitnami",
    "Chainguard",
    "CleanStart",
    "ConanCenter",
    "CRAN",
    "crates.io",
    "Debian",
    "Docker Hardened Images",
    "Echo",
    "FreeBSD",
    "GHC",
    "GitHub Actions",
    "Go",
    "Hackage",
    "Hex",
    "Julia",
    "Kubernetes",
    "Linux",
    "Mageia",
    "Maven",
    "MinimOS",
    "npm",
    "NuGet",
    "opam",
    "openEuler",
    "openSUSE",
    "OSS-Fuzz",
    "Packagist",
    "Photon OS",
    "Pub",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "Root",
    "RubyGems",
    "SUSE",
    "SwiftURL",
    "TuxCare",
    "Ubuntu",
    "VSCode",
    "Wolfi",
];

/// The ecosystem part of an OSV ecosystem string (`Debian:12` → `Debian`), if OSV knows it.
pub fn known_ecosystem(s: &str) -> Option<&'static str> {
    let base = s.split(':').next().unwrap_or(s);
    KNOWN_ECOSYSTEMS.iter().copied().find(|e| *e == base)
}

/// Database metadata (`vouch-db.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    /// Where the records came from (paths or URLs).
    pub source: Vec<String>,
    /// The data's own time: the newest `modified`/`published` of any record (RFC 3339).
    pub snapshot: Option<String>,
    /// When the database was built (RFC 3339; `SOURCE_DATE_EPOCH` when set).
    pub built: String,
    /// Ecosystems imported from a whole export (`<Ecosystem>/all.zip`): what `vouch db
    /// update` refreshes by default.
    #[serde(default)]
    pub exports: Vec<String>,
    pub ecosystems: BTreeMap<String, EcosystemMeta>,
}

/// Per-ecosystem metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemMeta {
    /// File stem of the `.idx`/`.dat` pair.
    pub file: String,
    pub records: usize,
    pub packages: usize,
    /// Newest `modified` of the ecosystem's records: where an incremental update resumes.
    pub modified: Option<String>,
}

/// Errors opening, reading or building a database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no vouch database at `{0}`")]
    Missing(PathBuf),
    #[error("failed to read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is corrupt: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("`{path}` has database format {found}, this vouch reads format {FORMAT}")]
    Format { path: PathBuf, found: u32 },
    #[error(transparent)]
    Zip(#[from] crate::zip::ZipError),
    #[error("unknown ecosystem `{ecosystem}` in `{path}`")]
    UnknownEcosystem { path: PathBuf, ecosystem: String },
    #[error("`{0}` holds no OSV records")]
    Empty(PathBuf),
    #[error("`{path}` is neither a zip archive, a JSON record nor a directory of them")]
    Unrecognised { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_owned(),
        source,
    }
}

fn file_stem(ecosystem: &str) -> String {
    ecosystem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

struct EcoIndex {
    idx: Vec<u8>,
    count: usize,
    dat: Mutex<File>,
    dat_path: PathBuf,
    /// Records decoded so far, by offset, while someone still holds them: a record naming
    /// several packages (Maven and Go records often do) is decoded once while the scan
    /// works through neighbouring names, without keeping every record alive.
    decoded: Mutex<HashMap<u64, std::sync::Weak<Record>>>,
}

impl EcoIndex {
    /// Reads `buf.len()` bytes of the records file at `off` (one positioned read on Unix
    /// instead of a seek and a read).
    fn read_at(&self, off: u64, buf: &mut [u8]) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            let f = self.dat.lock().expect("dat lock");
            f.read_exact_at(buf, off)
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let mut f = self.dat.lock().expect("dat lock");
            f.seek(SeekFrom::Start(off))?;
            f.read_exact(buf)
        }
    }

    fn entry_name(&self, i: usize) -> Option<(&[u8], usize)> {
        let off = u32::from_le_bytes(
            self.idx
                .get(MAGIC.len() + 4 + i * 4..MAGIC.len() + 8 + i * 4)?
                .try_into()
                .ok()?,
        ) as usize;
        let len = usize::from(u16::from_le_bytes(
            self.idx.get(off..off + 2)?.try_into().ok()?,
        ));
        Some((self.idx.get(off + 2..off + 2 + len)?, off + 2 + len))
    }

    fn find(&self, name: &str) -> Option<Vec<(u64, u32)>> {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = usize::midpoint(lo, hi);
            let (n, after) = self.entry_name(mid)?;
            match n.cmp(name.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let k = u32::from_le_bytes(self.idx.get(after..after + 4)?.try_into().ok()?)
                        as usize;
                    let mut out = Vec::with_capacity(k);
                    for j in 0..k {
                        let p = after + 4 + j * 12;
                        let off = u64::from_le_bytes(self.idx.get(p..p + 8)?.try_into().ok()?);
                        let len = u32::from_le_bytes(self.idx.get(p + 8..p + 12)?.try_into().ok()?);
                        out.push((off, len));
                    }
                    return Some(out);
                }
            }
        }
        Some(Vec::new())
    }
}

/// An opened database. Ecosystem indexes are loaded on first use.
pub struct Database {
    dir: PathBuf,
    meta: Meta,
    indexes: Mutex<HashMap<String, Option<Arc<EcoIndex>>>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens the database in `dir` (reads only its metadata).
    pub fn open(dir: &Path) -> Result<Self, DbError> {
        let meta_path = dir.join(META);
        if !meta_path.is_file() {
            return Err(DbError::Missing(dir.to_owned()));
        }
        let bytes = std::fs::read(&meta_path).map_err(io(&meta_path))?;
        let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| DbError::Corrupt {
            path: meta_path.clone(),
            message: e.to_string(),
        })?;
        if meta.format != FORMAT {
            return Err(DbError::Format {
                path: meta_path,
                found: meta.format,
            });
        }
        Ok(Self {
            dir: dir.to_owned(),
            meta,
            indexes: Mutex::new(HashMap::new()),
        })
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn index(&self, ecosystem: &str) -> Result<Option<Arc<EcoIndex>>, DbError> {
        let mut map = self.indexes.lock().expect("index lock");
        if let Some(i) = map.get(ecosystem) {
            return Ok(i.clone());
        }
        let Some(em) = self.meta.ecosystems.get(ecosystem) else {
            map.insert(ecosystem.to_owned(), None);
            return Ok(None);
        };
        let idx_path = self.dir.join(format!("{}.idx", em.file));
        let dat_path = self.dir.join(format!("{}.dat", em.file));
        let idx = std::fs::read(&idx_path).map_err(io(&idx_path))?;
        if !idx.starts_with(MAGIC) || idx.len() < MAGIC.len() + 4 {
            return Err(DbError::Corrupt {
                path: idx_path,
                message: "bad index header".into(),
            });
        }
        let count =
            u32::from_le_bytes(idx[MAGIC.len()..MAGIC.len() + 4].try_into().expect("4")) as usize;
        let dat = File::open(&dat_path).map_err(io(&dat_path))?;
        let ix = Arc::new(EcoIndex {
            idx,
            count,
            dat: Mutex::new(dat),
            dat_path,
            decoded: Mutex::new(HashMap::new()),
        });
        map.insert(ecosystem.to_owned(), Some(ix.clone()));
        Ok(Some(ix))
    }

    /// Whether the database holds records for `ecosystem` (an OSV name).
    pub fn has_ecosystem(&self, ecosystem: &str) -> bool {
        self.meta.ecosystems.contains_key(ecosystem)
    }

    /// Every record whose `affected[]` names the package (`name` as the ecosystem spells
    /// it; it is normalised here).
    pub fn records_for(&self, ecosystem: &str, name: &str) -> Result<Vec<Arc<Record>>, DbError> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        let Some(ix) = self.index(base)? else {
            return Ok(Vec::new());
        };
        let key = normalize(base, name);
        let corrupt = |message: String| DbError::Corrupt {
            path: ix.dat_path.clone(),
            message,
        };
        let spans = ix
            .find(&key)
            .ok_or_else(|| corrupt("index entry out of bounds".into()))?;
        let mut out = Vec::with_capacity(spans.len());
        for (off, len) in spans {
            if let Some(rec) = ix
                .decoded
                .lock()
                .expect("record cache lock")
                .get(&off)
                .and_then(std::sync::Weak::upgrade)
            {
                out.push(rec);
                continue;
            }
            let mut buf = vec![0; len as usize];
            ix.read_at(off, &mut buf).map_err(io(&ix.dat_path))?;
            let rec: Record = serde_json::from_slice(&buf)
                .map_err(|e| corrupt(format!("record at offset {off}: {e}")))?;
            let rec = Arc::new(rec);
            ix.decoded
                .lock()
                .expect("record cache lock")
                .insert(off, Arc::downgrade(&rec));
            out.push(rec);
        }
        Ok(out)
    }

    /// Every record of one ecosystem (for incremental updates and exports).
    pub fn all_records(&self, ecosystem: &str) -> Result<Vec<Record>, DbError> {
        let Some(em) = self.meta.ecosystems.get(ecosystem) else {
            return Ok(Vec::new());
        };
        let dat_path = self.dir.join(format!("{}.dat", em.file));
        let bytes = std::fs::read(&dat_path).map_err(io(&dat_path))?;
        let mut out = Vec::new();
        for r in serde_json::Deserializer::from_slice(&bytes).into_iter::<Record>() {
            out.push(r.map_err(|e| DbError::Corrupt {
                path: dat_path.clone(),
                message: e.to_string(),
            })?);
        }
        Ok(out)
    }
}

/// Progress of an import or update, drawn by the caller.
pub trait ImportReporter: Sync {
    /// A source (archive, folder, download) with `total` entries is being read.
    fn on_source(&self, _name: &str, _total: usize) {}
    /// `n` more entries were read.
    fn on_progress(&self, _n: usize) {}
    fn on_finish(&self) {}
}

/// A reporter that draws nothing.
pub struct NoProgress;
impl ImportReporter for NoProgress {}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub records: usize,
    pub ecosystems: BTreeMap<String, usize>,
    /// Records skipped (invalid JSON or schema) and other problems, with stable codes.
    pub diagnostics: Vec<Diagnostic>,
}

/// Records collected for a database build, deduplicated by id (newest `modified` wins).
#[derive(Default)]
pub struct Builder {
    records: BTreeMap<String, Record>,
    diagnostics: Vec<Diagnostic>,
    sources: Vec<String>,
    exports: std::collections::BTreeSet<String>,
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes a source name for the metadata.
    pub fn source(&mut self, s: impl Into<String>) {
        self.sources.push(s.into());
    }

    /// Notes that `ecosystem`'s whole export is part of the database.
    pub fn export(&mut self, ecosystem: &str) {
        self.exports.insert(ecosystem.to_owned());
    }

    /// Adds a parsed record.
    pub fn add(&mut self, r: Record) {
        match self.records.get(&r.id) {
            Some(old) if old.modified > r.modified => {}
            _ => {
                self.records.insert(r.id.clone(), r);
            }
        }
    }

    /// Removes a record (an upstream deletion).
    pub fn remove(&mut self, id: &str) {
        self.records.remove(id);
    }

    /// Parses and adds one record file; a bad record becomes a diagnostic.
    pub fn add_json(&mut self, name: &str, bytes: &[u8]) {
        match Record::from_json(name, bytes) {
            Ok(r) => self.add(r),
            Err(e) => self.diagnostics.push(
                Diagnostic::new(
                    "osv-record-invalid",
                    Level::Warning,
                    format!("skipped: {e}"),
                )
                .at(name, None),
            ),
        }
    }

    /// Reads a source: a zip of records, one record file, an export root
    /// (`<Ecosystem>/all.zip`), a folder holding `all.zip`, or a folder of record files.
    pub fn add_path(&mut self, path: &Path, reporter: &dyn ImportReporter) -> Result<(), DbError> {
        self.source(path.display().to_string());
        let before = self.records.len();
        self.read_path(path, reporter)?;
        if self.records.len() == before && self.diagnostics.is_empty() {
            return Err(DbError::Empty(path.to_owned()));
        }
        Ok(())
    }

    fn read_path(&mut self, path: &Path, reporter: &dyn ImportReporter) -> Result<(), DbError> {
        let meta = std::fs::metadata(path).map_err(io(path))?;
        if meta.is_file() {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let bytes = std::fs::read(path).map_err(io(path))?;
            return match ext {
                "zip" => self.add_zip(&path.display().to_string(), &bytes, reporter),
                "json" => {
                    self.add_json(&path.display().to_string(), &bytes);
                    Ok(())
                }
                _ => Err(DbError::Unrecognised {
                    path: path.to_owned(),
                }),
            };
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        // Export root: `<Ecosystem>/all.zip` children.
        let exports: Vec<&PathBuf> = children
            .iter()
            .filter(|c| c.join("all.zip").is_file())
            .collect();
        if !exports.is_empty() {
            for dir in exports {
                let eco = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if known_ecosystem(eco).is_none() {
                    return Err(DbError::UnknownEcosystem {
                        path: dir.join("all.zip"),
                        ecosystem: eco.to_owned(),
                    });
                }
                self.read_path(&dir.join("all.zip"), reporter)?;
                self.export(eco);
            }
            return Ok(());
        }
        let all = path.join("all.zip");
        if all.is_file() {
            return self.read_path(&all, reporter);
        }
        // A folder of records (recursively).
        let mut files = Vec::new();
        collect_json(path, &mut files)?;
        reporter.on_source(&path.display().to_string(), files.len());
        for f in files {
            let bytes = std::fs::read(&f).map_err(io(&f))?;
            self.add_json(&f.display().to_string(), &bytes);
            reporter.on_progress(1);
        }
        Ok(())
    }

    /// Reads a zip archive of records.
    pub fn add_zip(
        &mut self,
        name: &str,
        bytes: &[u8],
        reporter: &dyn ImportReporter,
    ) -> Result<(), DbError> {
        let entries = crate::zip::entries(name, bytes)?;
        reporter.on_source(name, entries.len());
        for e in entries {
            if std::path::Path::new(&e.name)
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            {
                self.add_json(&format!("{name}!{}", e.name), &e.data);
            }
            reporter.on_progress(1);
        }
        Ok(())
    }

    /// Writes the database to `dest` atomically (a sibling temp dir renamed into place).
    pub fn write(self, dest: &Path, built: &str) -> Result<ImportSummary, DbError> {
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let stem = dest
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("db")
            .to_owned();
        let tmp = parent.join(format!(".{stem}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        let result = self.write_into(&tmp, built);
        let summary = match result {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        let old = parent.join(format!(".{stem}.old-{}", std::process::id()));
        let had_old = dest.exists();
        if had_old {
            std::fs::rename(dest, &old).map_err(io(dest))?;
        }
        if let Err(e) = std::fs::rename(&tmp, dest) {
            if had_old {
                let _ = std::fs::rename(&old, dest);
            }
            return Err(io(dest)(e));
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(summary)
    }

    fn write_into(self, dir: &Path, built: &str) -> Result<ImportSummary, DbError> {
        let mut summary = ImportSummary {
            diagnostics: self.diagnostics,
            ..ImportSummary::default()
        };
        // ecosystem → name → record ids
        let mut by_eco: BTreeMap<String, BTreeMap<String, Vec<&str>>> = BTreeMap::new();
        let mut snapshot: Option<&str> = None;
        for r in self.records.values() {
            for t in [Some(r.modified.as_str()), r.published.as_deref()]
                .into_iter()
                .flatten()
            {
                if snapshot.is_none_or(|s| t > s) {
                    snapshot = Some(t);
                }
            }
            for (i, a) in r.affected.iter().enumerate() {
                let Some(p) = &a.package else { continue };
                let Some(eco) = known_ecosystem(&p.ecosystem) else {
                    summary.diagnostics.push(
                        Diagnostic::new(
                            "osv-ecosystem-unknown",
                            Level::Warning,
                            format!(
                                "`{}` affected[{i}]: unknown ecosystem `{}`; entry not indexed",
                                r.id, p.ecosystem
                            ),
                        )
                        .at(r.id.clone(), None),
                    );
                    continue;
                };
                let ids = by_eco
                    .entry(eco.to_owned())
                    .or_default()
                    .entry(normalize(eco, &p.name))
                    .or_default();
                if ids.last() != Some(&r.id.as_str()) && !ids.contains(&r.id.as_str()) {
                    ids.push(&r.id);
                }
            }
        }
        let mut ecosystems = BTreeMap::new();
        for (eco, names) in &by_eco {
            let file = file_stem(eco);
            let dat_path = dir.join(format!("{file}.dat"));
            let idx_path = dir.join(format!("{file}.idx"));
            let mut dat = Vec::new();
            let mut spans: HashMap<&str, (u64, u32)> = HashMap::new();
            let mut modified: Option<&str> = None;
            for ids in names.values() {
                for id in ids {
                    if spans.contains_key(id) {
                        continue;
                    }
                    let r = &self.records[*id];
                    if modified.is_none_or(|m| r.modified.as_str() > m) {
                        modified = Some(&r.modified);
                    }
                    let json = serde_json::to_vec(r).map_err(|e| DbError::Corrupt {
                        path: dat_path.clone(),
                        message: e.to_string(),
                    })?;
                    spans.insert(id, (dat.len() as u64, json.len() as u32));
                    dat.extend_from_slice(&json);
                }
            }
            let mut entries = Vec::new();
            let mut offsets = Vec::new();
            let header = MAGIC.len() + 4 + names.len() * 4;
            for (name, ids) in names {
                offsets.push((header + entries.len()) as u32);
                let nb = name.as_bytes();
                let nlen = nb.len().min(usize::from(u16::MAX));
                entries.extend_from_slice(&(nlen as u16).to_le_bytes());
                entries.extend_from_slice(&nb[..nlen]);
                entries.extend_from_slice(&(ids.len() as u32).to_le_bytes());
                for id in ids {
                    let (off, len) = spans[id];
                    entries.extend_from_slice(&off.to_le_bytes());
                    entries.extend_from_slice(&len.to_le_bytes());
                }
            }
            let mut idx = Vec::with_capacity(header + entries.len());
            idx.extend_from_slice(MAGIC);
            idx.extend_from_slice(&(names.len() as u32).to_le_bytes());
            for o in offsets {
                idx.extend_from_slice(&o.to_le_bytes());
            }
            idx.extend_from_slice(&entries);
            write_file(&dat_path, &dat)?;
            write_file(&idx_path, &idx)?;
            summary.ecosystems.insert(eco.clone(), spans.len());
            ecosystems.insert(
                eco.clone(),
                EcosystemMeta {
                    file,
                    records: spans.len(),
                    packages: names.len(),
                    modified: modified.map(str::to_owned),
                },
            );
        }
        summary.records = self.records.len();
        let meta = Meta {
            format: FORMAT,
            source: self.sources,
            snapshot: snapshot.map(str::to_owned),
            built: built.to_owned(),
            exports: self.exports.into_iter().collect(),
            ecosystems,
        };
        let meta_path = dir.join(META);
        let json = serde_json::to_vec_pretty(&meta).map_err(|e| DbError::Corrupt {
            path: meta_path.clone(),
            message: e.to_string(),
        })?;
        write_file(&meta_path, &json)?;
        Ok(summary)
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), DbError> {
    let mut f = File::create(path).map_err(io(path))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(path))
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DbError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Imports `sources` into a new database at `dest`, replacing any database there.
pub fn import(
    sources: &[PathBuf],
    dest: &Path,
    built: &str,
    reporter: &dyn ImportReporter,
) -> Result<ImportSummary, DbError> {
    let mut b = Builder::new();
    for s in sources {
        b.add_path(s, reporter)?;
    }
    reporter.on_finish();
    b.write(dest, built)
}
