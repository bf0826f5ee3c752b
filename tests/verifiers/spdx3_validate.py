#!/usr/bin/env python3
"""Checks SPDX 3.0.1 JSON-LD documents offline with spdx-python-model (the SPDX project's
generated bindings): every element deserialises with each property type-checked, every
reference to another element resolves, and the set serialises again (which checks required
properties and cardinalities). Prints `ok: N elements` per file; exit 1 on the first error."""

import io
import json
import sys

import spdx_python_model


def check(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    model, objset = spdx_python_model.load_data(data)
    missing = objset.link()
    if missing:
        raise ValueError(f"unresolved references: {sorted(missing)}")
    model.JSONLDSerializer().write(objset, io.BytesIO())
    return len(objset.objects)


def main() -> int:
    for path in sys.argv[1:]:
        try:
            n = check(path)
        except Exception as e:  # noqa: BLE001 - any failure is a verdict
            print(f"{path}: invalid: {type(e).__name__}: {e}")
            return 1
        print(f"{path}: ok: {n} elements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
