//! A small, lenient PEM reader and a Go-compatible writer (64-character lines, `\n`).
//!
//! Lenient on purpose: key files in the wild have CRLF line endings, text before the
//! `BEGIN` line, and lines of other widths. Strict about what matters: matching labels, a
//! present `END` line, and valid base64.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use zeroize::Zeroizing;

/// Why PEM text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    #[error("not PEM: no `-----BEGIN …-----` line")]
    NoBegin,
    #[error("truncated PEM: no `-----END {0}-----` line")]
    NoEnd(String),
    #[error("PEM block `{0}` is not valid base64")]
    Base64(String),
    #[error("PEM block `{0}` is empty")]
    Empty(String),
}

/// One PEM block: its label and decoded body (zeroized on drop: bodies may be secret).
#[derive(Debug)]
pub struct Block {
    pub label: String,
    pub der: Zeroizing<Vec<u8>>,
}

/// Reads the first PEM block in `text`.
pub fn parse(text: &[u8]) -> Result<Block, PemError> {
    let text = String::from_utf8_lossy(text);
    let begin = text.find("-----BEGIN ").ok_or(PemError::NoBegin)?;
    let rest = &text[begin + "-----BEGIN ".len()..];
    let label_end = rest.find("-----").ok_or(PemError::NoBegin)?;
    let label = rest[..label_end].to_owned();
    if label.contains('\n') {
        return Err(PemError::NoBegin);
    }
    let body_and_rest = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body_and_rest
        .find(&end_marker)
        .ok_or_else(|| PemError::NoEnd(label.clone()))?;
    let body = &body_and_rest[..end];
    // RFC 7468 allows (legacy) headers before a blank line; cosign files have none.
    let body: Zeroizing<String> = Zeroizing::new(
        body.lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect(),
    );
    if body.is_empty() {
        return Err(PemError::Empty(label));
    }
    let der = STANDARD
        .decode(body.as_bytes())
        .map_err(|_| PemError::Base64(label.clone()))?;
    Ok(Block {
        label,
        der: Zeroizing::new(der),
    })
}

/// Encodes `der` as PEM the way Go's `encoding/pem` does.
pub fn encode(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    Zeroizing::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let pem = encode("PUBLIC KEY", &[1u8; 100]);
        let block = parse(pem.as_bytes()).unwrap();
        assert_eq!(block.label, "PUBLIC KEY");
        assert_eq!(block.der.as_slice(), &[1u8; 100]);
        let crlf = pem.replace('\n', "\r\n");
        assert_eq!(parse(crlf.as_bytes()).unwrap().der.as_slice(), &[1u8; 100]);
        assert_eq!(parse(b"hello").unwrap_err(), PemError::NoBegin);
        let truncated = &pem[..pem.len() - 30];
        assert!(matches!(
            parse(truncated.as_bytes()),
            Err(PemError::NoEnd(_))
        ));
    }
}
