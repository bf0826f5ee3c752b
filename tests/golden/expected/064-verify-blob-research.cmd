verify blob artifact.bin --key shared/vectors/sigstore/research-generated/key.pub --bundle shared/vectors/sigstore/research-generated/key-msgsig-no-tlog.sigstore.json --insecure-ignore-tlog
