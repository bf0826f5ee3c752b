"""Checks that a PEM file is a standard SPKI public key (Python `cryptography`) and, given a
signature and a file, that the base64 DER ECDSA signature verifies over the file's SHA-256.

usage: python3 pubkey_check.py KEY.pub [SIG FILE]
"""

import base64
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def main() -> int:
    with open(sys.argv[1], "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    print(f"OK {type(key).__name__} {len(der)}")
    if len(sys.argv) == 4:
        with open(sys.argv[2], "rb") as f:
            sig = base64.b64decode(f.read())
        with open(sys.argv[3], "rb") as f:
            data = f.read()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(sig, data, ec.ECDSA(hashes.SHA256()))
        print("signature OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
