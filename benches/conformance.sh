#!/usr/bin/env bash
# Times the sigstore-conformance offline bundle-verify suite (70 cases, each run twice: artifact
# path and sha256: digest = 140 runs) with vouch, beside @sigstore/verify and the `sigstore`
# Python CLI on the same cases (see ../shared/vectors/sigstore/INDEPENDENT-VERIFIERS.md).
#
#   benches/conformance.sh            # all
#   SKIP_PYTHON=1 benches/conformance.sh
#
# Figures: vouch in one process (the library, as `vouch verify image|artifact` use it), vouch
# as one CLI process per run (how the conformance harness drives it), @sigstore/verify in one
# Node process, and the Python CLI one process per run (it cannot verify key-based bundles, so
# the 4 managed-key cases are left out there).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${VOUCH_SHARED:-$ROOT/../shared}
SUITE=$SHARED/vectors/sigstore/conformance/assets/bundle-verify
PROD=$SHARED/vectors/sigstore/trusted-roots/public-good-production.trusted_root.json
SIGNING_CONFIG=$SHARED/vectors/sigstore/trusted-roots/public-good-production.signing_config.v0.2.json
IDENTITY=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
ISSUER=https://token.actions.githubusercontent.com

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

echo "==> building (release)" >&2
cargo build --release --quiet -p vouch-cli --bin vouch
cargo build --release --quiet -p vouch-trust --example conformance_bench
VOUCH=$ROOT/target/release/vouch

echo "==> vouch, one process" >&2
"$ROOT/target/release/examples/conformance_bench"

echo "==> vouch CLI, one process per run" >&2
runs=0; matched=0; t0=$(now)
for dir in "$SUITE"/*/; do
  dir=${dir%/}; name=$(basename "$dir")
  artifact=$SUITE/a.txt; [ -f "$dir/artifact" ] && artifact=$dir/artifact
  root=$PROD; [ -f "$dir/trusted_root.json" ] && root=$dir/trusted_root.json
  if [ -f "$dir/key.pub" ]; then
    policy=(--key "$dir/key.pub")
  else
    id=$IDENTITY; [ -f "$dir/identity" ] && id=$(cat "$dir/identity")
    iss=$ISSUER; [ -f "$dir/issuer" ] && iss=$(cat "$dir/issuer")
    policy=(--certificate-identity "$id" --certificate-oidc-issuer "$iss")
  fi
  for input in "$artifact" "sha256:$(sha256sum "$artifact" | cut -c1-64)"; do
    runs=$((runs + 1))
    if "$VOUCH" verify-bundle --bundle "$dir/bundle.sigstore.json" "${policy[@]}" \
      --trusted-root "$root" "$input" >/dev/null 2>&1; then got=pass; else got=fail; fi
    case $name in *_fail) want=fail ;; *) want=pass ;; esac
    [ "$got" = "$want" ] && matched=$((matched + 1))
  done
done
echo "vouch CLI per invocation: runs=$runs matched=$matched seconds=$(elapsed "$t0" "$(now)")"

if [ -d tests/verifiers/node_modules/@sigstore/verify ]; then
  echo "==> @sigstore/verify, one Node process" >&2
  NODE_PATH=$ROOT/tests/verifiers/node_modules node benches/conformance-sigstore-js.js "$SUITE" "$PROD"
else
  echo "@sigstore/verify: skipped (tests/verifiers/node_modules not installed: cd tests/verifiers && npm ci)"
fi

if [ -z "${SKIP_PYTHON:-}" ]; then
  echo "==> sigstore (Python CLI), one process per run" >&2
  VENV=$ROOT/target/bench-venv
  [ -x "$VENV/bin/sigstore" ] || {
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$ROOT/benches/requirements/sigstore.txt"
  }
  TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
  ctc() { # trusted_root.json -> ClientTrustConfig
    python3 -c 'import json,sys; print(json.dumps({"mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json", "trustedRoot": json.load(open(sys.argv[1])), "signingConfig": json.load(open(sys.argv[2]))}))' "$1" "$SIGNING_CONFIG" >"$2"
  }
  ctc "$PROD" "$TMP/prod.json"
  runs=0; matched=0; t0=$(now)
  for dir in "$SUITE"/*/; do
    dir=${dir%/}; name=$(basename "$dir")
    [ -f "$dir/key.pub" ] && continue
    case $name in managed-key-*) continue ;; esac
    artifact=$SUITE/a.txt; [ -f "$dir/artifact" ] && artifact=$dir/artifact
    conf=$TMP/prod.json
    if [ -f "$dir/trusted_root.json" ]; then conf=$TMP/$name.json; ctc "$dir/trusted_root.json" "$conf" 2>/dev/null || true; fi
    id=$IDENTITY; [ -f "$dir/identity" ] && id=$(cat "$dir/identity")
    iss=$ISSUER; [ -f "$dir/issuer" ] && iss=$(cat "$dir/issuer")
    for input in "$artifact" "sha256:$(sha256sum "$artifact" | cut -c1-64)"; do
      runs=$((runs + 1))
      if "$VENV/bin/sigstore" --trust-config "$conf" verify identity --bundle "$dir/bundle.sigstore.json" \
        --cert-identity "$id" --cert-oidc-issuer "$iss" "$input" >/dev/null 2>&1; then got=pass; else got=fail; fi
      case $name in *_fail) want=fail ;; *) want=pass ;; esac
      [ "$got" = "$want" ] && matched=$((matched + 1))
    done
  done
  echo "sigstore-python CLI per invocation: runs=$runs matched=$matched seconds=$(elapsed "$t0" "$(now)")"
fi
