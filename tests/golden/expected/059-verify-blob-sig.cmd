verify blob artifact.bin --key ci.pub --signature artifact.sig
