//! `vouch verify image`: the deploy-time check of an image in its registry.
//!
//! The reference is resolved to a digest once (the manifest fetched and hashed); signatures
//! and attestations are then read by that digest, verified with the trusted keys, and handed
//! to the same policy engine `vouch verify artifact` uses (`vouch-policy`).
//!
//! Reading order keeps the common case to a few round trips: OCI 1.1 referrers first (the API,
//! or the referrers tag schema whose index embeds small referrer manifests and bundles); only
//! when that evidence does not admit the image are cosign's legacy `.sig`/`.att` tags read as
//! well, and the policy evaluated again on everything. Verified legacy `.sig` signatures reach
//! the policy engine as statements of cosign's sign predicate
//! (`https://sigstore.dev/cosign/sign/v1`), over the digest the signed payload names: a
//! signature for another digest (a re-tagged image) fails the subject check.
//!
//! Keyless (Fulcio certificate) Sigstore bundles are checked offline against the trusted
//! root (`vouch-trust`) when a policy for the image trusts keyless identities; key-based
//! signatures are accepted without transparency-log entries (vouch signs images offline).
//!
//! Every registry failure (unreachable, timeout, 5xx, digest mismatch, oversized or malformed
//! manifest) is "could not verify" (exit 2), never an admission.

pub mod support;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use vouch_core::{Digest, ImageRef};
use vouch_oci::cosign;
use vouch_oci::{OciError, Registry};
use vouch_policy::{Evidence, PolicySet, Rejected, Signer, Verdict, VerifiedStatement};
use vouch_sign::keys::PublicKey;

use self::support::{RegistryArgs, COSIGN_SIGN_PREDICATE};
use crate::commands::Status;
use crate::context::Context;

/// What must carry the evidence when the reference names a multi-platform index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platforms {
    /// The index itself (what `cosign sign` on a tag signs).
    Index,
    /// Every platform manifest the index lists (what `cosign sign --recursive` adds).
    Each,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image to verify (`registry/repo:tag` or `…@sha256:<hex>`).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// A policy file (trusted signers, required attestations and their conditions).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "key",
        required_unless_present = "key"
    )]
    pub policy: Option<PathBuf>,
    /// A trusted public key: the image must carry a signature made with it.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// With `--key`: also require an attestation of this predicate type (URI or short name),
    /// signed with the key. Repeatable.
    #[arg(long, value_name = "TYPE", requires = "key")]
    pub require_predicate: Vec<String>,
    /// For a multi-platform index: whether the index or each platform must pass.
    #[arg(long, value_enum, default_value_t = Platforms::Index)]
    pub platforms: Platforms,
    /// The OSV database for policies that re-scan the attested SBOM at deploy time.
    #[command(flatten)]
    pub db: crate::commands::db::DbLocation,
    /// Trusted root for keyless (certificate) bundles [default: the embedded Sigstore
    /// public-good root]. Used when a policy for the image trusts keyless identities.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Trusted keys with their policy fingerprints.
struct Keys(Vec<(PublicKey, String)>);

/// What signatures are checked with: the policies' keys and, when they trust keyless
/// identities, a Sigstore trusted root.
struct Trust {
    keys: Keys,
    root: Option<vouch_trust::TrustedRoot>,
    /// Where the OSV database is, when a policy wants a deploy-time re-scan.
    rescan_db: Option<crate::commands::db::DbLocation>,
}

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

