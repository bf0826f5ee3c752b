#!/usr/bin/env bash
# Records what a `vouch` binary prints on the shared fixtures: for each case its exit code,
# standard output, standard error and the files it wrote. Used to prove a refactor changes
# no output: record with the binary before the change, record with the binary after, compare.
#
#   tests/golden/run.sh VOUCH_BIN OUT_DIR        # record
#   tests/golden/check.sh [VOUCH_BIN]            # record with VOUCH_BIN (default: the debug
#                                                # build) and diff against tests/golden/expected
#
# Offline only (no network, no registry): the image commands are covered by the test suite.
# Everything runs in a scratch directory with relative paths, SOURCE_DATE_EPOCH fixed and
# passwords from the environment, so two runs of the same binary give the same bytes.
set -uo pipefail

bin="$(realpath "$1")"
out="$(realpath -m "$2")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${VOUCH_SHARED:-$root/../shared}"
shared="$(realpath "$shared")"

rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d /tmp/vouch-golden.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
ln -s "$shared" shared
mkdir project && cp -r "$root/fixtures/release-crate/." project/
rm -rf project/target
cp shared/vectors/sigstore/cosign-keys/sigstore-rs-ecdsa-p256.key ci.key
printf 'hello, golden\n' > artifact.bin
printf 'second artifact\n' > other.bin

export SOURCE_DATE_EPOCH=1700000000
export NO_COLOR=1
export VOUCH_PASSWORD=123
unset COSIGN_PASSWORD VOUCH_DB GITHUB_ACTIONS CI_SERVER 2>/dev/null || true

n=0
# case NAME ARGS...: runs `vouch ARGS...`, records code/stdout/stderr.
case_() {
  local name="$1"; shift
  n=$((n + 1))
  local id; id="$(printf '%03d-%s' "$n" "$name")"
  printf '%s\n' "$*" > "$out/$id.cmd"
  "$bin" "$@" > "$out/$id.stdout" 2> "$out/$id.stderr" < /dev/null
  echo $? > "$out/$id.code"
}
# keep FILE...: stores files a case wrote (under the next case number's name).
keep() {
  for f in "$@"; do
    local dest; dest="$out/$(printf '%03d' "$n")-file-$(echo "$f" | tr '/' '_')"
    if [ -f "$f" ]; then cp "$f" "$dest"; else echo "(missing)" > "$dest"; fi
  done
}

# --- db
case_ db-import db import shared/osv --db db
case_ db-info-json db info --db db --format json
case_ db-info-text db info --db db --format text
case_ db-info-missing db info --db nowhere --format json

# --- sbom
lock=shared/lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock
case_ sbom-cdx sbom "$lock"
case_ sbom-cdx15 sbom "$lock" --format cyclonedx-json@1.5
case_ sbom-spdx sbom "$lock" --format spdx-json
case_ sbom-project sbom project --offline
case_ sbom-runtime sbom project --offline --profile runtime
case_ sbom-o sbom project --offline -o out.cdx.json
keep out.cdx.json
case_ sbom-bad-format sbom "$lock" --format xml
case_ sbom-missing sbom nowhere/Cargo.lock
case_ sbom-dash sbom -
case_ sbom-lock-flag sbom "$lock" --features x

# --- scan
for f in json sarif markdown table openvex; do
  case_ "scan-ripgrep-$f" scan --offline --max-db-age 100000 --db db "$lock" --format "$f"
done
case_ scan-project scan --offline --max-db-age 100000 --db db project --format json
case_ scan-fail-on scan --offline --max-db-age 100000 --db db "$lock" --format json --fail-on critical
case_ scan-informational scan --offline --max-db-age 100000 --db db "$lock" --format table --fail-on-informational
for l in shared/lockfiles/PyPI/pipenv/*/Pipfile.lock shared/lockfiles/npm/NodeGoat/*/package-lock.json shared/lockfiles/Go/*/*/go.mod; do
  [ -f "$l" ] || continue
  case_ "scan-$(echo "$l" | cut -d/ -f3-4 | tr '/' '-')" scan --offline --max-db-age 100000 --db db "$l" --format json
done
case_ scan-sbom scan --offline --max-db-age 100000 --db db --sbom project/vulnerable-sbom.cdx.json --format json
case_ scan-sbom-table scan --offline --max-db-age 100000 --db db --sbom project/vulnerable-sbom.cdx.json --format table
cat > ignore.toml <<'T'
[[ignore]]
id = "RUSTSEC-2021-0093"
reason = "not reachable"
expires = "2099-01-01"

[[ignore]]
id = "GHSA-xxxx-xxxx-xxxx"
reason = "unused on purpose"
expires = "2099-01-01"

