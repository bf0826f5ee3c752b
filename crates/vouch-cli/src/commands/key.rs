//! `vouch key`: cosign-compatible key pairs.

pub mod files;
pub mod password;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use vouch_sign::keys::{PrivateKey, PublicKey, Signer as _};

use super::Status;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an ECDSA P-256 key pair in cosign's format (PREFIX.key, PREFIX.pub).
    ///
    /// The password comes from VOUCH_PASSWORD or COSIGN_PASSWORD, else a terminal prompt.
    Generate(GenerateArgs),
    /// Import an unencrypted PEM private key (PKCS#8, SEC1 or PKCS#1) into cosign's format.
    Import(ImportArgs),
    /// Print the public key (SPKI PEM) of a cosign key file.
    PublicKey(PublicKeyArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: String,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The unencrypted PEM private key.
    #[arg(value_name = "PEM")]
    pub key: PathBuf,
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "import-cosign")]
    pub output_key_prefix: String,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PublicKeyArgs {
    /// A cosign key file (or a public key, printed as SPKI PEM).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

pub fn run(ctx: &Context, args: KeyArgs) -> anyhow::Result<Status> {
    match args.command {
        KeyCommand::Generate(a) => {
            let (key_path, pub_path) = files::pair_paths(&a.output_key_prefix);
            files::check_overwrite(&[&key_path, &pub_path], a.force)?;
            let password = password::for_writing(&key_path.display().to_string())?;
            let key = PrivateKey::generate_p256();
            write_pair(ctx, &key, password.as_bytes(), &key_path, &pub_path)?;
            Ok(Status::Ok)
        }
        KeyCommand::Import(a) => {
            let (key_path, pub_path) = files::pair_paths(&a.output_key_prefix);
            files::check_overwrite(&[&key_path, &pub_path], a.force)?;
            let text =
                zeroize::Zeroizing::new(std::fs::read(&a.key).map_err(|e| {
                    anyhow::anyhow!("`{}`: cannot read file: {e}", a.key.display())
                })?);
            let key = PrivateKey::from_unencrypted_pem(&text)
                .map_err(|e| anyhow::anyhow!("`{}`: {e}", a.key.display()))?;
            let password = password::for_writing(&key_path.display().to_string())?;
            write_pair(ctx, &key, password.as_bytes(), &key_path, &pub_path)?;
            Ok(Status::Ok)
        }
        KeyCommand::PublicKey(a) => {
            let public = load_public_or_private(&a.key)?;
            crate::output::emit(ctx, public.to_pem().as_bytes())?;
            Ok(Status::Ok)
        }
    }
}

fn write_pair(
    ctx: &Context,
    key: &PrivateKey,
    password: &[u8],
    key_path: &Path,
    pub_path: &Path,
) -> anyhow::Result<()> {
    let pem = key.to_cosign_pem(password)?;
    crate::output::write_private(key_path, pem.as_bytes())?;
    crate::output::write_atomic(pub_path, key.public_key().to_pem().as_bytes())?;
    ctx.note(&format!("Private key written to {}", key_path.display()));
    ctx.note(&format!("Public key written to {}", pub_path.display()));
    Ok(())
}

/// Loads a cosign private key, asking for its password.
pub fn load_private(path: &Path) -> anyhow::Result<PrivateKey> {
    check_private_key_file(path)?;
    let password = password::for_reading(&path.display().to_string())?;
    load_private_with(path, password.as_bytes())
}

/// Looks at a private key file before a password is asked for it: a file that is no cosign
/// key at all (`--key Cargo.toml`) is said to be so, not "no password".
fn check_private_key_file(path: &Path) -> anyhow::Result<()> {
    use vouch_sign::keys::{COSIGN_PRIVATE_KEY_LABEL, SIGSTORE_PRIVATE_KEY_LABEL};
    let text = zeroize::Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?,
    );
    let hint = "give a cosign private key (`vouch key generate` writes one; `vouch key import` \
                converts a PEM key)";
    match vouch_sign::pem::parse(&text) {
        Ok(b) if b.label == SIGSTORE_PRIVATE_KEY_LABEL || b.label == COSIGN_PRIVATE_KEY_LABEL => {
            Ok(())
        }
        Ok(b) => Err(crate::error::hinted(
            anyhow::anyhow!(
                "`{}` is not a cosign private key file: it holds a PEM `{}`",
                path.display(),
                b.label
            ),
            hint,
        )),
        Err(vouch_sign::pem::PemError::NoBegin) => Err(crate::error::hinted(
            anyhow::anyhow!(
                "`{}` is not a key file: it holds no PEM block",
                path.display()
            ),
            hint,
        )),
        // A damaged key file (truncated, bad base64) is said to be so by the loader.
        Err(_) => Ok(()),
    }
}

/// Loads a cosign private key with a password already read.
pub fn load_private_with(path: &Path, password: &[u8]) -> anyhow::Result<PrivateKey> {
    PrivateKey::load(path, password).map_err(|e| {
        if e.is_wrong_password() {
            crate::error::hinted(
                anyhow::anyhow!("{e}"),
                "the password comes from VOUCH_PASSWORD or COSIGN_PASSWORD when set",
            )
        } else {
            anyhow::anyhow!("{e}")
        }
    })
}

/// Loads a public key file.
pub fn load_public(path: &Path) -> anyhow::Result<PublicKey> {
    PublicKey::load(path).map_err(|e| anyhow::anyhow!("{e}"))
}

fn load_public_or_private(path: &Path) -> anyhow::Result<PublicKey> {
    let text = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?;
    let is_public = vouch_sign::pem::parse(&text).is_ok_and(|b| b.label.ends_with("PUBLIC KEY"));
    if is_public {
        load_public(path)
    } else {
        Ok(load_private(path)?.public_key().clone())
    }
}
