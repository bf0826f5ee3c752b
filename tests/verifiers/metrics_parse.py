#!/usr/bin/env python3
"""Parses an OpenMetrics text exposition (stdin) with prometheus_client's own parser.

Prints one JSON object: {"families": {name: type}, "samples": [[name, labels, value], ...]}.
Exits 1 with the parser's error when the text is not valid OpenMetrics.
"""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError and friends
        print(f"not OpenMetrics text: {e}", file=sys.stderr)
        return 1
    out = {"families": {}, "samples": []}
    for f in families:
        out["families"][f.name] = f.type
        for s in f.samples:
            out["samples"].append([s.name, s.labels, s.value])
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
