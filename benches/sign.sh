#!/usr/bin/env bash
# Throughput of `vouch sign blob` and `vouch verify blob` on a 1 GiB file, beside
# `openssl dgst -sha256` (hardware SHA-256: the limit) and `sha256sum`, in one run.
# Goal (issue 5): vouch >= 0.9x openssl's throughput (signing is one SHA-256 pass plus one
# ECDSA operation; the scrypt key decryption, ~0.1 s, is included in vouch's figures, as it is
# in every real `vouch sign blob` run).
# Figures: median wall time of RUNS runs (default 3) with the file in the page cache.
# SIZE_MIB overrides the file size (default 1024).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-1024}

cargo build --release --locked -q -p vouch-cli
VOUCH=${CARGO_TARGET_DIR:-$ROOT/target}/release/vouch

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > blob
cat blob > /dev/null   # warm the page cache
export VOUCH_PASSWORD=bench
"$VOUCH" -q key generate >/dev/null 2>&1
"$VOUCH" -q sign blob blob --key cosign.key --output-signature blob.sig --bundle blob.sigstore.json

# median_s CMD...: runs CMD $RUNS times (output discarded), prints the median in seconds.
median_s() {
  local times=() start end
  for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m/1000000}'
}

openssl_s=$(median_s openssl dgst -sha256 blob)
row() { # name seconds
  awk -v n="$1" -v s="$2" -v mib="$SIZE_MIB" -v o="$openssl_s" \
    'BEGIN { printf "%-44s %8.3f s %8.2f GiB/s %6.2fx openssl\n", n, s, mib/1024/s, o/s }'
}
echo "file: ${SIZE_MIB} MiB, median of ${RUNS} runs, $(nproc) CPUs, sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
row "openssl dgst -sha256" "$openssl_s"
row "sha256sum" "$(median_s sha256sum blob)"
row "vouch sign blob (signature)" "$(median_s "$VOUCH" -q sign blob blob --key cosign.key --output-signature s.sig)"
row "vouch sign blob (signature + bundle)" "$(median_s "$VOUCH" -q sign blob blob --key cosign.key --output-signature s.sig --bundle s.json)"
row "vouch verify blob --signature" "$(median_s "$VOUCH" -q verify blob blob --key cosign.pub --signature blob.sig)"
row "vouch verify blob --bundle" "$(median_s "$VOUCH" -q verify blob blob --key cosign.pub --bundle blob.sigstore.json --insecure-ignore-tlog)"
