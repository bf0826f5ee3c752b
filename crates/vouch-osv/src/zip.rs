//! A small, strict reader for the zip archives osv.dev exports (`<Ecosystem>/all.zip`): a
//! flat set of stored or deflated `<ID>.json` entries. Every entry is checked against its
//! CRC-32 and size, so a truncated or corrupted download is an error, never a silently
//! smaller database.

use std::io::Read;

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
#[error("`{archive}` is not a readable zip archive: {message}")]
pub struct ZipError {
    pub archive: String,
    pub message: String,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One file in an archive.
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
}

/// Reads every file entry of the archive in `bytes` (directories are skipped).
pub fn entries(archive: &str, bytes: &[u8]) -> Result<Vec<Entry>, ZipError> {
    let err = |message: String| ZipError {
        archive: archive.to_owned(),
        message,
    };
    // End of central directory: 22 bytes plus a comment of up to 64 KiB.
    let min = bytes.len().saturating_sub(22 + 0xFFFF);
    let eocd = (min..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| bytes[i..].starts_with(&[0x50, 0x4b, 0x05, 0x06]))
        .ok_or_else(|| err("no end-of-central-directory record (truncated or not a zip)".into()))?;
    let count = usize::from(u16_at(bytes, eocd + 10).unwrap_or(0));
    let cd_size = u32_at(bytes, eocd + 12).unwrap_or(0) as usize;
    let cd_offset = u32_at(bytes, eocd + 16).unwrap_or(0) as usize;
    if cd_offset == 0xFFFF_FFFF || count == 0xFFFF {
        return Err(err("zip64 archives are not supported".into()));
    }
    if cd_offset.checked_add(cd_size).is_none_or(|end| end > eocd) {
        return Err(err("central directory lies outside the archive".into()));
    }
    let mut out = Vec::with_capacity(count);
    let mut p = cd_offset;
    for n in 0..count {
        let bad = || err(format!("central directory entry {n} is malformed"));
        if u32_at(bytes, p) != Some(0x0201_4b50) {
            return Err(bad());
        }
        let flags = u16_at(bytes, p + 8).ok_or_else(bad)?;
        let method = u16_at(bytes, p + 10).ok_or_else(bad)?;
        let crc = u32_at(bytes, p + 16).ok_or_else(bad)?;
        let csize = u32_at(bytes, p + 20).ok_or_else(bad)? as usize;
        let usize_ = u32_at(bytes, p + 24).ok_or_else(bad)? as usize;
        let nlen = usize::from(u16_at(bytes, p + 28).ok_or_else(bad)?);
        let elen = usize::from(u16_at(bytes, p + 30).ok_or_else(bad)?);
        let clen = usize::from(u16_at(bytes, p + 32).ok_or_else(bad)?);
        let local = u32_at(bytes, p + 42).ok_or_else(bad)? as usize;
        let name_bytes = bytes.get(p + 46..p + 46 + nlen).ok_or_else(bad)?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        p += 46 + nlen + elen + clen;
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 != 0 {
            return Err(err(format!("entry `{name}` is encrypted")));
        }
        if u32_at(bytes, local) != Some(0x0403_4b50) {
            return Err(err(format!("entry `{name}` has no local header")));
        }
        let lnlen = usize::from(u16_at(bytes, local + 26).ok_or_else(bad)?);
        let lelen = usize::from(u16_at(bytes, local + 28).ok_or_else(bad)?);
        let start = local + 30 + lnlen + lelen;
        let raw = bytes
            .get(start..start + csize)
            .ok_or_else(|| err(format!("entry `{name}` is truncated")))?;
        let data = match method {
            0 => raw.to_vec(),
            8 => {
                let mut d = Vec::with_capacity(usize_);
                flate2::read::DeflateDecoder::new(raw)
                    .take(usize_ as u64 + 1)
                    .read_to_end(&mut d)
                    .map_err(|e| err(format!("entry `{name}` does not inflate: {e}")))?;
                d
            }
            m => return Err(err(format!("entry `{name}` uses compression method {m}"))),
        };
        if data.len() != usize_ {
            return Err(err(format!(
                "entry `{name}` inflates to {} bytes, the directory says {usize_}",
                data.len()
            )));
        }
        if crc32fast::hash(&data) != crc {
            return Err(err(format!("entry `{name}` fails its CRC-32 check")));
        }
        out.push(Entry { name, data });
    }
    Ok(out)
}
