#!/usr/bin/env bash
# Latency of `vouch verify image` on a signed and attested image in a loopback
# docker-registry (Debian's, no referrers API: signatures are found through the referrers tag
# schema), beside `skopeo inspect --raw` (one manifest fetch: the floor for any verifier) and
# vouch's own round-trip count. cosign is not packaged here, so it is not in the table.
# Figures: median wall time of RUNS runs (default 20). Needs docker-registry, umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-20}
KEY=$ROOT/../shared/vectors/sigstore/cosign-keys/cosign-test-sigstore-label.key
PUB=$ROOT/../shared/vectors/sigstore/cosign-keys/cosign-test-sigstore-label.pub.derived

cargo build --release --locked -q -p vouch-cli
VOUCH=$ROOT/target/release/vouch

WORK=$(mktemp -d)
REG_PID=
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/storage
http:
  addr: 127.0.0.1:$PORT
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && break
  sleep 0.05
done

umoci init --layout "$WORK/oci" >/dev/null
umoci new --image "$WORK/oci:v1" >/dev/null
umoci config --image "$WORK/oci:v1" --config.cmd /bin/true >/dev/null
IMAGE=127.0.0.1:$PORT/bench/app:v1
skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:v1" "docker://$IMAGE"
echo '{"buildDefinition":{"buildType":"https://vouch.dev/bench"},"runDetails":{"builder":{"id":"bench"}}}' > "$WORK/pred.json"
export COSIGN_PASSWORD=hello DOCKER_CONFIG=$WORK/docker
"$VOUCH" -q sign image "$IMAGE" --key "$KEY" >/dev/null
"$VOUCH" -q attest image "$IMAGE" --key "$KEY" --predicate "$WORK/pred.json" --type slsaprovenance >/dev/null

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

verify() { "$VOUCH" verify image "$IMAGE" --key "$PUB" --require-predicate slsaprovenance; }
trips=$(verify 2>&1 >/dev/null | sed -n 's/^\([0-9]*\) registry round trips.*/\1/p')
vouch_ms=$(median_ms verify)
skopeo_ms=$(median_ms skopeo inspect --raw --tls-verify=false "docker://$IMAGE")
printf '%-52s %10s\n' "command (median of $RUNS, loopback registry)" "ms"
printf '%-52s %10s\n' "vouch verify image (signature + provenance)" "$vouch_ms"
printf '%-52s %10s\n' "skopeo inspect --raw (one manifest fetch)" "$skopeo_ms"
printf 'vouch registry round trips per verification: %s (budget: 4)\n' "$trips"
