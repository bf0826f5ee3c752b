#!/usr/bin/env bash
# `vouch webhook serve` on loopback (plain HTTP), against signed and attested images in a
# loopback docker-registry.
#
# 1. Latency of one AdmissionReview (curl as the client; median of RUNS, default 20) for a Pod
#    with one and with three digest-pinned images at /validate, and a tag at /mutate, beside
#    `vouch verify image` (a process per check) and `skopeo inspect --raw` (one manifest
#    fetch: the floor for any verifier).
# 2. Load with wrk (bounded: LOAD_SECONDS, default 10, and CONNECTIONS, default 16): reviews/s
#    and p99 with the verdict cache warm (goal: >= 2,000/s, p99 <= 10 ms on 2 cores), beside
#    the same load with every cache off (the uncached figures).
# 3. Faults: reviews naming a good image and one whose registry answers 500, or never
#    answers, under the same load: zero wrong admissions, and every answer within the
#    budget (--budget-ms 2000 there).
# Kubernetes waits at most `timeoutSeconds` (default 10 s) for an answer. Needs
# docker-registry, umoci, skopeo, wrk (apt-get install wrk), python3.
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
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
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
PINNED=()
for n in 1 2 3; do
  umoci new --image "$WORK/oci:v$n" >/dev/null
  umoci config --image "$WORK/oci:v$n" --config.cmd "/bin/app$n" >/dev/null
  img=127.0.0.1:$PORT/bench/app:v$n
  skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:v$n" "docker://$img"
  "$VOUCH" -q sign image "$img" --key "$KEY" >/dev/null
  "$VOUCH" -q attest image "$img" --key "$KEY" --predicate "$WORK/pred.json" --type slsaprovenance >/dev/null
  IMAGES+=("$img")
  PINNED+=("$img@$(skopeo inspect --raw --tls-verify=false "docker://$img" | sha256sum | cut -d' ' -f1 | sed 's/^/sha256:/')")
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
# serve PORT ARGS...: starts a webhook on PORT (logging every review to a file, as in a
# cluster), waits for it, and records its pid.
serve() {
  local port=$1; shift
  "$VOUCH" webhook serve --policy "$WORK/policy.yaml" --listen "127.0.0.1:$port" "$@" \
    2>>"$WORK/webhook-$port.log" &
  PIDS+=($!)
  for _ in $(seq 200); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "webhook on $port did not start" >&2; cat "$WORK/webhook-$port.log" >&2; return 1
}
HOOK_PORT=$(free_port)
serve "$HOOK_PORT"
HOOK_PID=${PIDS[0]}

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
review "$WORK/one.json" "${PINNED[0]}"
review "$WORK/three.json" "${PINNED[@]}"
review "$WORK/tag.json" "$IMAGE"
post() {
  curl -fsS -H 'Content-Type: application/json' --data-binary "@$1" \
    "http://127.0.0.1:$HOOK_PORT/${2:-validate}" | grep -q '"allowed":true'
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
mutate_ms=$(median_ms post "$WORK/tag.json" mutate)
cli_ms=$(median_ms "$VOUCH" verify image "$IMAGE" --policy "$WORK/policy.yaml")
skopeo_ms=$(median_ms skopeo inspect --raw --tls-verify=false "docker://$IMAGE")
printf '%-58s %10s\n' "check (median of $RUNS, loopback registry)" "ms"
printf '%-58s %10s\n' "webhook: AdmissionReview, Pod with 1 signed image" "$one_ms"
printf '%-58s %10s\n' "webhook: AdmissionReview, Pod with 3 signed images" "$three_ms"
printf '%-58s %10s\n' "webhook: /mutate, 1 tag pinned to its digest" "$mutate_ms"
printf '%-58s %10s\n' "vouch verify image (a process per check)" "$cli_ms"
printf '%-58s %10s\n' "skopeo inspect --raw (one manifest fetch)" "$skopeo_ms"

# --- 2. load ------------------------------------------------------------------------------
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk): no load figures" >&2; exit 0; }
LOAD_SECONDS=${LOAD_SECONDS:-10}
CONNECTIONS=${CONNECTIONS:-16}
cat > "$WORK/post.lua" <<'LUA'
-- POSTs the AdmissionReview in $BODY; counts answers that admit (per thread, summed in done).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
local threads = {}
function setup(thread) table.insert(threads, thread) end
admits = 0
answers = 0
function response(status, headers, body)
  answers = answers + 1
  if string.find(body, '"allowed":true', 1, true) then admits = admits + 1 end
end
function done(summary, latency, requests)
  local a, n = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("admits"); n = n + t:get("answers") end
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50=%.2f p99=%.2f max=%.2f answers=%d admits=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, n, a,
    e.connect + e.read + e.write + e.status + e.timeout))
