key public-key --key shared/vectors/sigstore/cosign-keys/sigstore-rs-ecdsa-p256.key
