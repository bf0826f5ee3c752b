//! The OSV record (schema 1.7): the fields vouch reads, tolerant of `null` where real
//! databases write it, strict about the types the schema fixes.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

/// A JSON value kept as text: vouch reads few `*_specific` fields, and keeping them raw
/// avoids building (and freeing) a value tree for every record a scan touches.
pub type Raw = Option<Box<RawValue>>;

/// Looks up a string field of a raw JSON object.
pub fn raw_str(raw: &Raw, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(raw.as_ref()?.get()).ok()?;
    v.get(key)?.as_str().map(str::to_owned)
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One OSV vulnerability record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// RFC 3339 time of the last change (required by the schema).
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Markdown; kept raw (it is long and read only as a fallback summary): see
    /// [`Record::details_text`].
    pub details: Raw,
    #[serde(default, deserialize_with = "null_as_default")]
    pub severity: Vec<Severity>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub affected: Vec<Affected>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Raw,
}

/// A `severity[]` entry: a scoring system and its vector or score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

/// A `references[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// An `affected[]` entry: one package and the versions of it the record covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<AffectedPackage>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub severity: Vec<Severity>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub ranges: Vec<Range>,
    /// Exact affected versions, kept raw (PyPI and Maven records list hundreds): read
    /// with [`Affected::versions`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Raw,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Raw,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Raw,
}

impl Affected {
    /// The exact affected versions (borrowed from the raw JSON where no escapes occur).
    pub fn versions(&self) -> Vec<std::borrow::Cow<'_, str>> {
        let Some(raw) = &self.versions else {
            return Vec::new();
        };
        let mut plain = Vec::new();
        if plain_strings(raw.get(), |s| plain.push(std::borrow::Cow::Borrowed(s))) {
            return plain;
        }
        if let Ok(v) = serde_json::from_str::<Vec<&str>>(raw.get()) {
            return v.into_iter().map(std::borrow::Cow::Borrowed).collect();
        }
        serde_json::from_str::<Option<Vec<String>>>(raw.get())
            .ok()
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .map(std::borrow::Cow::Owned)
            .collect()
    }
}

/// Calls `f` with each string of a JSON array of strings without escapes (`["1.0",
/// "1.1"]`), sliced out of the text without a JSON parser or an allocation; `false` (after
/// maybe calling `f` on some strings) for anything else (escapes, other element types),
/// which the caller then decodes properly. `versions[]` lists run to hundreds of entries and
/// are read once per package version scanned, so this is a hot path. `text` is valid JSON
/// (a [`RawValue`]); without a backslash every `"` delimits a string.
fn plain_strings<'a>(text: &'a str, mut f: impl FnMut(&'a str)) -> bool {
    let b = text.as_bytes();
    if b.contains(&b'\\') {
        return false;
    }
    let is_ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = 0;
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    if b.get(i) != Some(&b'[') {
        return false;
    }
    i += 1;
    // Expecting a string or `]` (first), then `,` or `]` after each string.
    let mut after_string = false;
    loop {
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        match b.get(i) {
            Some(b']') => {
                i += 1;
                break;
            }
            Some(b',') if after_string => {
                i += 1;
                after_string = false;
            }
            Some(b'"') if !after_string => {
                let start = i + 1;
                let Some(len) = b[start..].iter().position(|&c| c == b'"') else {
                    return false;
                };
                f(&text[start..start + len]);
                i = start + len + 1;
                after_string = true;
            }
            _ => return false,
        }
    }
    b[i..].iter().all(|&c| is_ws(c))
}

#[cfg(test)]
fn plain_string_array(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    plain_strings(text, |s| out.push(s)).then_some(out)
}

impl Affected {
    /// Whether any exact affected version satisfies `pred`: [`Affected::versions`] without
    /// building the list.
    pub fn any_version(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        let Some(raw) = &self.versions else {
            return false;
        };
        let mut hit = false;
        if plain_strings(raw.get(), |s| hit = hit || pred(s)) {
            return hit;
        }
        self.versions().iter().any(|v| pred(v))
    }
}

impl Affected {
    /// Whether `version` is one of the exact affected versions (string equality).
    pub fn has_version(&self, version: &str) -> bool {
        let Some(raw) = &self.versions else {
            return false;
        };
        let text = raw.get();
        // Without escapes an element equal to `version` appears quoted, verbatim: a
        // vectorised substring search rules most lists out without walking them.
        if !text.contains('\\') && !version.contains('"') {
            let mut quoted = String::with_capacity(version.len() + 2);
            quoted.push('"');
            quoted.push_str(version);
            quoted.push('"');
            if !text.contains(quoted.as_str()) {
                return false;
            }
        }
        self.any_version(|v| v == version)
    }
}

/// `affected[].package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPackage {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Raw,
}

