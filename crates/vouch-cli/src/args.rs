//! The command-line grammar: clap-derive types only, no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;

/// Secure a software supply chain from build to deploy: SBOMs, vulnerability scans,
/// pinning checks, cosign-compatible signatures, attestations and deploy-time verification.
#[derive(Debug, Parser)]
#[command(name = "vouch", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Output format; each command lists the formats it supports.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write the result to FILE (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print nothing but the result and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Do not draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a CycloneDX or SPDX SBOM for a Cargo project or a lockfile.
    Sbom(commands::sbom::SbomArgs),
    /// Check dependencies against OSV vulnerability data.
    Scan(commands::scan::ScanArgs),
    /// Manage the offline OSV database.
    Db(commands::db::DbArgs),
    /// Check that workflows, images, install commands and lockfiles are pinned.
    Pins(commands::pins::PinsArgs),
    /// Generate, import and inspect cosign-compatible keys.
    Key(commands::key::KeyArgs),
    /// Sign blobs, DSSE payloads and images.
    Sign(commands::sign::SignArgs),
    /// Attest facts about artifacts as signed in-toto statements.
    Attest(commands::attest::AttestArgs),
    /// Verify signatures, bundles, artifacts and images.
    Verify(commands::verify::VerifyArgs),
    /// The whole pipeline in one CI step: SBOM, scan, pins and provenance, attested and signed.
    Release(commands::release::ReleaseArgs),
    /// Attach an attestation bundle to an image in its registry.
    Attach(commands::attach::AttachArgs),
    /// List the signatures, attestations and SBOMs attached to an image.
    Tree(commands::tree::TreeArgs),
    /// The Kubernetes admission webhook: verify every image a Pod would run.
    Webhook(commands::webhook::WebhookArgs),
    /// `vouch verify bundle`, spelled as the sigstore-conformance CLI protocol expects.
    #[command(name = "verify-bundle", hide = true)]
    VerifyBundle(commands::verify::bundle::BundleArgs),
}
