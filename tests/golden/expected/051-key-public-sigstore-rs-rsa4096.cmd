key public-key --key shared/vectors/sigstore/cosign-keys/sigstore-rs-rsa4096.key
