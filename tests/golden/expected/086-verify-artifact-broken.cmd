verify artifact artifact.bin --bundle broken.jsonl --key ci.pub
