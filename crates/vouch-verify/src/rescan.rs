//! The deploy-time re-scan: verified SBOM statements about the digest scanned against the
//! local OSV database now, catching vulnerabilities published after the build.

use std::path::Path;

use vouch_core::Digest;
use vouch_osv::triage::{IgnoreFile, Triage, TriageError};
use vouch_policy::{Policy, VerifiedStatement};

use crate::error::CouldNotVerify;

fn level(l: vouch_osv::Level) -> Option<vouch_policy::Severity> {
    use vouch_policy::Severity;
    match l {
        vouch_osv::Level::Unknown => None,
        vouch_osv::Level::None | vouch_osv::Level::Low => Some(Severity::Low),
        vouch_osv::Level::Medium => Some(Severity::Medium),
        vouch_osv::Level::High => Some(Severity::High),
        vouch_osv::Level::Critical => Some(Severity::Critical),
    }
}

/// The verified SBOM statements about `digest`: what a re-scan reads.
pub fn sbom_statements<'a>(
    statements: &'a [VerifiedStatement],
    digest: &Digest,
) -> Vec<&'a VerifiedStatement> {
    statements
        .iter()
        .filter(|s| {
            vouch_attest::predicate::is_sbom(&s.statement.predicate_type)
                && s.statement.covers(digest)
        })
        .collect()
}

/// The triage the `rescan` of `policies` names (each policy's ignore file and VEX documents,
/// as loaded by `PolicySet::load_key_files`), parsed; one [`Triage`] per policy that has any.
/// An unusable file is an error naming the policy.
pub fn triage_for(policies: &[&Policy]) -> Result<Vec<Triage>, Box<(String, TriageError)>> {
    let mut out = Vec::new();
    for p in policies {
        let Some(r) = &p.rescan else { continue };
        let text = |f: &vouch_policy::TriageFile| f.text.clone().unwrap_or_default();
        let ignores = r
            .ignore_file
            .as_ref()
            .map(|f| {
                IgnoreFile::parse(&f.path, &text(f)).map_err(|e| Box::new((p.name.clone(), e)))
            })
            .transpose()?;
        let mut vex = Vec::new();
        for f in &r.vex {
            vex.extend(
                vouch_osv::triage::parse_vex(&f.path, text(f).as_bytes())
                    .map_err(|e| Box::new((p.name.clone(), e)))?,
            );
        }
        if ignores.is_some() || !vex.is_empty() {
            out.push(Triage { ignores, vex });
        }
    }
    Ok(out)
}

/// Every verified SBOM statement about `digest`, re-scanned against the OSV database in `dir`;
/// `None` when there is none (the policy then reports `rescan-missing`). Shared by
/// `vouch verify artifact`, `vouch verify image` and the admission webhook.
pub fn rescan(
    dir: &Path,
    statements: &[VerifiedStatement],
    digest: &Digest,
) -> Result<Option<vouch_policy::RescanResult>, CouldNotVerify> {
    rescan_triaged(dir, statements, digest, &[], "")
}

/// [`rescan`], with findings suppressed by `triage` (ignores valid on `today`, `YYYY-MM-DD`,
/// then VEX statements) left out, as `vouch scan` leaves them out of its verdict.
pub fn rescan_triaged(
    dir: &Path,
    statements: &[VerifiedStatement],
    digest: &Digest,
    triage: &[Triage],
    today: &str,
) -> Result<Option<vouch_policy::RescanResult>, CouldNotVerify> {
    let sboms = sbom_statements(statements, digest);
    if sboms.is_empty() {
        return Ok(None);
    }
    let database = vouch_osv::Database::open(dir)
        .map_err(|source| CouldNotVerify::RescanDatabase { source })?;
    let mut findings = Vec::new();
    let mut sources = Vec::new();
    for s in sboms {
        let bytes = serde_json::to_vec(&s.statement.predicate).unwrap_or_default();
        let sbom = vouch_sbom::decode(&bytes).map_err(|source| CouldNotVerify::AttestedSbom {
            source_name: s.source.clone(),
            source,
        })?;
        let mut report =
            vouch_osv::scan_packages(&database, &sbom.packages()).map_err(|source| {
                CouldNotVerify::Rescan {
                    source_name: s.source.clone(),
                    source,
                }
            })?;
        for t in triage {
            t.apply(&mut report, today);
        }
        for f in report.findings {
            if f.suppressed.is_some() || f.informational.is_some() {
                continue;
            }
            findings.push(vouch_policy::RescanFinding {
                id: f.id,
                package: f.package.name,
                version: f.package.version,
                severity: level(f.severity.level),
            });
        }
        sources.push(s.source.clone());
    }
    findings.sort_by(|a, b| (&a.id, &a.package, &a.version).cmp(&(&b.id, &b.package, &b.version)));
    findings.dedup();
    let meta = database.meta();
    Ok(Some(vouch_policy::RescanResult {
        source: sources.join(", "),
        database: format!(
            "the OSV database at `{}` (data as of {})",
            dir.display(),
            meta.snapshot.as_deref().unwrap_or(&meta.built)
        ),
        findings,
    }))
}
