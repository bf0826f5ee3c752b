//! The arguments of `vouch verify` (blob, bundle, dsse, artifact, image): clap-derive types only.

use crate::args::registry::RegistryArgs;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(subcommand)]
    pub command: VerifyCommand,
}

#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Verify a blob's signature or Sigstore bundle with a public key.
    Blob(BlobArgs),
    /// Verify a Sigstore bundle (key or keyless) offline against a trusted root.
    #[command(alias = "verify-bundle")]
    Bundle(BundleArgs),
    /// Verify a standalone DSSE envelope with a public key; prints the verified payload.
    Dsse(DsseArgs),
    /// Verify an artifact's attestations against a policy (deploy-time check).
    Artifact(ArtifactArgs),
    /// Verify an image's signatures and attestations in its registry against a policy.
    Image(ImageArgs),
    /// Audit a cluster's workloads (`kubectl get … -o json`) against the webhook's policy.
    Workloads(WorkloadsArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("evidence").required(true).args(["signature", "bundle"]))]
pub struct BlobArgs {
    /// The signed file (`-` for standard input), or `sha256:<hex>` for its digest.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The public key (SPKI PEM, as `vouch key generate` and cosign write it).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// A detached signature (base64, as cosign writes it, or raw bytes).
    #[arg(long, value_name = "SIG")]
    pub signature: Option<PathBuf>,
    /// A Sigstore bundle.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// INSECURE: accept a bundle without checking a transparency-log entry or timestamp.
    #[arg(long)]
    pub insecure_ignore_tlog: bool,
    /// The Sigstore trusted root for checking log entries and timestamps (default: the
    /// public-good production root built into vouch).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Output: text (default) or --format json (schemas/verify-bundle.schema.json).\nExit status: 0 verified, 1 does not verify (the failed check is named), 2 could not verify (malformed bundle, key or trusted root; missing artifact)."
)]
pub struct BundleArgs {
    /// The Sigstore bundle (`.sigstore.json`).
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
    /// Verify a key-based bundle with this PEM public key.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["certificate_identity", "certificate_identity_regexp"])]
    pub key: Option<PathBuf>,
    /// The signer identity the certificate must name (SAN: workflow URI or email), exactly.
    #[arg(long, value_name = "IDENTITY")]
    pub certificate_identity: Option<String>,
    /// The signer identity as a regular expression matched against the whole SAN.
    #[arg(long, value_name = "REGEX", conflicts_with = "certificate_identity")]
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer the certificate must name, exactly.
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,
    /// The OIDC issuer as a regular expression matched against the whole value.
    #[arg(long, value_name = "REGEX", conflicts_with = "certificate_oidc_issuer")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// A Sigstore `trusted_root.json` (default: the embedded public-good production root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// The artifact: a file, or `sha256:<hex>` when no such file exists.
    #[arg(value_name = "FILE_OR_DIGEST")]
    pub artifact: String,
}

#[derive(Debug, Args)]
pub struct DsseArgs {
    /// The envelope (JSON).
    #[arg(value_name = "ENVELOPE")]
    pub envelope: PathBuf,
    /// The public key (SPKI PEM).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Require this payload type.
    #[arg(long, value_name = "TYPE")]
    pub payload_type: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Output: text (default) or --format json, a Verdict (schemas/verdict.schema.json).\nExit status: 0 admitted, 1 denied (each failed check named, with a fix), 2 could not verify (bad policy, bundle or input)."
)]
pub struct ArtifactArgs {
    /// The file to admit.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Attestation bundle(s) (`.intoto.jsonl`: Sigstore bundles or DSSE envelopes, one per line;
    /// `-` reads standard input); repeatable.
    #[arg(long, value_name = "BUNDLE", required = true)]
    pub bundle: Vec<PathBuf>,
    /// Policy file (docs/policy.md).
    #[arg(
        long,
        value_name = "POLICY",
        conflicts_with_all = ["key", "require_predicate", "certificate_identity"]
    )]
    pub policy: Option<PathBuf>,
    /// Shorthand policy: attestations signed by this public key…
    #[arg(long, value_name = "KEY", conflicts_with = "certificate_identity")]
    pub key: Option<PathBuf>,
    /// …or keyless, by this certificate identity (SAN; a glob)…
    #[arg(long, value_name = "SAN", requires = "certificate_oidc_issuer")]
    pub certificate_identity: Option<String>,
    /// …issued by this OIDC issuer…
    #[arg(long, value_name = "URL", requires = "certificate_identity")]
    pub certificate_oidc_issuer: Option<String>,
    /// …including one of this predicate type (repeatable; URI or short name).
    #[arg(long = "require-predicate", value_name = "TYPE")]
    pub require_predicate: Vec<String>,
    /// The name policies match against [default: FILE as given].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Trusted root for keyless bundles [default: the embedded Sigstore public-good root].
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub db: crate::args::db::DbLocation,
}

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
    pub db: crate::args::db::DbLocation,
    /// Trusted root for keyless (certificate) bundles [default: the embedded Sigstore
    /// public-good root]. Used when a policy for the image trusts keyless identities.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct WorkloadsArgs {
    /// `kubectl get pods,deployments,statefulsets,daemonsets,jobs,cronjobs -A -o json` output
    /// (a `List` or one object); `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// The policy file, as the webhook uses it.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Trusted root for keyless (certificate) bundles [default: the embedded Sigstore
    /// public-good root].
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// The OSV database for policies that re-scan the attested SBOM.
    #[command(flatten)]
    pub db: crate::args::db::DbLocation,
    /// For a multi-platform index: whether the index or each platform must pass.
    #[arg(long, value_enum, default_value_t = Platforms::Index)]
    pub platforms: Platforms,
    /// Time allowed for the whole audit, in seconds; images not decided by then are
    /// reported as not verified.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub budget: u64,
    #[command(flatten)]
    pub registry: RegistryArgs,
}
