#!/usr/bin/env bash
# Wall time of `vouch sbom` beside its peers, in one run:
#   1. a real workspace (this repository), and the build-deps fixture workspace from
#      ../shared/sbom-fixtures: `cargo metadata` alone, `vouch sbom`, `cargo cyclonedx`
#      (when installed: `cargo install cargo-cyclonedx --locked`);
#   2. lockfile-only mode on nushell's Cargo.lock (1035 packages) from ../shared/lockfiles.
# Goals (issue 2): vouch's overhead beyond `cargo metadata` <= 10%; lockfile mode <= 20 ms.
# Figures are the median of RUNS runs (default 10), in milliseconds. Everything runs
# offline (`--offline`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${VOUCH_SHARED:-$ROOT/../shared}
RUNS=${RUNS:-10}

cargo build --release --locked -q -p vouch-cli
VOUCH=$ROOT/target/release/vouch

# median_ms CMD...: runs CMD $RUNS times (output discarded), prints the median in ms.
median_ms() {
  local times=() start end
  for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f\n", m/1000}'
}

have_cyclonedx=0
if cargo cyclonedx --version >/dev/null 2>&1; then have_cyclonedx=1; fi

bench_workspace() {
  local label=$1 dir=$2 packages
  packages=$(cargo metadata --format-version 1 --locked --offline --manifest-path "$dir/Cargo.toml" 2>/dev/null \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["resolve"]["nodes"]))')
  local md vouch_ms ratio
  md=$(median_ms cargo metadata --format-version 1 --locked --offline --manifest-path "$dir/Cargo.toml")
  vouch_ms=$(median_ms "$VOUCH" sbom "$dir" --offline)
  ratio=$(awk -v v="$vouch_ms" -v m="$md" 'BEGIN {printf "%.2f", v/m}')
  printf '%-28s %5s pkgs  cargo metadata %7s ms   vouch sbom %7s ms (%sx)' "$label" "$packages" "$md" "$vouch_ms" "$ratio"
  if command -v perf >/dev/null 2>&1; then
    # vouch's own CPU time, without its `cargo metadata` child: the overhead proper, which
    # wall times on a busy machine blur.
    local own cargo_cpu
    own=$(perf stat --no-inherit -x, -e task-clock "$VOUCH" sbom "$dir" --offline 2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.1f", $1}')
    cargo_cpu=$(perf stat -x, -e task-clock cargo metadata --format-version 1 --locked --offline --manifest-path "$dir/Cargo.toml" 2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.1f", $1}')
    printf ' [CPU: vouch itself %s ms vs cargo metadata %s ms]' "$own" "$cargo_cpu"
  fi
  if [ "$have_cyclonedx" = 1 ]; then
    local out cdx
    out=$(mktemp -d)
    # cargo-cyclonedx writes files next to each manifest; run it on a copy of the sources
    # (without target/ and .git/).
    mkdir "$out/ws"
    tar -C "$dir" --exclude=./target --exclude=./.git -cf - . | tar -C "$out/ws" -xf -
    cdx=$(median_ms cargo cyclonedx --manifest-path "$out/ws/Cargo.toml" --format json)
    printf '   cargo cyclonedx %7s ms (vouch/cyclonedx %sx)' "$cdx" "$(awk -v v="$vouch_ms" -v c="$cdx" 'BEGIN {printf "%.2f", v/c}')"
    rm -rf "$out"
  else
    printf '   cargo cyclonedx: not installed'
  fi
  printf '\n'
}

echo "vouch $("$VOUCH" --version | awk '{print $2}'), median of $RUNS runs, $(nproc) cores"
bench_workspace "this repository" "$ROOT"

fixture=$(mktemp -d)
trap 'rm -rf "$fixture"' EXIT
src=$SHARED/sbom-fixtures/rust/cargo-workspace-build-deps
cp "$src/Cargo.toml" "$src/Cargo.lock" "$fixture/"
for c in top_level_crate build_dep runtime_dep_of_build_dep runtime_dep_of_runtime_dep; do
  mkdir -p "$fixture/$c/src"
  cp "$src/$c/Cargo.toml" "$fixture/$c/"
  touch "$fixture/$c/src/lib.rs"
done
echo 'fn main() {}' > "$fixture/top_level_crate/src/main.rs"
bench_workspace "build-deps fixture workspace" "$fixture"

lock=$SHARED/lockfiles/crates.io/nushell/HEAD-2026-08/Cargo.lock
n=$(grep -c '^\[\[package\]\]' "$lock")
for fmt in cyclonedx-json spdx-json; do
  t=$(median_ms "$VOUCH" sbom "$lock" --format "$fmt")
  printf '%-28s %5s pkgs  lockfile-only %-15s %7s ms (goal <= 20 ms)\n' "nushell Cargo.lock" "$n" "$fmt" "$t"
done
