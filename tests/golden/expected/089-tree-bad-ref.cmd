tree NOT A REF
