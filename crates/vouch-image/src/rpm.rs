//! The rpm database in its Berkeley DB form (`var/lib/rpm/Packages`): a hash database whose
//! values are rpm header blobs. Read-only and minimal: every hash page's off-page values are
//! followed through their overflow chains and parsed as headers; keys are ignored.

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<u32>,
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
}

impl Entry {
    /// `version-release`, as rpm prints it (without epoch).
    pub fn version_release(&self) -> String {
        format!("{}-{}", self.version, self.release)
    }
}

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_VENDOR: u32 = 1011;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parses an rpm header blob as the database stores it (index count, data length, index
/// entries, data; no lead or magic). `None` when the blob is not a header.
pub fn parse_header(blob: &[u8]) -> Option<Entry> {
    let il = be32(blob, 0)? as usize;
    let dl = be32(blob, 4)? as usize;
    let data_start = 8 + il.checked_mul(16)?;
    let data = blob.get(data_start..data_start.checked_add(dl)?)?;
    let mut e = Entry {
        name: String::new(),
        version: String::new(),
        release: String::new(),
        epoch: None,
        arch: None,
        source_rpm: None,
        license: None,
        vendor: None,
    };
    for i in 0..il {
        let at = 8 + i * 16;
        let (tag, ty, offset) = (
            be32(blob, at)?,
            be32(blob, at + 4)?,
            be32(blob, at + 8)? as usize,
        );
        let string = || -> Option<String> {
            // STRING (6) or I18NSTRING (9): NUL-terminated; the first of an I18N table.
            let rest = data.get(offset..)?;
            let end = rest.iter().position(|&b| b == 0)?;
            Some(String::from_utf8_lossy(&rest[..end]).into_owned())
        };
        match (tag, ty) {
            (TAG_NAME, 6 | 9) => e.name = string()?,
            (TAG_VERSION, 6 | 9) => e.version = string()?,
            (TAG_RELEASE, 6 | 9) => e.release = string()?,
            (TAG_EPOCH, 4) => e.epoch = be32(data, offset),
            (TAG_ARCH, 6 | 9) => e.arch = string(),
            (TAG_SOURCERPM, 6 | 9) => e.source_rpm = string(),
            (TAG_LICENSE, 6 | 9) => e.license = string(),
            (TAG_VENDOR, 6 | 9) => e.vendor = string(),
            _ => {}
        }
    }
    (!e.name.is_empty() && !e.version.is_empty()).then_some(e)
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_OVERFLOW: u8 = 7;
const P_HASH_UNSORTED: u8 = 2;
const P_HASH: u8 = 13;
const H_OFFPAGE: u8 = 3;

/// Why a Berkeley DB file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BdbError {
    #[error("not a Berkeley DB hash database (little-endian)")]
    NotHash,
    #[error("overflow chain at page {0} is broken")]
    Chain(u32),
}

/// The packages of a Berkeley DB `Packages` file.
pub fn parse_bdb(db: &[u8]) -> Result<Vec<Entry>, BdbError> {
    if le32(db, 12) != Some(HASH_MAGIC) {
        return Err(BdbError::NotHash);
    }
    let page_size = le32(db, 20).ok_or(BdbError::NotHash)? as usize;
    if !(512..=65536).contains(&page_size) {
        return Err(BdbError::NotHash);
    }
    let page = |n: u32| db.get(n as usize * page_size..(n as usize + 1) * page_size);
    let mut out = Vec::new();
    for p in 1..(db.len() / page_size) as u32 {
        let pg = page(p).ok_or(BdbError::Chain(p))?;
        if !matches!(pg[25], P_HASH | P_HASH_UNSORTED) {
            continue;
        }
        let entries = le16(pg, 20).unwrap_or(0) as usize;
        // Items alternate key, value: only values (odd indexes) hold headers.
        for i in (1..entries).step_by(2) {
            let Some(off) = le16(pg, PAGE_HEADER + i * 2) else {
                break;
            };
            let off = off as usize;
            if pg.get(off) != Some(&H_OFFPAGE) {
                continue;
            }
            let (Some(mut next), Some(total)) = (le32(pg, off + 4), le32(pg, off + 8)) else {
                continue;
            };
            let mut blob = Vec::with_capacity(total as usize);
            let mut guard = 0usize;
            while next != 0 && blob.len() < total as usize {
                let ov = page(next).ok_or(BdbError::Chain(next))?;
                if ov[25] != P_OVERFLOW || guard > db.len() / page_size {
                    return Err(BdbError::Chain(next));
                }
                let len = le16(ov, 22).unwrap_or(0) as usize;
                blob.extend_from_slice(
                    ov.get(PAGE_HEADER..PAGE_HEADER + len)
                        .ok_or(BdbError::Chain(next))?,
                );
                next = le32(ov, 16).unwrap_or(0);
                guard += 1;
            }
            if let Some(e) = parse_header(&blob) {
                out.push(e);
            }
        }
    }
    Ok(out)
}
