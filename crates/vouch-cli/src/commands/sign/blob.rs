//! `vouch sign blob`: what `cosign sign-blob --key` writes, byte for byte: base64 of an
//! ASN.1 DER ECDSA signature over the file's SHA-256 (SHA-384 for P-384 keys), and optionally
//! a Sigstore bundle v0.3 (`messageSignature`, `publicKey.hint`). The file is hashed as it
//! streams: memory does not grow with its size.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

use vouch_sign::bundle::Bundle;
use vouch_sign::keys::Signer as _;
use vouch_sign::DigestAlgorithm;

use crate::args::sign::BlobArgs;
use crate::context::Context;
use crate::status::Status;
use crate::support::input::{digest_file, read_input};

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
) -> anyhow::Result<(vouch_sign::PrivateKey, Option<Vec<u8>>)> {
    let password = crate::support::password::for_reading(&args.key.display().to_string())?;
    if args.file.as_os_str() == "-" {
        return Ok((
            crate::support::keys::load_private_with(&args.key, password.as_bytes())?,
            None,
        ));
    }
    let cancel = AtomicBool::new(false);
    let (loaded, digest) = std::thread::scope(|scope| {
        let loader = scope.spawn(|| {
            let key = crate::support::keys::load_private_with(&args.key, password.as_bytes());
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
    let (key, sha256) = load_key_while_hashing(ctx, &args)?;
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
    let b64 = vouch_sign::encoding::encode_base64(&signature);
    if let Some(bundle_path) = &args.bundle {
        let bundle =
            Bundle::for_message_signature(algorithm, &digest, &signature, key.public_key());
        crate::support::output::write_atomic(bundle_path, &bundle.to_json())?;
        ctx.note(&format!("Wrote bundle to {}", bundle_path.display()));
    }
    match &args.output_signature {
        Some(path) => {
            crate::support::output::write_atomic(path, b64.as_bytes())?;
            ctx.note(&format!("Wrote signature to {}", path.display()));
        }
        None => crate::support::output::emit(ctx, format!("{b64}\n").as_bytes())?,
    }
    Ok(Status::Ok)
}
