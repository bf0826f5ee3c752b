attest image --help
