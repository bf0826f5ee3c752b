verify bundle shared/vectors/sigstore/bundles/cosign-v3-blob.txt --bundle shared/vectors/sigstore/bundles/cosign-v3-blob.sigstore.json --certificate-identity x --certificate-oidc-issuer y
