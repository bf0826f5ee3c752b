sign dsse payload.json --payload-type application/json --key ci.key --bundle payload.bundle.json --tlog-upload=false
