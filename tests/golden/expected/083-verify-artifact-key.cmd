verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl --key ci.pub --require-predicate slsaprovenance --format json