[[ignore]]
id = "RUSTSEC-2020-0071"
reason = "expired"
expires = "2001-01-01"
T
cat > vex.json <<'T'
{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"golden","timestamp":"2023-01-01T00:00:00Z","version":1,
 "statements":[{"vulnerability":{"name":"RUSTSEC-2021-0139"},"products":[{"@id":"pkg:cargo/ripgrep@13.0.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
 {"vulnerability":"GHSA-ppjr-267j-5p9x","status":"not_affected","justification":"component_not_present"}]}
T
case_ scan-ignore scan --offline --max-db-age 100000 --db db "$lock" --format json --ignore-file ignore.toml
case_ scan-vex scan --offline --max-db-age 100000 --db db "$lock" --format json --vex vex.json
case_ scan-ignore-vex-table scan --offline --max-db-age 100000 --db db "$lock" --format table --ignore-file ignore.toml --vex vex.json
case_ scan-sbom-ignore scan --offline --max-db-age 100000 --db db --sbom project/vulnerable-sbom.cdx.json --format json --ignore-file ignore.toml --vex vex.json
printf '[[ignore]]\nid = "X"\nexpires = "2099-01-01"\n' > bad-ignore.toml
case_ scan-bad-ignore scan --offline --max-db-age 100000 --db db "$lock" --ignore-file bad-ignore.toml
printf '{"statements":[]}' > bad-vex.json
case_ scan-bad-vex scan --offline --max-db-age 100000 --db db "$lock" --vex bad-vex.json
case_ scan-missing scan --offline --max-db-age 100000 --db db nowhere.lock
case_ scan-no-db scan --offline --db nowhere "$lock"
case_ scan-bad-format scan --offline --max-db-age 100000 --db db "$lock" --format xml

# --- pins
for f in shared/pinning-fixtures/scorecard/workflow-not-pinned.yaml shared/pinning-fixtures/scorecard/Dockerfile-not-pinned shared/pinning-fixtures/pinned-examples; do
  for fmt in json table sarif; do
    case_ "pins-$(basename "$f")-$fmt" pins "$f" --format "$fmt"
  done
done
case_ pins-project pins project --format json

# --- key
for k in sigstore-rs-ecdsa-p256 sigstore-rs-ed25519 sigstore-rs-rsa4096; do
  case_ "key-public-$k" key public-key --key "shared/vectors/sigstore/cosign-keys/$k.key"
done
VOUCH_PASSWORD=wrong case_ key-public-wrong-password2 key public-key --key ci.key

# --- sign (ECDSA P-256 and Ed25519 sign deterministically)
case_ sign-blob sign blob artifact.bin --key ci.key --bundle artifact.sig.json --tlog-upload=false
keep artifact.sig.json
case_ sign-blob-out sign blob artifact.bin --key ci.key --output-signature artifact.sig
keep artifact.sig
VOUCH_PASSWORD=123 case_ sign-blob-ed25519 sign blob artifact.bin --key shared/vectors/sigstore/cosign-keys/sigstore-rs-ed25519.key
printf '{"a":1}' > payload.json
case_ sign-dsse sign dsse payload.json --payload-type application/json --key ci.key --bundle payload.bundle.json --tlog-upload=false
keep payload.bundle.json
case_ sign-dsse-o sign dsse payload.json --payload-type application/json --key ci.key -o payload.dsse.json
keep payload.dsse.json
case_ sign-missing sign blob nowhere --key ci.key

# --- verify blob / bundle / dsse
"$bin" key public-key --key ci.key > ci.pub 2>/dev/null
case_ verify-blob-sig verify blob artifact.bin --key ci.pub --signature artifact.sig
case_ verify-blob-bundle verify blob artifact.bin --key ci.pub --bundle artifact.sig.json --insecure-ignore-tlog
case_ verify-blob-bundle-tlog verify blob artifact.bin --key ci.pub --bundle artifact.sig.json
case_ verify-blob-wrong verify blob other.bin --key ci.pub --signature artifact.sig
case_ verify-blob-digest verify blob "sha256:$(sha256sum artifact.bin | cut -d' ' -f1)" --key ci.pub --signature artifact.sig
rg=shared/vectors/sigstore/research-generated
case_ verify-blob-research verify blob artifact.bin --key $rg/key.pub --bundle $rg/key-msgsig-no-tlog.sigstore.json --insecure-ignore-tlog
case_ verify-dsse verify dsse payload.dsse.json --key ci.pub
case_ verify-dsse-not-an-envelope verify dsse payload.bundle.json --key ci.pub
case_ verify-bundle-v3 verify bundle shared/vectors/sigstore/bundles/cosign-v3-blob.txt --bundle shared/vectors/sigstore/bundles/cosign-v3-blob.sigstore.json --certificate-identity x --certificate-oidc-issuer y
case_ verify-bundle-v3-json verify bundle shared/vectors/sigstore/bundles/cosign-v3-blob.txt --bundle shared/vectors/sigstore/bundles/cosign-v3-blob.sigstore.json --certificate-identity x --certificate-oidc-issuer y --format json
case_ verify-bundle-key verify bundle artifact.bin --bundle artifact.sig.json --key ci.pub

# --- attest
printf '{"hello":"world"}\n' > pred.json
case_ attest-predicate attest artifact.bin other.bin --key ci.key --predicate pred.json --type https://example.com/p/v1
case_ attest-all attest artifact.bin --key ci.key --sbom --scan --pins --provenance --project project --db db --builder-id https://ci.example/b --bundle att.intoto.jsonl
keep att.intoto.jsonl
case_ attest-spdx attest artifact.bin --key ci.key --sbom --sbom-format spdx --project project
case_ attest-nothing attest artifact.bin --key ci.key
case_ attest-bad-type attest artifact.bin --key ci.key --predicate pred.json --type cyclonedx

# --- release and verify artifact
case_ release release artifact.bin --key ci.key --project project --db db --builder-id https://ci.example/b --source-uri git+https://example.com/a/b --source-commit 4d329c75e7ec1725f7c9ce917a8799d408d06be3
keep artifact.bin.intoto.jsonl artifact.bin.sigstore.json
case_ release-two release artifact.bin other.bin --key ci.key --project project --db db --builder-id https://ci.example/b --bundle two.intoto.jsonl --no-pins --continue-on-findings --fail-on high
keep two.intoto.jsonl other.bin.sigstore.json
case_ release-o release artifact.bin --key ci.key --project project --db db -o x
case_ release-spdx release artifact.bin --key ci.key --project project --db db --builder-id https://ci.example/b --bundle spdx.intoto.jsonl --sbom-format spdx --no-pins
keep spdx.intoto.jsonl
cp ci.pub project-ci.pub
cat > policy.yaml <<'T'
apiVersion: vouch.dev/policy/v1
policies:
  - name: golden
    match: ["artifact.bin"]
    signers:
      keys:
        - name: ci
          path: project-ci.pub
    attestations:
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
        condition: |
          package vouch
          allow if input.predicate.runDetails.builder.id == "https://ci.example/b"
      - name: sbom
        predicateType: cyclonedx
      - name: scan
        predicateType: https://cosign.sigstore.dev/attestation/vuln/v1
    rescan:
      failOn: critical
T
for fmt in text json; do
  case_ "verify-artifact-$fmt" verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl --policy policy.yaml --db db --format "$fmt"
  case_ "verify-artifact-other-$fmt" verify artifact other.bin --name artifact.bin --bundle two.intoto.jsonl --policy policy.yaml --db db --format "$fmt"
done
case_ verify-artifact-key verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl --key ci.pub --require-predicate slsaprovenance --format json
case_ verify-artifact-no-policy verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl
case_ verify-artifact-no-db verify artifact artifact.bin --bundle artifact.bin.intoto.jsonl --policy policy.yaml --db nowhere
printf '{"not":"a bundle"\n' > broken.jsonl
case_ verify-artifact-broken verify artifact artifact.bin --bundle broken.jsonl --key ci.pub
case_ verify-artifact-missing verify artifact artifact.bin --bundle nowhere.jsonl --key ci.pub
case_ verify-image-bad-ref verify image 'NOT A REF' --key ci.pub
case_ tree-bad-ref tree 'NOT A REF'

# --- the grammar: every command's help
case_ help --help
for c in sbom scan db "db import" "db update" "db info" pins "pins diff" "pins fix" key "key generate" "key import" "key public-key" sign "sign blob" "sign dsse" "sign image" attest "attest image" verify "verify blob" "verify bundle" "verify dsse" "verify artifact" "verify image" "verify workloads" release attach "attach bundle" tree webhook "webhook serve" verify-bundle; do
  # shellcheck disable=SC2086
  case_ "help-$(echo "$c" | tr ' ' '-')" $c --help
done
case_ version --version

# The verification time is the one clock SOURCE_DATE_EPOCH does not set.
sed -i -E 's/"evaluatedAt": "[^"]*"/"evaluatedAt": "(now)"/' "$out"/*.stdout
# Normalise the scratch directory's name where a command printed an absolute path.
grep -rl "$work" "$out" 2>/dev/null | while read -r f; do sed -i "s#$work#WORK#g" "$f"; done
echo "recorded $n cases in $out"
