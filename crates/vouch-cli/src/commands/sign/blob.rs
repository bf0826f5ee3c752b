//! `vouch sign blob`: what `cosign sign-blob` writes, byte for byte: base64 of an ASN.1 DER
//! ECDSA signature over the file's SHA-256 (SHA-384 for P-384 keys), and optionally a Sigstore
//! bundle v0.3. With `--key`, the bundle names the key (`publicKey.hint`) and, by default, holds
//! a Rekor entry and timestamp (`--tlog-upload=false`: neither); without a key (`--keyless`),
//! a Fulcio certificate for the signer's OIDC identity, a Rekor entry and a timestamp. The file
//! is hashed as it streams: memory does not grow with its size.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use vouch_sign::bundle::Bundle;
use vouch_sign::keys::Signer as _;
use vouch_sign::DigestAlgorithm;

use crate::args::sign::BlobArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::input::{digest_file, read_input};
use crate::support::keys as key;

/// A reader that fails once `cancel` is set (the key could not be loaded: stop hashing).
struct Cancellable<'a, R> {
    inner: R,
    cancel: &'a AtomicBool,
}

impl<R: Read> Read for Cancellable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.read(buf)
    }
}

/// Decrypts the key (scrypt: ~0.1 s of one core) while the file's SHA-256 is computed on
/// another, since nearly every cosign key is P-256. Returns the key and, for a file (not
/// standard input) whose hashing was not cut short, its SHA-256.
fn load_key_while_hashing(
    ctx: &Context,
    args: &BlobArgs,
    key_path: &Path,
) -> anyhow::Result<(vouch_sign::PrivateKey, Option<Vec<u8>>)> {
    if args.file.as_os_str() == "-" || super::sigstore::env_key(key_path).is_some() {
        return Ok((super::sigstore::load_key(key_path)?, None));
    }
    let password = crate::support::password::for_reading(&key_path.display().to_string())?;
    let cancel = AtomicBool::new(false);
    let (loaded, digest) = std::thread::scope(|scope| {
        let loader = scope.spawn(|| {
            let key = key::load_private_with(key_path, password.as_bytes());
            if key.is_err() {
                cancel.store(true, Ordering::Relaxed);
            }
            key
        });
        let digest = (|| {
            let file = std::fs::File::open(&args.file)
                .map_err(|e| anyhow::anyhow!("`{}`: cannot open file: {e}", args.file.display()))?;
            let len = file.metadata().map_or(0, |m| m.len());
            let bar = crate::support::progress::bar(ctx, len, "hashing");
            let reader = Cancellable {
                inner: file,
                cancel: &cancel,
            };
            let digest = DigestAlgorithm::Sha256
                .digest_reader_with_progress(reader, |n| bar.inc(n))
                .map_err(|e| anyhow::anyhow!("`{}`: cannot read file: {e}", args.file.display()));
            bar.finish_and_clear();
            digest
        })();
        (loader.join().expect("key loading does not panic"), digest)
    });
    let key = loaded?;
    Ok((key, Some(digest?)))
}

pub fn run(ctx: &Context, args: BlobArgs) -> anyhow::Result<Status> {
    let Some(key_path) = args.key.clone() else {
        return run_keyless(ctx, &args);
    };
    let (key, sha256) = load_key_while_hashing(ctx, &args, &key_path)?;
    let (signature, algorithm, digest) = if let Some(alg) = key.public_key().digest_algorithm() {
        let digest = match sha256 {
            Some(d) if alg == DigestAlgorithm::Sha256 => d,
            _ => digest_file(ctx, &args.file, alg)?,
        };
        (key.sign_prehash(&digest)?, alg, digest)
    } else {
        // Ed25519 signs the message itself: the file has to be in memory.
        let data = read_input(&args.file)?;
        let digest = DigestAlgorithm::Sha256.digest(&data);
        (key.sign(&data)?, DigestAlgorithm::Sha256, digest)
    };
    let mut signature = signature;
    if let Some(bundle_path) = &args.bundle {
        let bundle = if args.sigstore.tlog_upload {
            // Logged (and timestamped): the session signs the digest again with the same
            // key, so the signature written below is the logged one.
            let sha256: [u8; 32] = match (algorithm, digest.as_slice().try_into()) {
                (DigestAlgorithm::Sha256, Ok(d))
                    if key.public_key().digest_algorithm().is_some() =>
                {
                    d
                }
                _ => anyhow::bail!(
                    "a {} key cannot sign a blob for the transparency log (Rekor logs SHA-256 \
                     signatures); pass --tlog-upload=false",
                    key.public_key().algorithm()
                ),
            };
            let session = args.sigstore.session(false)?;
            let signed =
                session.sign_with_key(&key, vouch_sigstore::Payload::Blob { sha256: &sha256 })?;
            super::sigstore::report(ctx, &session, &signed);
            signature = signed.bundle.signature().unwrap_or_default().to_vec();
            signed.bundle
        } else {
            ctx.warn(super::sigstore::NO_TLOG_WARNING);
            Bundle::for_message_signature(algorithm, &digest, &signature, key.public_key())
        };
        crate::support::output::write_atomic(bundle_path, &bundle.to_json())?;
        ctx.note(&format!("Wrote bundle to {}", bundle_path.display()));
    }
    write_signature(ctx, &args, &signature)?;
    Ok(Status::Ok)
}

/// Keyless: the file's SHA-256, signed with an ephemeral key certified by Fulcio.
fn run_keyless(ctx: &Context, args: &BlobArgs) -> anyhow::Result<Status> {
    let Some(bundle_path) = &args.bundle else {
        anyhow::bail!(
            "keyless signing needs --bundle FILE (the certificate and log entry live there), or pass --key"
        );
    };
    let session = args.sigstore.session(true)?;
    let token = args.sigstore.token(&session)?;
    let sha256: [u8; 32] = digest_file(ctx, &args.file, DigestAlgorithm::Sha256)?
        .try_into()
        .expect("SHA-256 is 32 bytes");
    let signed = session.sign_keyless(&token, vouch_sigstore::Payload::Blob { sha256: &sha256 })?;
    super::sigstore::report(ctx, &session, &signed);
    crate::support::output::write_atomic(bundle_path, &signed.bundle.to_json())?;
    ctx.note(&format!("Wrote bundle to {}", bundle_path.display()));
    write_signature(ctx, args, signed.bundle.signature().unwrap_or_default())?;
    Ok(Status::Ok)
}

fn write_signature(ctx: &Context, args: &BlobArgs, signature: &[u8]) -> anyhow::Result<()> {
    let b64 = vouch_sign::encoding::encode_base64(signature);
    match &args.output_signature {
        Some(path) => {
            crate::support::output::write_atomic(path, b64.as_bytes())?;
            ctx.note(&format!("Wrote signature to {}", path.display()));
        }
        None => crate::support::output::emit(ctx, format!("{b64}\n").as_bytes())?,
    }
    Ok(())
}
