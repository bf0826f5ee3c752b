//! The `.intoto.jsonl` attestation bundle: one attestation per line.
//!
//! vouch writes one Sigstore bundle (v0.3, DSSE content) per line; on input a line may also be
//! a bare DSSE envelope (`payload`, `payloadType`, `signatures`), as in-toto and
//! slsa-verifier's VSA files use. Empty lines are skipped. A line that is not JSON, or is
//! neither shape, is an error naming the file and line number: a bundle is never
//! half-read. Lines are kept as JSON values here; `vouch-sign` turns them into typed bundles
//! and envelopes and verifies them.

use base64::Engine as _;
use serde_json::Value;

/// What a line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A Sigstore bundle (`mediaType` `application/vnd.dev.sigstore.bundle…`).
    SigstoreBundle,
    /// A bare DSSE envelope.
    Envelope,
}

/// One line of a bundle file.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleLine {
    /// 1-based line number.
    pub line: usize,
    pub kind: LineKind,
    /// The line's JSON.
    pub json: Value,
}

/// A parsed `.intoto.jsonl` file.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleFile {
    pub lines: Vec<BundleLine>,
}

/// Why a bundle file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    /// `reason` is serde's message with the column in the line (serde's own "line 1" would
    /// contradict the file's line number); it is not a `#[source]`, so the CLI prints it once.
    #[error("`{file}` line {line}: not valid JSON (truncated or corrupt?): {reason}")]
    Json {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("`{file}` line {line}: neither a Sigstore bundle nor a DSSE envelope")]
    Shape { file: String, line: usize },
    #[error("`{file}` holds no attestations")]
    Empty { file: String },
}

impl BundleLine {
    /// The DSSE envelope of this line: the bundle's `dsseEnvelope`, or the line itself.
    pub fn envelope(&self) -> Option<&Value> {
        match self.kind {
            LineKind::Envelope => Some(&self.json),
            LineKind::SigstoreBundle => self.json.get("dsseEnvelope"),
        }
    }

    /// The predicate type the (unverified!) payload claims, for messages only.
    pub fn claimed_predicate_type(&self) -> Option<String> {
        let env = self.envelope()?;
        let payload = env.get("payload")?.as_str()?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .ok()?;
        let v: Value = serde_json::from_slice(&bytes).ok()?;
        v.get("predicateType")?.as_str().map(str::to_owned)
    }
}

fn classify(v: &Value) -> Option<LineKind> {
    let obj = v.as_object()?;
    if obj
        .get("mediaType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
    {
        return Some(LineKind::SigstoreBundle);
    }
    if obj.get("payload").is_some_and(Value::is_string)
        && obj.get("payloadType").is_some_and(Value::is_string)
        && obj.get("signatures").is_some_and(Value::is_array)
    {
        return Some(LineKind::Envelope);
    }
    None
}

impl BundleFile {
    /// Parses `text`, naming `file` in errors. Besides JSON Lines, a file holding one
    /// pretty-printed bundle or envelope (a `.sigstore.json` as sigstore-js, the conformance
    /// suite or `jq` write it) is read as that one entry, at line 1.
    pub fn parse(file: &str, text: &str) -> Result<Self, JsonlError> {
        match Self::parse_lines(file, text) {
            Err(e @ JsonlError::Json { .. }) => Self::parse_document(text).ok_or(e),
            other => other,
        }
    }

    /// The whole text as one multi-line JSON document, if it is a bundle or an envelope.
    fn parse_document(text: &str) -> Option<Self> {
        // Only a document spread over several lines (a one-line one failed as a line).
        text.trim_start().lines().nth(1)?;
        let json: Value = serde_json::from_str(text).ok()?;
        let kind = classify(&json)?;
        Some(Self {
            lines: vec![BundleLine {
                line: 1,
                kind,
                json,
            }],
        })
    }

    fn parse_lines(file: &str, text: &str) -> Result<Self, JsonlError> {
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let json: Value = serde_json::from_str(raw).map_err(|e| {
                let message = e.to_string();
                let suffix = format!(" at line {} column {}", e.line(), e.column());
                JsonlError::Json {
                    file: file.to_owned(),
                    line,
                    reason: match message.strip_suffix(&suffix) {
                        Some(m) => format!("{m} at column {}", e.column()),
                        None => message,
                    },
                }
            })?;
            let kind = classify(&json).ok_or_else(|| JsonlError::Shape {
                file: file.to_owned(),
                line,
            })?;
            lines.push(BundleLine { line, kind, json });
        }
        if lines.is_empty() {
            return Err(JsonlError::Empty {
                file: file.to_owned(),
            });
        }
        Ok(Self { lines })
    }
}

