verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl
