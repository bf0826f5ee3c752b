//! `vouch key`: cosign-compatible key pairs.

pub mod files;

use std::path::Path;

use vouch_sign::keys::{PrivateKey, PublicKey, Signer as _};

use crate::args::key::{KeyArgs, KeyCommand};
use crate::context::Context;
use crate::status::Status;

pub fn run(ctx: &Context, args: KeyArgs) -> anyhow::Result<Status> {
    match args.command {
        KeyCommand::Generate(a) => {
            let (key_path, pub_path) = files::pair_paths(&a.output_key_prefix);
            files::check_overwrite(&[&key_path, &pub_path], a.force)?;
            let password = crate::support::password::for_writing(&key_path.display().to_string())?;
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
            let password = crate::support::password::for_writing(&key_path.display().to_string())?;
            write_pair(ctx, &key, password.as_bytes(), &key_path, &pub_path)?;
            Ok(Status::Ok)
        }
        KeyCommand::PublicKey(a) => {
            let public = load_public_or_private(&a.key)?;
            crate::support::output::emit(ctx, public.to_pem().as_bytes())?;
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
    crate::support::output::write_private(key_path, pem.as_bytes())?;
    crate::support::output::write_atomic(pub_path, key.public_key().to_pem().as_bytes())?;
    ctx.note(&format!("Private key written to {}", key_path.display()));
    ctx.note(&format!("Public key written to {}", pub_path.display()));
    Ok(())
}

fn load_public_or_private(path: &Path) -> anyhow::Result<PublicKey> {
    let text = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", path.display()))?;
    let is_public = vouch_sign::pem::parse(&text).is_ok_and(|b| b.label.ends_with("PUBLIC KEY"));
    if is_public {
        crate::support::keys::load_public(path)
    } else {
        Ok(crate::support::keys::load_private(path)?
            .public_key()
            .clone())
    }
}
