sign blob artifact.bin --key ci.key --bundle artifact.sig.json --tlog-upload=false