/// The new content of a bundle file after appending `entries` (each one compact JSON
/// document) to `existing` (the current content, or empty). The caller replaces the file
/// atomically with the result, so a reader never sees half a line.
pub fn append(existing: &str, entries: &[Value]) -> String {
    let mut out = String::with_capacity(existing.len() + entries.len() * 4096);
    out.push_str(existing);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for e in entries {
        out.push_str(&serde_json::to_string(e).expect("JSON values serialize"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_truncated_line_by_number() {
        let good =
            r#"{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}"#;
        let text = format!("{good}\n\n{}", &good[..30]);
        let err = BundleFile::parse("b.intoto.jsonl", &text).unwrap_err();
        assert!(matches!(err, JsonlError::Json { line: 3, .. }), "{err}");
        assert!(err.to_string().starts_with("`b.intoto.jsonl` line 3:"));
        // Said once, with the column inside that line (not serde's "line 1").
        assert_eq!(
            err.to_string(),
            "`b.intoto.jsonl` line 3: not valid JSON (truncated or corrupt?): EOF while parsing a string at column 30"
        );
        assert!(std::error::Error::source(&err).is_none());
        let err = BundleFile::parse("b", "{\"a\":1}\n").unwrap_err();
        assert!(matches!(err, JsonlError::Shape { line: 1, .. }));
        assert!(matches!(
            BundleFile::parse("b", "\n"),
            Err(JsonlError::Empty { .. })
        ));
    }

    /// A pretty-printed `.sigstore.json` (the conformance suite's own bundles) was "line 1:
    /// not valid JSON"; it is one entry. Cut short, it is still reported by line.
    #[test]
    fn reads_one_pretty_printed_bundle() {
        let path = vouch_testkit::shared_path(
            "vectors/sigstore/conformance/assets/bundle-verify/dsse-invalid-sig_fail/bundle.sigstore.json",
        );
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.lines().count() > 10, "the fixture is pretty-printed");
        let f = BundleFile::parse("b.sigstore.json", &text).unwrap();
        assert_eq!(f.lines.len(), 1);
        assert_eq!(f.lines[0].line, 1);
        assert_eq!(f.lines[0].kind, LineKind::SigstoreBundle);
        assert!(f.lines[0].envelope().is_some());
        let err = BundleFile::parse("b.sigstore.json", &text[..text.len() / 2]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`b.sigstore.json` line 1: not valid JSON"),
            "{err}"
        );
        // A pretty-printed object that is neither a bundle nor an envelope stays an error.
        assert!(BundleFile::parse("b", "{\n  \"a\": 1\n}\n").is_err());
    }

    #[test]
    fn append_keeps_existing_lines() {
        let one = serde_json::json!({"a": 1});
        let s = append("", std::slice::from_ref(&one));
        let s = append(s.trim_end(), &[one.clone(), one]);
        assert_eq!(s, "{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n");
    }

    #[test]
    fn reads_real_github_and_generator_bundles() {
        for rel in [
            "policy-examples/provenance/github-attestation/MODULE.bazel.intoto.jsonl",
            "policy-examples/provenance/github-attestation/MODULE-wrong-signer.bazel.intoto.jsonl",
            "policy-examples/provenance/slsa-github-generator/binary-linux-amd64-push-v14.intoto.jsonl",
        ] {
            let path = vouch_testkit::shared_path(rel);
            let text = std::fs::read_to_string(&path).unwrap();
            let f = BundleFile::parse(rel, &text).unwrap();
            assert_eq!(f.lines[0].kind, LineKind::SigstoreBundle, "{rel}");
        }
        let vsa =
            vouch_testkit::shared_path("policy-examples/provenance/vsa/gke-gce-pre.bcid-vsa.jsonl");
        let f = BundleFile::parse("vsa", &std::fs::read_to_string(vsa).unwrap()).unwrap();
        assert_eq!(f.lines[0].kind, LineKind::Envelope);
        assert_eq!(
            f.lines[0].claimed_predicate_type().as_deref(),
            Some("https://slsa.dev/verification_summary/v1")
        );
    }
}

#[cfg(test)]
mod truncation {
    #[test]
    fn every_truncation_of_a_real_bundle_is_reported_by_line() {
        let path = vouch_testkit::shared_path(
            "policy-examples/provenance/github-attestation/MODULE.bazel.intoto.jsonl",
        );
        let text = std::fs::read_to_string(path).unwrap();
        let line = text.lines().next().unwrap();
        let two = format!("{line}\n{line}\n");
        for end in (line.len() + 2..two.len() - 1).step_by(7) {
            let err = super::BundleFile::parse("b", &two[..end]).unwrap_err();
            assert!(err.to_string().starts_with("`b` line 2:"), "{err}");
        }
    }
}