/// The deploy-time re-scan: every verified SBOM statement about `digest` scanned against
/// the local OSV database now (as `vouch verify artifact` does for files).
fn rescan(
    db: &crate::commands::db::DbLocation,
    statements: &[VerifiedStatement],
    digest: &Digest,
) -> anyhow::Result<Option<vouch_policy::RescanResult>> {
    let sboms: Vec<&VerifiedStatement> = statements
        .iter()
        .filter(|s| {
            vouch_attest::predicate::is_sbom(&s.statement.predicate_type)
                && s.statement.covers(digest)
        })
        .collect();
    if sboms.is_empty() {
        return Ok(None);
    }
    let dir = db.resolve()?;
    let database = vouch_osv::Database::open(&dir).map_err(|e| {
        crate::error::hinted(
            anyhow::anyhow!("the policy requires a deploy-time re-scan, but the OSV database cannot be opened: {e}"),
            "build it with `vouch db import …` or `vouch db update`, or pass --db DIR",
        )
    })?;
    let mut findings = Vec::new();
    let mut sources = Vec::new();
    for s in sboms {
        let bytes = serde_json::to_vec(&s.statement.predicate)?;
        let sbom = vouch_sbom::decode(&bytes)
            .with_context(|| format!("{}: the attested SBOM cannot be read", s.source))?;
        let report = vouch_osv::scan_packages(&database, &sbom.packages())
            .with_context(|| format!("{}: re-scan failed", s.source))?;
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

fn keys_for(set: &PolicySet, name: &str) -> anyhow::Result<Keys> {
    let mut out: Vec<(PublicKey, String)> = Vec::new();
    for p in set.matching(name) {
        for k in &p.signers.keys {
            let (Some(pem), Some(fp)) = (&k.pem, &k.fingerprint) else {
                continue;
            };
            if out.iter().any(|(_, f)| f == fp) {
                continue;
            }
            let key = PublicKey::from_pem(pem.as_bytes())
                .map_err(|e| anyhow::anyhow!("policy key `{}`: {e}", k.name))?;
            out.push((key, fp.clone()));
        }
    }
    Ok(Keys(out))
}

fn load_policy(args: &ImageArgs) -> anyhow::Result<PolicySet> {
    if let Some(path) = &args.policy {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("`{}`: cannot read policy file", path.display()))?;
        let mut set = PolicySet::parse(&path.display().to_string(), &text)?;
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        set.load_key_files(|rel| {
            std::fs::read_to_string(dir.join(rel)).map_err(|e| format!("cannot read: {e}"))
        })?;
        return Ok(set);
    }
    let key_path = args
        .key
        .as_ref()
        .expect("clap requires --key without --policy");
    let pem = std::fs::read_to_string(key_path)
        .with_context(|| format!("`{}`: cannot read key file", key_path.display()))?;
    let mut types = vec![COSIGN_SIGN_PREDICATE.to_owned()];
    types.extend(args.require_predicate.iter().cloned());
    Ok(PolicySet::simple(
        &key_path.display().to_string(),
        &pem,
        &types,
    )?)
}

fn reject(source: String, reason: impl Into<String>, claimed: Option<String>) -> Rejected {
    Rejected {
        source,
        reason: reason.into(),
        claimed_predicate_type: claimed,
    }
}

/// Statements from OCI 1.1 referrers carrying Sigstore bundles.
async fn referrer_evidence(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Digest,
    trust: &Trust,
    evidence: &mut Evidence,
) -> Result<(), OciError> {
    let keys = &trust.keys;
    let (referrers, _) = registry
        .referrer_artifacts(reference, subject, |t| {
            t.starts_with("application/vnd.dev.sigstore.bundle")
        })
        .await?;
    for r in referrers {
        let claimed = r
            .manifest
            .annotations
            .get(vouch_oci::referrers::BUNDLE_PREDICATE_TYPE_ANNOTATION)
            .cloned();
        for (i, (layer, bytes)) in r.layers.iter().enumerate() {
            if !layer
                .media_type
                .starts_with("application/vnd.dev.sigstore.bundle")
            {
                continue;
            }
            let source = format!("referrer {}#{i}", r.descriptor.digest);
            let bundle = match vouch_sign::bundle::Bundle::from_json(bytes) {
                Ok(b) => b,
                Err(e) => {
                    evidence
                        .rejected
                        .push(reject(source, e.to_string(), claimed.clone()));
                    continue;
                }
            };
            if !matches!(
                bundle.key_material(),
                Ok(vouch_sign::bundle::KeyMaterial::PublicKey(_))
            ) {
                keyless_evidence(&bundle, subject, trust, source, claimed.clone(), evidence);
                continue;
            }
            let mut signers = Vec::new();
            let mut payload = None;
            let mut last_err = String::from("no trusted key is configured");
            for (key, fp) in &keys.0 {
                match vouch_sign::verify::verify_bundle_with_key(
                    &bundle,
                    key,
                    None,
                    vouch_sign::verify::TlogPolicy::InsecureIgnore,
                ) {
                    Ok(v) => {
                        if let vouch_sign::verify::VerifiedContent::Dsse {
                            payload_type,
                            payload: p,
                        } = v.content
                        {
                            signers.push(Signer::Key {
                                fingerprint: fp.clone(),
                            });
                            payload = Some((payload_type, p));
                        } else {
                            last_err = "bundle holds a message signature, not a statement".into();
                        }
                    }
                    Err(e) => last_err = e.to_string(),
                }
            }
            push_statement(
                evidence,
                source,
                signers,
                payload,
                last_err,
                claimed.clone(),
            );
        }
    }
    Ok(())
}

/// A keyless (Fulcio certificate) bundle, checked offline against the trusted root: the
/// certificate chain, the transparency-log entry and the signature; the identity it proves
/// goes to the policy engine, which matches it against the policies' identities.
fn keyless_evidence(
    bundle: &vouch_sign::bundle::Bundle,
    subject: &Digest,
    trust: &Trust,
    source: String,
    claimed: Option<String>,
    evidence: &mut Evidence,
) {
    let Some(root) = &trust.root else {
        evidence.rejected.push(reject(
            source,
            "keyless (certificate) bundle, but no policy for this image trusts a keyless identity",
            claimed,
        ));
        return;
    };
    let Ok(sha256) = <[u8; 32]>::try_from(subject.bytes().as_slice()) else {
        evidence.rejected.push(reject(
            source,
            "keyless bundles are checked against sha256 digests",
            claimed,
        ));
        return;
    };
    let any = vouch_trust::Matcher::regex(".*").expect("valid regex");
    let policy = vouch_trust::VerificationPolicy::Identity {
        san: any.clone(),
        issuer: any,
    };
    let opts = vouch_trust::VerifyOptions {
        require_tlog: true,
        now: Some(now().unix_timestamp()),
    };
    match vouch_trust::verify_bundle(
        bundle,
        &vouch_trust::Artifact::Sha256(sha256),
        &policy,
        root,
        opts,
    ) {
        Ok(v) => {
            let vouch_trust::Signer::Certificate { identity, .. } = &v.signer else {
                evidence
                    .rejected
                    .push(reject(source, "no certificate identity", claimed));
                return;
            };
            let issuer = identity.issuer.clone().unwrap_or_default();
            let signers = identity
                .sans
                .iter()
                .map(|san| Signer::Identity {
                    issuer: issuer.clone(),
                    subject: san.clone(),
                })
                .collect();
            let signed_at = v
                .signing_time
                .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
            match v.payload {
                Some((payload_type, payload)) => {
                    match vouch_attest::Statement::from_payload(&payload_type, &payload) {
                        Ok(statement) => evidence.statements.push(VerifiedStatement {
                            source,
                            statement,
                            signers,
                            signed_at,
                        }),
                        Err(e) => evidence
                            .rejected
                            .push(reject(source, e.to_string(), claimed)),
                    }
                }
                None => evidence.rejected.push(reject(
                    source,
                    "a message signature, not a statement",
                    claimed,
                )),
            }
        }
        Err(e) => evidence
            .rejected
            .push(reject(source, format!("keyless bundle: {e}"), claimed)),
    }
}

fn push_statement(
    evidence: &mut Evidence,
    source: String,
    signers: Vec<Signer>,
    payload: Option<(String, Vec<u8>)>,
    last_err: String,
    claimed: Option<String>,
) {
    let Some((payload_type, payload)) = payload.filter(|_| !signers.is_empty()) else {
        evidence.rejected.push(reject(
            source,
            format!("no trusted key verifies it ({last_err})"),
            claimed,
        ));
        return;
    };
    match vouch_attest::Statement::from_payload(&payload_type, &payload) {
        Ok(statement) => evidence.statements.push(VerifiedStatement {
            source,
            statement,
            signers,
            signed_at: None,
        }),
        Err(e) => evidence
            .rejected
            .push(reject(source, e.to_string(), claimed)),
    }
}

/// Statements from cosign's `.sig` and `.att` tags.
async fn legacy_evidence(
    registry: &Registry,
    reference: &ImageRef,
    subject: &Digest,
    keys: &Keys,
    evidence: &mut Evidence,
) -> Result<(), OciError> {
    let sig_tag = cosign::signature_tag(subject);
    let (signatures, attestations) = registry.cosign_legacy(reference, subject).await?;
    for (i, s) in signatures.into_iter().enumerate() {
        let source = format!("{sig_tag}#{i}");
        let claimed = Some(COSIGN_SIGN_PREDICATE.to_owned());
        let Ok(sig) = vouch_sign::encoding::decode_base64(&s.signature) else {
            evidence.rejected.push(reject(
                source,
                "signature annotation is not base64",
                claimed,
            ));
            continue;
        };
        let payload = match cosign::parse_simple_signing(&s.payload) {
            Ok(p) => p,
            Err(e) => {
                evidence
                    .rejected
                    .push(reject(source, e.to_string(), claimed));
                continue;
            }
        };
        if payload.kind != cosign::SIMPLE_SIGNING_TYPE {
            evidence.rejected.push(reject(
                source,
                format!("payload type `{}` is not a cosign signature", payload.kind),
                claimed,
            ));
            continue;
        }
        let mut signers = Vec::new();
        let mut last_err = String::from("no trusted key is configured");
        for (key, fp) in &keys.0 {
            match key.verify(&s.payload, &sig) {
                Ok(()) => signers.push(Signer::Key {
                    fingerprint: fp.clone(),
                }),
                Err(e) => last_err = e.to_string(),
            }
        }
        if signers.is_empty() {
            let reason = if s.certificate.is_some() {
                "a keyless cosign signature (certificate annotation); vouch verifies keyless \
                 image signatures from their Sigstore bundle referrers (cosign v3), not from \
                 legacy `.sig` layers"
                    .to_owned()
            } else {
                format!("no trusted key verifies it ({last_err})")
            };
            evidence.rejected.push(reject(source, reason, claimed));
            continue;
        }
        // The statement names the digest the *signed payload* names: a signature moved to
        // another image fails the policy's subject check.
        let mut predicate = serde_json::Map::new();
        if let Some(opt) = payload.optional {
            predicate.insert("optional".to_owned(), opt);
        }
        let statement = vouch_attest::Statement::new(
            vec![vouch_attest::statement::Subject::new(
                payload.docker_reference,
                &payload.manifest_digest,
            )],
            COSIGN_SIGN_PREDICATE,
            serde_json::Value::Object(predicate),
        );
        evidence.statements.push(VerifiedStatement {
            source,
            statement,
            signers,
            signed_at: None,
        });
    }
    let att_tag = cosign::attestation_tag(subject);
    for (i, a) in attestations.into_iter().enumerate() {
        let source = format!("{att_tag}#{i}");
        let envelope = match vouch_sign::dsse::Envelope::from_json(&a.envelope) {
            Ok(e) => e,
            Err(e) => {
                evidence
                    .rejected
                    .push(reject(source, e.to_string(), a.predicate_type));
                continue;
            }
        };
        let mut signers = Vec::new();
        let mut last_err = String::from("no trusted key is configured");
        for (key, fp) in &keys.0 {
            match vouch_sign::verify::verify_envelope_with_key(&envelope, key) {
                Ok(_) => signers.push(Signer::Key {
                    fingerprint: fp.clone(),
                }),
                Err(e) => last_err = e.to_string(),
            }
        }
        let payload = Some((envelope.payload_type.clone(), envelope.payload.to_vec()));
        push_statement(
            evidence,
            source,
            signers,
            payload,
            last_err,
            a.predicate_type,
        );
    }
    Ok(())
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Verifies one digest: referrers first, then legacy tags when that does not admit.
async fn verify_digest(
    registry: &Registry,
    reference: &ImageRef,
    name: &str,
    subject: &Digest,
    set: &PolicySet,
    trust: &Trust,
) -> anyhow::Result<Verdict> {
    let could_not = |e| support::could_not("verify", reference, e);
    let mut evidence = Evidence {
        artifact: vouch_policy::Artifact {
            name: name.to_owned(),
            digest: subject.clone(),
        },
        statements: Vec::new(),
        rejected: Vec::new(),
        rescan: None,
    };
    referrer_evidence(registry, reference, subject, trust, &mut evidence)
        .await
        .map_err(could_not)?;
    if let Some(db) = &trust.rescan_db {
        evidence.rescan = rescan(db, &evidence.statements, subject)?;
    }
    let verdict = vouch_policy::evaluate(set, &evidence, now());
    if verdict.admitted() {
        return Ok(verdict);
    }
    legacy_evidence(registry, reference, subject, &trust.keys, &mut evidence)
        .await
        .map_err(could_not)?;
    if let Some(db) = &trust.rescan_db {
        evidence.rescan = rescan(db, &evidence.statements, subject)?;
    }
    Ok(vouch_policy::evaluate(set, &evidence, now()))
}

pub fn run(ctx: &Context, args: ImageArgs) -> anyhow::Result<Status> {
    let format = ctx.format(&["text", "json"], "text")?;
    let reference = support::parse_ref(&args.image)?;
    let set = load_policy(&args)?;
    let name = reference.name();
    let keys = keys_for(&set, &name)?;
    let wants_keyless = set
        .matching(&name)
        .iter()
        .any(|p| !p.signers.identities.is_empty());
    let root = if wants_keyless {
        Some(match &args.trusted_root {
            Some(path) => {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("`{}`: cannot read trusted root", path.display()))?;
                vouch_trust::TrustedRoot::from_json(&bytes)
                    .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?
            }
            None => vouch_trust::TrustedRoot::public_good(),
        })
    } else {
        None
    };
    let rescan_db = PolicySet::wants_rescan(&set.matching(&name)).then(|| args.db.clone());
    let trust = Trust {
        keys,
        root,
        rescan_db,
    };
    // Each request has `--registry-timeout`; the whole verification gets four times that,
    // so a registry that answers slowly to every request still ends in "could not verify".
    let registry = args.registry.registry_with_total(Some(Duration::from_secs(
        args.registry.registry_timeout.max(1) * 4,
    )))?;
    let verdicts = support::block_on(async {
        // A digest reference needs no manifest fetch unless the platforms of an index are
        // to be checked: the digest is what is verified.
        let (pinned, targets) =
            if let (Some(d), Platforms::Index) = (reference.digest(), args.platforms) {
                (reference.clone(), vec![d.clone()])
            } else {
                let resolved = registry
                    .resolve(&reference)
                    .await
                    .map_err(|e| support::could_not("verify", &reference, e))?;
                let platforms = support::platforms(&resolved);
                let targets = if args.platforms == Platforms::Each && !platforms.is_empty() {
                    platforms.iter().map(|d| d.digest.clone()).collect()
                } else {
                    vec![resolved.digest.clone()]
                };
                (resolved.reference, targets)
            };
        let mut verdicts = Vec::new();
        for t in &targets {
            verdicts.push(verify_digest(&registry, &pinned, &name, t, &set, &trust).await?);
        }
        anyhow::Ok((pinned, verdicts))
    })?;
    let (pinned, verdicts) = verdicts?;
    ctx.note(&format!(
        "{} registry round trips (plus {} for authentication)",
        registry.round_trips(),
        registry.auth_round_trips()
    ));
    let admitted = verdicts.iter().all(Verdict::admitted);
    let out = if format == "json" {
        let value = if verdicts.len() == 1 {
            serde_json::to_value(&verdicts[0])?
        } else {
            serde_json::to_value(&verdicts)?
        };
        let mut v = serde_json::to_vec_pretty(&value)?;
        v.push(b'\n');
        v
    } else {
        let mut s = String::new();
        for v in &verdicts {
            s.push_str(&v.render_text());
            if !s.ends_with('\n') {
                s.push('\n');
            }
        }
        if verdicts.len() > 1 {
            let _ = writeln!(
                s,
                "{}: {} platform manifests of {pinned}",
                if admitted { "admitted" } else { "DENIED" },
                verdicts.len()
            );
        }
        s.into_bytes()
    };
    crate::output::emit(ctx, &out)?;
    Ok(if admitted { Status::Ok } else { Status::Failed })
}
