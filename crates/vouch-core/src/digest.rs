//! Content digests such as `sha256:<64 hex>`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A hash algorithm vouch knows the output length of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// The OCI / in-toto spelling (`sha256`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Length of the raw digest in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a digest string was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    #[error("digest `{0}` has no `algorithm:` prefix")]
    MissingAlgorithm(String),
    #[error("unknown digest algorithm `{0}`")]
    UnknownAlgorithm(String),
    #[error("{algorithm} digest must be {expected} lowercase hex characters, got `{value}`")]
    BadHex {
        algorithm: DigestAlgorithm,
        expected: usize,
        value: String,
    },
}

/// A digest: algorithm plus lowercase hex value of exactly the algorithm's length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    hex: String,
}

impl Digest {
    /// Builds a digest from raw bytes.
    ///
    /// # Panics
    /// When `bytes` is not the algorithm's length: that is a programming error.
    pub fn from_bytes(algorithm: DigestAlgorithm, bytes: &[u8]) -> Self {
        assert_eq!(bytes.len(), algorithm.byte_len(), "digest length");
        Self {
            algorithm,
            hex: hex::encode(bytes),
        }
    }

    /// Builds a digest from an algorithm and a hex value, validating both.
    pub fn from_hex(algorithm: DigestAlgorithm, value: &str) -> Result<Self, DigestError> {
        let ok = value.len() == algorithm.byte_len() * 2
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ok {
            return Err(DigestError::BadHex {
                algorithm,
                expected: algorithm.byte_len() * 2,
                value: value.to_owned(),
            });
        }
        Ok(Self {
            algorithm,
            hex: value.to_owned(),
        })
    }

    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// Lowercase hex of the digest value.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Raw digest bytes.
    pub fn bytes(&self) -> Vec<u8> {
        hex::decode(&self.hex).expect("validated hex")
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algo, value) = s
            .split_once(':')
            .ok_or_else(|| DigestError::MissingAlgorithm(s.to_owned()))?;
        let algorithm = DigestAlgorithm::from_name(algo)
            .ok_or_else(|| DigestError::UnknownAlgorithm(algo.to_owned()))?;
        Self::from_hex(algorithm, value)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_sha256() {
        let s = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
        let d: Digest = s.parse().unwrap();
        assert_eq!(d.algorithm(), DigestAlgorithm::Sha256);
        assert_eq!(d.to_string(), s);
        assert_eq!(d.bytes().len(), 32);
    }

    #[test]
    fn rejects_malformed() {
        assert!(matches!(
            "sha256:v2".parse::<Digest>(),
            Err(DigestError::BadHex { .. })
        ));
        assert!(matches!(
            "md5:abcd".parse::<Digest>(),
            Err(DigestError::UnknownAlgorithm(_))
        ));
        assert!(matches!(
            "abcd".parse::<Digest>(),
            Err(DigestError::MissingAlgorithm(_))
        ));
        // uppercase hex is not canonical
        let upper = format!("sha256:{}", "A".repeat(64));
        assert!(upper.parse::<Digest>().is_err());
    }
}
