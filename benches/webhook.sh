#!/usr/bin/env bash
# Latency of one AdmissionReview answered by `vouch webhook serve` (plain HTTP on loopback,
# curl as the client) for a Pod with one and with three signed and attested images in a
# loopback docker-registry, beside `vouch verify image` on the same image (a process per
# check) and `skopeo inspect --raw` (one manifest fetch: the floor for any verifier).
# Kubernetes waits at most `timeoutSeconds` (default 10 s) for the answer.
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
HOOK_PID=
cleanup() {
  [ -n "$HOOK_PID" ] && kill "$HOOK_PID" 2>/dev/null
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
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
export COSIGN_PASSWORD=hello DOCKER_CONFIG=$WORK/docker
echo '{"buildDefinition":{"buildType":"https://vouch.dev/bench"},"runDetails":{"builder":{"id":"bench"}}}' > "$WORK/pred.json"
IMAGES=()
for n in 1 2 3; do
  umoci new --image "$WORK/oci:v$n" >/dev/null
  umoci config --image "$WORK/oci:v$n" --config.cmd "/bin/app$n" >/dev/null
  img=127.0.0.1:$PORT/bench/app:v$n
  skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:v$n" "docker://$img"
  "$VOUCH" -q sign image "$img" --key "$KEY" >/dev/null
  "$VOUCH" -q attest image "$img" --key "$KEY" --predicate "$WORK/pred.json" --type slsaprovenance >/dev/null
  IMAGES+=("$img")
done
IMAGE=${IMAGES[0]}

cp "$PUB" "$WORK/release.pub"
cat > "$WORK/policy.yaml" <<YML
apiVersion: vouch.dev/policy/v1
policies:
  - name: bench
    match: ['**/bench/app']
    signers:
      keys:
        - name: release
          path: release.pub
    attestations:
      - name: signature
        predicateType: https://sigstore.dev/cosign/sign/v1
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
YML
HOOK_PORT=$(free_port)
"$VOUCH" -q webhook serve --policy "$WORK/policy.yaml" --listen "127.0.0.1:$HOOK_PORT" 2>"$WORK/webhook.log" &
HOOK_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$HOOK_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.05
done

# review FILE IMAGE...: writes an AdmissionReview for a Pod running IMAGEs.
review() {
  local file=$1; shift
  python3 - "$@" > "$file" <<'PY'
import json, sys
containers = [{"name": f"c{i}", "image": img} for i, img in enumerate(sys.argv[1:])]
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
  "request": {"uid": "bench", "kind": {"group": "", "version": "v1", "kind": "Pod"},
    "namespace": "bench", "name": "web", "operation": "CREATE",
    "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
      "spec": {"containers": containers}}}}))
PY
}
review "$WORK/one.json" "$IMAGE"
review "$WORK/three.json" "${IMAGES[@]}"
post() {
  curl -fsS -H 'Content-Type: application/json' --data-binary "@$1" \
    "http://127.0.0.1:$HOOK_PORT/validate" | grep -q '"allowed":true'
}

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

one_ms=$(median_ms post "$WORK/one.json")
three_ms=$(median_ms post "$WORK/three.json")
cli_ms=$(median_ms "$VOUCH" verify image "$IMAGE" --policy "$WORK/policy.yaml")
skopeo_ms=$(median_ms skopeo inspect --raw --tls-verify=false "docker://$IMAGE")
printf '%-58s %10s\n' "check (median of $RUNS, loopback registry)" "ms"
printf '%-58s %10s\n' "webhook: AdmissionReview, Pod with 1 signed image" "$one_ms"
printf '%-58s %10s\n' "webhook: AdmissionReview, Pod with 3 signed images" "$three_ms"
printf '%-58s %10s\n' "vouch verify image (a process per check)" "$cli_ms"
printf '%-58s %10s\n' "skopeo inspect --raw (one manifest fetch)" "$skopeo_ms"
