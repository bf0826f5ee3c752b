//! Digests of artifacts, computed while streaming (memory does not grow with input size).

use std::io::Read;

use sha2::{Digest as _, Sha256, Sha384, Sha512};

/// A hash function vouch signs or verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// The output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// `sha256`, `sha384`, `sha512` (in-toto and OCI digest prefixes).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// From `sha256` / `sha384` / `sha512`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Digest of bytes in memory.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(bytes).to_vec(),
            Self::Sha384 => Sha384::digest(bytes).to_vec(),
            Self::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }

    /// Digest of everything `reader` yields, read in fixed-size chunks.
    pub fn digest_reader(self, reader: impl Read) -> std::io::Result<Vec<u8>> {
        self.digest_reader_with_progress(reader, |_| {})
    }

    /// Several digests of everything `reader` yields, in one pass.
    pub fn digest_reader_many(
        algorithms: &[Self],
        mut reader: impl Read,
        mut progress: impl FnMut(u64),
    ) -> std::io::Result<Vec<(Self, Vec<u8>)>> {
        let mut s256 = algorithms.contains(&Self::Sha256).then(Sha256::new);
        let mut s384 = algorithms.contains(&Self::Sha384).then(Sha384::new);
        let mut s512 = algorithms.contains(&Self::Sha512).then(Sha512::new);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if let Some(h) = s256.as_mut() {
                h.update(&buf[..n]);
            }
            if let Some(h) = s384.as_mut() {
                h.update(&buf[..n]);
            }
            if let Some(h) = s512.as_mut() {
                h.update(&buf[..n]);
            }
            progress(n as u64);
        }
        let mut out = Vec::new();
        if let Some(h) = s256 {
            out.push((Self::Sha256, h.finalize().to_vec()));
        }
        if let Some(h) = s384 {
            out.push((Self::Sha384, h.finalize().to_vec()));
        }
        if let Some(h) = s512 {
            out.push((Self::Sha512, h.finalize().to_vec()));
        }
        Ok(out)
    }

    /// As [`Self::digest_reader`], calling `progress` with the bytes read after each chunk.
    pub fn digest_reader_with_progress(
        self,
        mut reader: impl Read,
        mut progress: impl FnMut(u64),
    ) -> std::io::Result<Vec<u8>> {
        fn run<H: sha2::Digest>(
            reader: &mut dyn Read,
            progress: &mut dyn FnMut(u64),
        ) -> std::io::Result<Vec<u8>> {
            let mut hasher = H::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                hasher.update(&buf[..n]);
                progress(n as u64);
            }
            Ok(hasher.finalize().to_vec())
        }
        match self {
            Self::Sha256 => run::<Sha256>(&mut reader, &mut progress),
            Self::Sha384 => run::<Sha384>(&mut reader, &mut progress),
            Self::Sha512 => run::<Sha512>(&mut reader, &mut progress),
        }
    }
}
