verify artifact other.bin --name artifact.bin --bundle two.intoto.jsonl --policy policy.yaml --db db --format json
