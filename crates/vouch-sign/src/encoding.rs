//! protojson conventions shared by the bundle and DSSE types.
//!
//! Sigstore bundles are the JSON form of protocol buffers: `bytes` fields are base64 (readers
//! accept the standard and the URL-safe alphabet, padded or not; writers emit standard,
//! padded), and `int64` fields may be a JSON string or a JSON number (writers emit strings).

use std::fmt;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Decodes base64 in any of the spellings protojson readers accept. Like Go's decoder (which
/// protojson uses), line breaks inside the text are ignored.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let unwrapped: String;
    let mut text = text.trim();
    if text.contains(['\r', '\n']) {
        unwrapped = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        text = &unwrapped;
    }
    let padded = text.ends_with('=');
    let url = text.contains(['-', '_']);
    match (url, padded) {
        (false, true) => STANDARD.decode(text),
        (false, false) => STANDARD_NO_PAD.decode(text),
        (true, true) => URL_SAFE.decode(text),
        (true, false) => URL_SAFE_NO_PAD.decode(text),
    }
}

/// Encodes bytes as standard, padded base64 (what protojson writers emit).
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A protobuf `bytes` field: decoded bytes, base64 on the wire.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Base64Bytes(pub Vec<u8>);

impl Base64Bytes {
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Base64Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Bytes({})", encode_base64(&self.0))
    }
}

impl From<Vec<u8>> for Base64Bytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl AsRef<[u8]> for Base64Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl std::ops::Deref for Base64Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode_base64(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        decode_base64(&text)
            .map(Base64Bytes)
            .map_err(|e| de::Error::custom(format!("invalid base64: {e}")))
    }
}

/// `int64`/`uint64` fields: a JSON string or number on read, a string on write.
pub mod int64 {
    use super::{de, fmt, Deserializer, Serializer, Visitor};

    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(Int64Visitor)
    }

    pub(crate) struct Int64Visitor;

    impl Visitor<'_> for Int64Visitor {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer as a JSON number or string")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("integer out of range"))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
                Ok(v as i64)
            } else {
                Err(E::custom("not an integer"))
            }
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            v.parse()
                .map_err(|_| E::custom(format!("`{v}` is not an integer")))
        }
    }

    /// The same for `Option<i64>` fields (absent = `None`).
    pub mod option {
        use super::{Deserializer, Int64Visitor, Serializer};
        use serde::Deserialize as _;

        #[allow(clippy::ref_option)]
        pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_str(&v.to_string()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
            #[derive(serde::Deserialize)]
            struct Wrap(#[serde(deserialize_with = "super::deserialize")] i64);
            let v = Option::<Wrap>::deserialize(d)?;
            let _ = Int64Visitor;
            Ok(v.map(|w| w.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_spellings() {
        for s in ["+/+/", "-_-_", "+/8=", "+/8", "-_8="] {
            assert!(decode_base64(s).is_ok(), "{s}");
        }
        assert_eq!(
            decode_base64("-_8").unwrap(),
            decode_base64("+/8=").unwrap()
        );
        assert!(decode_base64("!!").is_err());
    }

    #[test]
    fn wrapped_base64_is_read_like_go_does() {
        assert_eq!(
            decode_base64("aGVs\nbG8g\r\nd29y\nbGQ=").unwrap(),
            b"hello world"
        );
        assert!(decode_base64("aGVs bG8=").is_err());
    }
}
