attest artifact.bin other.bin --key ci.key --predicate pred.json --type https://example.com/p/v1
