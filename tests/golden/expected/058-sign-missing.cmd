sign blob nowhere --key ci.key
