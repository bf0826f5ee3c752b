attest --help
