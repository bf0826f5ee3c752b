sign blob artifact.bin --key ci.key --output-signature artifact.sig
