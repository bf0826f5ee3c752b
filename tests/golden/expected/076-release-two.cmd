release artifact.bin other.bin --key ci.key --project project --db db --builder-id https://ci.example/b --bundle two.intoto.jsonl --no-pins --continue-on-findings --fail-on high
