attest artifact.bin --key ci.key --sbom --sbom-format spdx --project project
