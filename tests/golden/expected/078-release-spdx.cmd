release artifact.bin --key ci.key --project project --db db --builder-id https://ci.example/b --bundle spdx.intoto.jsonl --sbom-format spdx --no-pins
