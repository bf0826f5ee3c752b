//! Signed checkpoints in the signed-note format (C2SP `tlog-checkpoint` / `signed-note`).
//!
//! ```text
//! <origin>\n<tree size>\n<base64 root hash>\n[other lines]\n
//! \n
//! — <name> <base64(key hint[4] ‖ signature)>\n   (one or more lines)
//! ```
//! A log signs the note text (everything before the blank line, with its final newline). A
//! checkpoint may carry several signature lines — the log's and witnesses' cosignatures, in
//! any order; lines whose name or key hint do not belong to the log are ignored, and at least
//! one line must be the log's and verify.

use base64::Engine as _;

use crate::keys::PublicKey;

/// A parsed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root_hash: Vec<u8>,
    /// The signed text (body lines with their newlines).
    pub note: String,
    pub signatures: Vec<NoteSignature>,
}

/// One `— name sig` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_hint: [u8; 4],
    pub signature: Vec<u8>,
}

/// Why a checkpoint is unusable or unverified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    #[error("no checkpoint signature from the log `{0}` verifies")]
    NoValidSignature(String),
}

impl Checkpoint {
    /// Parses a signed note.
    pub fn parse(envelope: &str) -> Result<Self, CheckpointError> {
        let split = envelope.find("\n\n").ok_or(CheckpointError::Malformed(
            "no blank line before the signatures",
        ))?;
        let note = &envelope[..=split];
        let sigs = &envelope[split + 2..];
        let mut lines = note.lines();
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(CheckpointError::Malformed("missing origin line"))?;
        let size_line = lines
            .next()
            .ok_or(CheckpointError::Malformed("missing tree size line"))?;
        if size_line.is_empty() || !size_line.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CheckpointError::Malformed(
                "tree size is not a decimal number",
            ));
        }
        let size = size_line
            .parse::<u64>()
            .map_err(|_| CheckpointError::Malformed("tree size is not a decimal number"))?;
        let root_line = lines
            .next()
            .ok_or(CheckpointError::Malformed("missing root hash line"))?;
        let root_hash = base64::engine::general_purpose::STANDARD
            .decode(root_line)
            .map_err(|_| CheckpointError::Malformed("root hash is not base64"))?;
        if root_hash.len() != 32 {
            return Err(CheckpointError::Malformed("root hash is not 32 bytes"));
        }
        let mut signatures = Vec::new();
        for line in sigs.lines() {
            if line.is_empty() {
                continue;
            }
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or(CheckpointError::Malformed(
                    "signature line does not start with `— `",
                ))?;
            let (name, b64) = rest.rsplit_once(' ').ok_or(CheckpointError::Malformed(
                "signature line has no signature",
            ))?;
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| CheckpointError::Malformed("signature is not base64"))?;
            if raw.len() < 5 || name.is_empty() {
                return Err(CheckpointError::Malformed("signature line is too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_owned(),
                key_hint: [raw[0], raw[1], raw[2], raw[3]],
                signature: raw[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(CheckpointError::Malformed("no signature lines"));
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root_hash,
            note: note.to_owned(),
            signatures,
        })
    }

    /// The log's name as signature lines spell it: the origin up to its first space
    /// (Rekor v1 origins read `rekor.sigstore.dev - <tree id>`).
    pub fn log_name(&self) -> &str {
        self.origin.split(' ').next().unwrap_or(&self.origin)
    }

    /// Checks that a signature line from the log (same name, key hint = first four bytes of
    /// `log_id`) verifies with `key`.
    pub fn verify(&self, key: &PublicKey, log_id: &[u8]) -> Result<(), CheckpointError> {
        let name = self.log_name();
        let ok = self.signatures.iter().any(|s| {
            s.name == name
                && log_id.get(..4) == Some(&s.key_hint[..])
                && key.verify(key.default_hash(), self.note.as_bytes(), &s.signature)
        });
        if ok {
            Ok(())
        } else {
            Err(CheckpointError::NoValidSignature(name.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rekor_v1_note_with_extension_line() {
        let env = "rekor.sigstore.dev - 2605736670972794746\n23083062\ndauhleYK4YyAdxwwDtR0l0KnSOWZdG2bwqHftlanvcI=\nTimestamp: 1689177396617352539\n\n\u{2014} rekor.sigstore.dev xNI9ajBFAiBxaGyEtxkzFLkaCSEJqFuSS3dJjEZCNiyByVs1CNVQ8gIhAOoNnXtmMtTctV2oRnSRUZAo4EWUYPK/vBsqOzAU6TMs\n";
        let c = Checkpoint::parse(env).unwrap();
        assert_eq!(c.size, 23_083_062);
        assert_eq!(c.log_name(), "rekor.sigstore.dev");
        assert!(c.note.ends_with("Timestamp: 1689177396617352539\n"));
        assert_eq!(c.signatures.len(), 1);
        assert_eq!(c.signatures[0].key_hint, [0xc4, 0xd2, 0x3d, 0x6a]);
    }

    #[test]
    fn rejects_missing_parts() {
        for env in [
            "736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\u{2014} a AAAAAAAA\n",
            "origin\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\u{2014} a AAAAAAAA\n",
            "origin\n736\n\n\u{2014} a AAAAAAAA\n",
            "origin\n736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n",
        ] {
            assert!(Checkpoint::parse(env).is_err(), "{env:?}");
        }
    }
}
