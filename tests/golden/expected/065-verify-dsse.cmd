verify dsse payload.dsse.json --key ci.pub
