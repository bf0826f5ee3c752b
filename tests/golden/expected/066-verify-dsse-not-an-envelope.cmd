verify dsse payload.bundle.json --key ci.pub
