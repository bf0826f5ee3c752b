#!/usr/bin/env node
// Verifies a Sigstore bundle with @sigstore/verify at its default strictness: at least one
// transparency-log entry and one verified time (integrated time or RFC 3161 timestamp), and
// for certificates at least one SCT. Nothing is skipped: no "ignore tlog" option.
//
// usage: node sigstore-verify-strict.js BUNDLE TRUSTED_ROOT --identity SAN ISSUER [ARTIFACT]
//        node sigstore-verify-strict.js BUNDLE TRUSTED_ROOT --key KEY.pub [ARTIFACT]
// Exit 0 when verified, 1 when not (the reason on stderr).
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, rootPath, mode, ...rest] = process.argv.slice(2);
const usage = () => {
  console.error('usage: sigstore-verify-strict.js BUNDLE TRUSTED_ROOT (--identity SAN ISSUER | --key KEY.pub) [ARTIFACT]');
  process.exit(2);
};
if (!bundlePath || !rootPath || !['--identity', '--key'].includes(mode)) usage();

try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
  let keyFinder;
  let policy;
  let artifactPath;
  if (mode === '--identity') {
    const [san, issuer, artifact] = rest;
    if (!san || !issuer) usage();
    policy = { subjectAlternativeName: san, extensions: { issuer } };
    artifactPath = artifact;
  } else {
    const [keyPath, artifact] = rest;
    if (!keyPath) usage();
    const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath));
    keyFinder = () => ({ publicKey, validFor: () => true });
    artifactPath = artifact;
  }
  const verifier = new Verifier(
    toTrustMaterial(root, keyFinder),
    mode === '--key' ? { ctlogThreshold: 0 } : {}
  );
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  verifier.verify(toSignedEntity(bundle, artifact), policy);
  console.log('OK');
} catch (e) {
  console.error(`FAILED: ${e.code || ''} ${e.message}`);
  process.exit(1);
}
