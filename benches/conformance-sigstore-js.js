#!/usr/bin/env node
// Runs the sigstore-conformance bundle-verify suite in one Node process with @sigstore/verify
// (installed in tests/verifiers/node_modules), for benches/conformance.sh. Each case runs twice
// like vouch's (both runs pass the artifact bytes: @sigstore/verify takes no digest input).
// usage: NODE_PATH=tests/verifiers/node_modules node conformance-sigstore-js.js SUITE PROD_ROOT
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const [suite, prodRoot] = process.argv.slice(2);

function runCase(dir) {
  const read = (f, d) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').trim() : d);
  const rootPath = fs.existsSync(path.join(dir, 'trusted_root.json')) ? path.join(dir, 'trusted_root.json') : prodRoot;
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
  let keyFinder;
  if (fs.existsSync(path.join(dir, 'key.pub'))) {
    const publicKey = crypto.createPublicKey(fs.readFileSync(path.join(dir, 'key.pub')));
    keyFinder = () => ({ publicKey, validFor: () => true });
  }
  const verifier = new Verifier(toTrustMaterial(root, keyFinder), { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(path.join(dir, 'bundle.sigstore.json'), 'utf8')));
  const artifactPath = fs.existsSync(path.join(dir, 'artifact')) ? path.join(dir, 'artifact') : path.join(suite, 'a.txt');
  const artifact = fs.readFileSync(artifactPath);
  const policy = keyFinder ? undefined : { subjectAlternativeName: read('identity', IDENTITY), extensions: { issuer: read('issuer', ISSUER) } };
  verifier.verify(toSignedEntity(bundle, artifact), policy);
}

const cases = fs.readdirSync(suite).filter((d) => fs.statSync(path.join(suite, d)).isDirectory()).sort();
const start = process.hrtime.bigint();
let runs = 0;
let matched = 0;
for (const c of cases) {
  for (let i = 0; i < 2; i++) {
    runs++;
    let ok;
    try {
      runCase(path.join(suite, c));
      ok = true;
    } catch (e) {
      ok = false;
    }
    if (ok !== c.endsWith('_fail')) matched++;
  }
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`@sigstore/verify in-process: runs=${runs} matched=${matched} seconds=${secs.toFixed(3)}`);
