//! The command-line grammar: clap-derive types only, no behaviour, one module per command.
//!
//! Nothing here imports a command: commands import their arguments from here (checked by
//! `crates/vouch-testkit/tests/module_graph.rs`).

pub mod attach;
pub mod attest;
pub mod db;
pub mod key;
pub mod pins;
pub mod registry;
pub mod release;
pub mod sbom;
pub mod scan;
pub mod sign;
pub mod tree;
pub mod verify;
pub mod webhook;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    Sbom(sbom::SbomArgs),
    /// Check dependencies against OSV vulnerability data.
    Scan(scan::ScanArgs),
    /// Manage the offline OSV database.
    Db(db::DbArgs),
    /// Check that workflows, images, install commands and lockfiles are pinned.
    Pins(pins::PinsArgs),
    /// Generate, import and inspect cosign-compatible keys.
    Key(key::KeyArgs),
    /// Sign blobs, DSSE payloads and images.
    Sign(sign::SignArgs),
    /// Attest facts about artifacts as signed in-toto statements.
    Attest(attest::AttestArgs),
    /// Verify signatures, bundles, artifacts and images.
    Verify(verify::VerifyArgs),
    /// The whole pipeline in one CI step: SBOM, scan, pins and provenance, attested and signed.
    Release(release::ReleaseArgs),
    /// Attach an attestation bundle to an image in its registry.
    Attach(attach::AttachArgs),
    /// List the signatures, attestations and SBOMs attached to an image.
    Tree(tree::TreeArgs),
    /// The Kubernetes admission webhook: verify every image a Pod would run.
    Webhook(webhook::WebhookArgs),
    /// `vouch verify bundle`, spelled as the sigstore-conformance CLI protocol expects.
    #[command(name = "verify-bundle", hide = true)]
    VerifyBundle(verify::BundleArgs),
}