/// One range event; the schema allows exactly one of the four fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// Why a record was rejected.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("`{name}` is not a valid OSV record: {source}")]
    Json {
        name: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{name}` is not a valid OSV record: {message}")]
    Schema { name: String, message: String },
}

impl Record {
    /// Parses and checks one record; `name` (a file or zip entry name) is used in errors.
    pub fn from_json(name: &str, bytes: &[u8]) -> Result<Self, RecordError> {
        let r: Self = serde_json::from_slice(bytes).map_err(|source| RecordError::Json {
            name: name.to_owned(),
            source,
        })?;
        r.check().map_err(|message| RecordError::Schema {
            name: name.to_owned(),
            message,
        })?;
        Ok(r)
    }

    /// The structural rules of the schema that serde cannot express.
    fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("`id` is empty".to_owned());
        }
        if self.modified.trim().is_empty() {
            return Err("`modified` is empty".to_owned());
        }
        for (i, a) in self.affected.iter().enumerate() {
            if let Some(raw) = &a.versions {
                if serde_json::from_str::<Option<Vec<String>>>(raw.get()).is_err() {
                    return Err(format!(
                        "`affected[{i}].versions` is not an array of strings"
                    ));
                }
            }
            if let Some(p) = &a.package {
                if p.ecosystem.is_empty() || p.name.is_empty() {
                    return Err(format!(
                        "`affected[{i}].package` has an empty ecosystem or name"
                    ));
                }
            }
            for (j, r) in a.ranges.iter().enumerate() {
                if r.events.is_empty() {
                    return Err(format!("`affected[{i}].ranges[{j}].events` is empty"));
                }
                for (k, e) in r.events.iter().enumerate() {
                    let n = usize::from(e.introduced.is_some())
                        + usize::from(e.fixed.is_some())
                        + usize::from(e.last_affected.is_some())
                        + usize::from(e.limit.is_some());
                    if n != 1 {
                        return Err(format!(
                            "`affected[{i}].ranges[{j}].events[{k}]` must have exactly one of introduced, fixed, last_affected, limit"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The `details` text, decoded.
    pub fn details_text(&self) -> Option<String> {
        serde_json::from_str(self.details.as_ref()?.get()).ok()
    }

    /// RustSec's `informational` kind (`unmaintained`, `unsound`, `notice`), if any.
    pub fn informational(&self) -> Option<String> {
        self.affected
            .iter()
            .find_map(|a| raw_str(&a.database_specific, "informational"))
    }

    /// GHSA's `database_specific.severity` label (`LOW` … `CRITICAL`), if any.
    pub fn severity_label(&self) -> Option<String> {
        raw_str(&self.database_specific, "severity").map(|s| s.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affected(versions: &str) -> Affected {
        serde_json::from_str(&format!(r#"{{"versions": {versions}}}"#)).unwrap()
    }

    #[test]
    fn versions_fast_path_agrees_with_the_json_parser() {
        for text in [
            "[]",
            " [ \n] ",
            r#"["1.0"]"#,
            r#" [ "1.0" , "2.0-rc.1",
               "v3" ] "#,
            r#"["a\"b", "1.0"]"#,
            r#"["\u0031.0", "\\"]"#,
            r#"["é", ""]"#,
        ] {
            let a = affected(text);
            let slow: Vec<String> = serde_json::from_str(text).unwrap();
            let fast: Vec<String> = a
                .versions()
                .into_iter()
                .map(std::borrow::Cow::into_owned)
                .collect();
            assert_eq!(fast, slow, "{text}");
        }
        assert_eq!(plain_string_array(r#"["a", "b"]"#), Some(vec!["a", "b"]));
        assert_eq!(plain_string_array(" [ \n] "), Some(vec![]));
        assert_eq!(plain_string_array(r#"["a\"b"]"#), None);
        assert_eq!(plain_string_array(r#"["a", 1]"#), None);
        assert_eq!(plain_string_array(r#"[["a"]]"#), None);
        assert_eq!(plain_string_array(r#""a""#), None);
        assert!(affected("1").versions().is_empty());
        assert!(!affected("1").any_version(|_| true));
        assert!(!affected(r#"["1.0", 2]"#).any_version(|v| v == "1.0"));
        assert!(affected(r#"["1.0", "2.0"]"#).any_version(|v| v == "2.0"));
        assert!(affected(r#"["1\u002e0"]"#).any_version(|v| v == "1.0"));
        assert!(!affected(r#"["1.0", "2.0"]"#).any_version(|v| v == "3.0"));
        for (list, v, hit) in [
            (r#"["1.0", "2.0"]"#, "2.0", true),
            (r#"["1.0", "2.0"]"#, "2", false),
            (r#"["1.0", "2.0"]"#, "1.0\\", false),
            (r#"["1\u002e0"]"#, "1.0", true),
            ("null", "1.0", false),
        ] {
            assert_eq!(affected(list).has_version(v), hit, "{list} {v}");
        }
        assert!(affected("null").versions().is_empty());
    }
}
