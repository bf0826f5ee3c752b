verify blob other.bin --key ci.pub --signature artifact.sig
