#!/usr/bin/env bash
# Times `vouch verify artifact` (policy with a Rego condition, 4 attestations) on artifacts of
# growing size, and the keyless check of GitHub's real attestation bundle; prints cosign's
# `verify-blob-attestation` beside it when cosign is installed. Figures, not pass/fail.
#
# usage: benches/verify.sh [SIZE_MB...]   (default: 1 64 512)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p vouch-cli
V="$PWD/target/release/vouch"
SHARED="${VOUCH_SHARED:-$PWD/../shared}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export VOUCH_PASSWORD=bench COSIGN_PASSWORD=bench
cd "$tmp"
"$V" -q key generate --output-key-prefix ci >/dev/null 2>&1
cat > policy.yaml <<'YAML'
apiVersion: vouch.dev/policy/v1
policies:
  - name: bench
    match: ["**"]
    signers:
      keys: [{name: ci, path: ci.pub}]
    attestations:
      - name: provenance
        predicateType: slsaprovenance
        condition: |
          package vouch
          allow if startswith(input.predicate.runDetails.builder.id, "https://ci.example/")
      - predicateType: https://example.com/review/v1
YAML
echo '{"reviewed": true}' > review.json

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }

printf '%-10s %14s %14s %18s\n' "size" "vouch attest" "vouch verify" "cosign verify"
for mb in "${@:-1 64 512}"; do
  for m in $mb; do
    head -c "$((m * 1024 * 1024))" /dev/urandom > "art-$m.bin"
    a=$(ms "$V" attest "art-$m.bin" --key ci.key --bundle "b-$m.jsonl" --provenance --builder-id https://ci.example/b \
          --predicate review.json --type https://example.com/review/v1)
    v=$(ms "$V" verify artifact "art-$m.bin" --bundle "b-$m.jsonl" --policy policy.yaml)
    c="n/a"
    if command -v cosign >/dev/null 2>&1; then
      head -1 "b-$m.jsonl" > "one-$m.json"
      c="$(ms cosign verify-blob-attestation --key ci.pub --bundle "one-$m.json" --insecure-ignore-tlog "art-$m.bin") ms"
    fi
    printf '%-10s %11s ms %11s ms %18s\n' "${m}MiB" "$a" "$v" "$c"
  done
done

gh="$SHARED/policy-examples/provenance/github-attestation"
if [ -d "$gh" ]; then
  cat > gh.yaml <<'YAML'
apiVersion: vouch.dev/policy/v1
policies:
  - name: bcr
    match: ["**"]
    signers:
      identities:
        - issuer: https://token.actions.githubusercontent.com
          subject: https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1
    attestations: [{predicateType: slsaprovenance}]
YAML
  k=$(ms "$V" verify artifact "$gh/MODULE.bazel" --bundle "$gh/MODULE.bazel.intoto.jsonl" --policy gh.yaml)
  echo "keyless GitHub attestation (chain, Rekor, SCT, identity, policy): ${k} ms"
fi
