#!/usr/bin/env bash
# Records the outputs of VOUCH_BIN (default: target/debug/vouch) on the shared fixtures and
# compares them byte for byte with tests/golden/expected (recorded with the binary built from
# main before the thin-CLI refactor). Exit 0 when identical; otherwise the differing files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/vouch}"
got="$(mktemp -d /tmp/vouch-golden-got.XXXXXX)"
trap 'rm -rf "$got"' EXIT
"$here/run.sh" "$bin" "$got/out" >/dev/null
if diff -r "$here/expected" "$got/out"; then
  echo "golden: $(ls "$here/expected" | grep -c '\.code$') cases byte-identical"
else
  echo "golden: outputs differ from tests/golden/expected" >&2
  exit 1
fi
