key public-key --key ci.key
