verify image NOT A REF --key ci.pub
