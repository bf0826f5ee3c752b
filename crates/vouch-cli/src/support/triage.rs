//! The CLI's wording of an unusable ignore file or VEX document (`vouch scan`, `vouch release`).

use vouch_osv::triage::TriageError;

/// The CLI's wording for an unusable ignore file or VEX document: a hint where the fix is known.
pub fn triage_error(e: TriageError) -> anyhow::Error {
    match e {
        TriageError::NoReason { .. } | TriageError::NoExpires { .. } => crate::error::hinted(
            e,
            "every ignore needs `id`, `reason` and `expires = \"YYYY-MM-DD\"`",
        ),
        e => anyhow::Error::new(e),
    }
}
