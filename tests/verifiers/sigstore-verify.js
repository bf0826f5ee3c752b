#!/usr/bin/env node
// Verifies a key-based Sigstore bundle with @sigstore/verify (the sigstore-js verifier).
//
// usage: node sigstore-verify.js BUNDLE KEY.pub TRUSTED_ROOT [ARTIFACT]
//
// The bundle's publicKey.hint must equal base64(SHA-256(DER SPKI)) of KEY.pub, as cosign
// writes it. Bundles without a transparency-log entry or timestamp are accepted (thresholds
// 0), which is what `cosign verify-blob --insecure-ignore-tlog` does. Exit 0 when verified.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, keyPath, rootPath, artifactPath] = process.argv.slice(2);
if (!bundlePath || !keyPath || !rootPath) {
  console.error('usage: sigstore-verify.js BUNDLE KEY.pub TRUSTED_ROOT [ARTIFACT]');
  process.exit(2);
}

try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const hint = crypto.createHash('sha256').update(spki).digest('base64');
  const keyFinder = (bundleHint) => {
    if (bundleHint !== hint) {
      throw new Error(`bundle hint ${bundleHint} is not the key's ${hint}`);
    }
    return { publicKey, validFor: () => true };
  };
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(root, keyFinder), {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  verifier.verify(toSignedEntity(bundle, artifact));
  console.log('OK');
} catch (e) {
  console.error(`FAILED: ${e.code || ''} ${e.message}`);
  process.exit(1);
}
