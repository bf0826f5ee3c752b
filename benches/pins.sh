#!/usr/bin/env bash
# vouch pins vs zizmor --offline over many workflows: wall time and unpinned-uses findings.
#
# The corpus is the workflow fixtures of ../shared/pinning-fixtures replicated COPIES times
# (default 100) under target/bench-pins/corpus/.github/workflows/. zizmor runs with its
# unpinned-uses policy set to hash-pin everything ("*": hash-pin), the policy vouch enforces.
# Usage: benches/pins.sh [COPIES]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VOUCH_SHARED:-$ROOT/../shared}
COPIES=${1:-100}
ZIZMOR_VERSION=1.32.0
WORK=$ROOT/target/bench-pins
VENV=$ROOT/target/bench-pins-venv

echo "==> building vouch (release)" >&2
cargo build --release --quiet -p vouch-cli --manifest-path "$ROOT/Cargo.toml"
VOUCH=$ROOT/target/release/vouch

if ! [ -x "$VENV/bin/zizmor" ] || [ "$("$VENV/bin/zizmor" --version)" != "zizmor $ZIZMOR_VERSION" ]; then
  echo "==> installing zizmor $ZIZMOR_VERSION into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$ROOT/benches/requirements/zizmor.txt"
fi

echo "==> corpus: $COPIES copies of the workflow fixtures" >&2
rm -rf "$WORK"
mkdir -p "$WORK/corpus/.github/workflows"
FIXTURES=()
for f in "$SHARED"/pinning-fixtures/scorecard/*workflow*.yaml "$SHARED"/pinning-fixtures/zizmor/*.yml \
         "$SHARED"/pinning-fixtures/pinned-examples/osv-scanner-reusable.yml; do
  case "$(basename "$f")" in unpinned-uses-composite-action.yml) continue ;; esac
  FIXTURES+=("$f")
done
for i in $(seq -w 1 "$COPIES"); do
  for f in "${FIXTURES[@]}"; do
    cp "$f" "$WORK/corpus/.github/workflows/$i-$(basename "$f" .yaml | sed 's/\.yml$//').yml"
  done
done
N=$(find "$WORK/corpus/.github/workflows" -type f | wc -l)
cat >"$WORK/zizmor.yml" <<'YAML'
rules:
  unpinned-uses:
    config:
      policies:
        "*": hash-pin
YAML

best() { # best of 3 wall-clock runs, in ms; the command's stdout goes to $2
  local label=$1 out=$2; shift 2
  local best_ms=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >"$out" 2>/dev/null || true
    t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
  done
  echo "$best_ms"
}

echo "==> timing ($N workflow files, best of 3)" >&2
V_MS=$(best vouch "$WORK/vouch.json" "$VOUCH" --format json pins --no-lockfiles "$WORK/corpus")
Z_MS=$(best zizmor "$WORK/zizmor.json" "$VENV/bin/zizmor" --offline --no-progress --format json \
  --config "$WORK/zizmor.yml" "$WORK/corpus")

python3 - "$WORK" "$V_MS" "$Z_MS" "$N" <<'PY'
import json, os, sys
work, v_ms, z_ms, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
vouch = json.load(open(os.path.join(work, "vouch.json")))
ziz = json.load(open(os.path.join(work, "zizmor.json")))
# vouch: file -> lines of unpinned `uses:` (steps and reusable workflows).
v = {}
for f in vouch["findings"]:
    if f["code"] in ("unpinned-action", "unpinned-reusable-workflow"):
        v.setdefault(os.path.basename(f["file"]), []).append(f["line"])
# zizmor: file -> 1-based start line of the flagged step/job.
z = {}
for f in ziz:
    if f["ident"] != "unpinned-uses":
        continue
    loc = f["locations"][0]
    path = loc["symbolic"]["key"]["Local"]["verbatim_path"]
    z.setdefault(os.path.basename(path), []).append(loc["concrete"]["location"]["start_point"]["row"] + 1)
both = only_v = only_z = ignored = 0
diffs = []
corpus = os.path.join(work, "corpus", ".github", "workflows")
for name in sorted(set(v) | set(z)):
    vl, zl = sorted(v.get(name, [])), sorted(z.get(name, []))
    lines = open(os.path.join(corpus, name)).read().splitlines()
    # zizmor points at the step's first line, vouch at the `uses:` line: match within a step.
    unmatched_z = list(zl)
    for line in vl:
        m = [r for r in unmatched_z if 0 <= line - r <= 6]
        if m:
            unmatched_z.remove(m[-1]); both += 1
        elif "zizmor: ignore[unpinned-uses]" in lines[line - 1]:
            # An inline zizmor ignore (no reason, no expiry): vouch takes exceptions only
            # from its policy file.
            ignored += 1
        else:
            only_v += 1; diffs.append(f"  vouch only: {name.split('-', 1)[1]}:{line}")
    for r in unmatched_z:
        only_z += 1; diffs.append(f"  zizmor only: {name.split('-', 1)[1]}:{r}")
print(f"workflows: {n}")
print(f"vouch pins        {v_ms:>7} ms   unpinned uses: {sum(map(len, v.values()))}")
print(f"zizmor --offline  {z_ms:>7} ms   unpinned-uses: {sum(map(len, z.values()))}")
print(f"speed-up: {z_ms / max(v_ms, 1):.1f}x")
print(f"same findings: {both}; vouch only: {only_v} (+{ignored} silenced in zizmor by inline "
      f"`# zizmor: ignore[unpinned-uses]`); zizmor only: {only_z}")
for d in sorted(set(diffs))[:12]:
    print(d)
PY
