attest artifact.bin --key ci.key --predicate pred.json --type cyclonedx
