"""Verifies a DSSE envelope with securesystemslib (the reference DSSE implementation).

usage: python3 dsse_verify.py ENVELOPE.json KEY.pub

Prints the verified payload's length and exits 0, or exits 1. securesystemslib counts only
signatures whose keyid equals the key's keyid, so each signature's keyid is set to ours first
(the keyid is an unauthenticated hint in DSSE).
"""

import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey


def main() -> int:
    envelope_path, key_path = sys.argv[1], sys.argv[2]
    with open(envelope_path, "rb") as f:
        data = json.load(f)
    if "dsseEnvelope" in data:  # a Sigstore bundle: check its envelope
        data = data["dsseEnvelope"]
    with open(key_path, "rb") as f:
        public_key = load_pem_public_key(f.read())
    keyid = "vouch-test-key"
    key = SSlibKey.from_crypto(public_key, keyid=keyid)
    for sig in data.get("signatures", []):
        sig["keyid"] = keyid
    envelope = Envelope.from_dict(data)
    try:
        payloads = envelope.verify([key], 1)
    except Exception as e:  # noqa: BLE001 - any failure is a verification failure
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    print(f"OK {len(envelope.pae())} {envelope.payload_type}")
    _ = payloads
    return 0


if __name__ == "__main__":
    sys.exit(main())
