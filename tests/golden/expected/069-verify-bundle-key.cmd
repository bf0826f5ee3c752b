verify bundle artifact.bin --bundle artifact.sig.json --key ci.pub
