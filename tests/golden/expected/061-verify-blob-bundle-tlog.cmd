verify blob artifact.bin --key ci.pub --bundle artifact.sig.json
