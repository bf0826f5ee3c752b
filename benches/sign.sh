#!/usr/bin/env bash
# Throughput of `vouch sign blob` and `vouch verify blob` on a 1 GiB file, beside
# `openssl dgst -sha256` (hardware SHA-256: the limit) and `sha256sum`, in one run.
# Goal (issue 5): vouch >= 0.9x openssl's throughput (signing is one SHA-256 pass plus one
# ECDSA operation; the scrypt key decryption, ~0.1 s, is included in vouch's figures, as it is
# in every real `vouch sign blob` run).
# Figures: median wall time of RUNS runs (default 5) with the file in the page cache.
# SIZE_MIB overrides the file size (default 1024).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
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
"$VOUCH" -q sign blob blob --key cosign.key --output-signature blob.sig --bundle blob.sigstore.json --tlog-upload=false

# Runs are interleaved (one run of every command per round, RUNS rounds) so that load from
# elsewhere on the machine hits every command alike; each figure is that command's median.
names=(
  "openssl dgst -sha256"
  "sha256sum"
  "vouch sign blob (signature)"
  "vouch sign blob (signature + bundle)"
  "vouch verify blob --signature"
  "vouch verify blob --bundle"
)
cmds=(
  "openssl dgst -sha256 blob"
  "sha256sum blob"
  "$VOUCH -q sign blob blob --key cosign.key --output-signature s.sig"
  "$VOUCH -q sign blob blob --key cosign.key --output-signature s.sig --bundle s.json --tlog-upload=false"
  "$VOUCH -q verify blob blob --key cosign.pub --signature blob.sig"
  "$VOUCH -q verify blob blob --key cosign.pub --bundle blob.sigstore.json --insecure-ignore-tlog"
)
for _ in $(seq "$RUNS"); do
  for i in "${!cmds[@]}"; do
    start=$(date +%s%N)
    ${cmds[$i]} >/dev/null 2>&1 || { echo "FAILED: ${cmds[$i]}" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 )) >> "times.$i"
  done
done
median_s() { sort -n "times.$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m/1000000}'; }

openssl_s=$(median_s 0)
echo "file: ${SIZE_MIB} MiB, median of ${RUNS} interleaved runs, $(nproc) CPUs, sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!cmds[@]}"; do
  awk -v n="${names[$i]}" -v s="$(median_s "$i")" -v mib="$SIZE_MIB" -v o="$openssl_s" \
    'BEGIN { printf "%-40s %7.3f s %6.2f GiB/s %6.2fx openssl\n", n, s, mib/1024/s, o/s }'
done
