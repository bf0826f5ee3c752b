verify artifact artifact.bin --bundle nowhere.jsonl --key ci.pub
