attest artifact.bin --key ci.key
