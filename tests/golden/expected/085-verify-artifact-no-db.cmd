verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl --policy policy.yaml --db nowhere
