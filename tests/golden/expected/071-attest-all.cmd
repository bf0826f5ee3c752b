attest artifact.bin --key ci.key --sbom --scan --pins --provenance --project project --db db --builder-id https://ci.example/b --bundle att.intoto.jsonl
