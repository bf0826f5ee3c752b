sign dsse payload.json --payload-type application/json --key ci.key -o payload.dsse.json