end
LUA
# load PORT PATH BODY: one bounded wrk run; prints its RESULT line.
load() {
  BODY=$3 wrk -t2 -c"$CONNECTIONS" -d"${LOAD_SECONDS}s" --timeout 10s -s "$WORK/post.lua" \
    "http://127.0.0.1:$1$2" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

post "$WORK/one.json"   # warm the cache
warm=$(load "$HOOK_PORT" /validate "$WORK/one.json")
COLD_PORT=$(free_port)
serve "$COLD_PORT" --cache-admit-ttl 0 --cache-deny-ttl 0 --tag-ttl 0
cold=$(load "$COLD_PORT" /validate "$WORK/one.json")
echo
printf '%-58s %10s %8s %8s\n' "load: $CONNECTIONS connections, ${LOAD_SECONDS}s, Pod with 1 image" "reviews/s" "p50 ms" "p99 ms"
printf '%-58s %10s %8s %8s\n' "webhook, verdict cache warm (goal >= 2000/s, p99 <= 10)" "$(field rps "$warm")" "$(field p50 "$warm")" "$(field p99 "$warm")"
printf '%-58s %10s %8s %8s\n' "webhook, caches off (every review verifies)" "$(field rps "$cold")" "$(field p50 "$cold")" "$(field p99 "$cold")"

# --- 3. faults ----------------------------------------------------------------------------
# A registry answering 500 to everything, and one that accepts and never answers.
P500=$(free_port); PHANG=$(free_port)
python3 - "$P500" "$PHANG" <<'PY' &
import socket, sys, threading, http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(500); self.send_header("Content-Length", "0"); self.end_headers()
    do_HEAD = do_GET
    def log_message(self, *a): pass
threading.Thread(target=http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever, daemon=True).start()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2]))); s.listen(1024)
held = []
while True:
    c, _ = s.accept(); held.append(c)   # never answered
PY
PIDS+=($!)
sleep 0.5
digest=${PINNED[0]##*@}
review "$WORK/half500.json" "${PINNED[0]}" "127.0.0.1:$P500/bench/app@$digest"
review "$WORK/halfhang.json" "${PINNED[0]}" "127.0.0.1:$PHANG/bench/app@$digest"
FAULT_PORT=$(free_port)
serve "$FAULT_PORT" --budget-ms 2000 --registry-timeout 5
f500=$(load "$FAULT_PORT" /validate "$WORK/half500.json")
fhang=$(load "$FAULT_PORT" /validate "$WORK/halfhang.json")
echo
printf '%-58s %10s %8s %8s %7s\n' "faults: half the images' registry fails (budget 2000 ms)" "reviews/s" "p99 ms" "max ms" "admits"
printf '%-58s %10s %8s %8s %7s\n' "registry answers 500" "$(field rps "$f500")" "$(field p99 "$f500")" "$(field max "$f500")" "$(field admits "$f500")"
printf '%-58s %10s %8s %8s %7s\n' "registry never answers" "$(field rps "$fhang")" "$(field p99 "$fhang")" "$(field max "$fhang")" "$(field admits "$fhang")"
for r in "$f500" "$fhang"; do
  [ "$(field admits "$r")" = 0 ] || { echo "FAIL: a review naming a failing registry was admitted" >&2; exit 1; }
  awk -v m="$(field max "$r")" 'BEGIN { exit !(m <= 2300) }' || { echo "FAIL: an answer took longer than the budget" >&2; exit 1; }
done
echo "faults: 0 wrong admissions; every answer within the budget"
