sign blob artifact.bin --key shared/vectors/sigstore/cosign-keys/sigstore-rs-ed25519.key
