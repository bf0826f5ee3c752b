#!/usr/bin/env node
// A loopback Fulcio, CT log, Rekor v1, Rekor v2 and timestamp authority made of sigstore-js's
// own service mocks (@sigstore/mock), each on its own Node `http` server on 127.0.0.1.
//
// usage: node sigstore-mock-server.js KEYDIR OUTDIR
//
// KEYDIR holds fixed PKCS#8 P-256 keys: fulcio.pem, ctlog.pem, rekor.pem, rekor2.pem, tsa.pem.
// Writes into OUTDIR:
//   trusted_root.json            the CA, CT log, both logs and the TSA, as a Sigstore TrustedRoot
//   signing_config.json          SigningConfig v0.2: Fulcio + Rekor v1 (+ the TSA, optional)
//   signing_config.rekor2.json   SigningConfig v0.2: Fulcio + Rekor v2 + the TSA
// then prints one JSON line {"fulcio":URL,"rekor":URL,"rekor2":URL,"tsa":URL} on stdout and
// serves until stdin closes or it is killed.
//
// The mocks log a proposed entry exactly as they receive it. Real Rekor does that for
// `hashedrekord` v0.0.1 only: for `dsse` v0.0.1 and for every Rekor v2 request it stores a
// canonical body derived from the request (hashes of the envelope and payload, the signatures
// and their verifiers). `rekorBody` below derives those bodies the way Rekor does, and the
// mock's tlog then logs them (SET, inclusion proof, signed checkpoint). Two fixes to the
// mock's Rekor v2 answer are marked where they are made.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const crypto = require('crypto');
const {
  initializeCA,
  initializeCTLog,
  fulcioHandler,
  initializeTLog,
  rekorHandler,
  initializeTSA,
  tsaHandler,
} = require('@sigstore/mock');
const { TransparencyLogEntry } = require('@sigstore/protobuf-specs');

const [keyDir, outDir] = process.argv.slice(2);
if (!keyDir || !outDir) {
  console.error('usage: sigstore-mock-server.js KEYDIR OUTDIR');
  process.exit(2);
}

function keyPair(name) {
  const privateKey = crypto.createPrivateKey(fs.readFileSync(path.join(keyDir, `${name}.pem`)));
  return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Serves `routes` ({path: async (body) => {statusCode, response, contentType}}) on a new port.
function serve(routes) {
  const server = http.createServer(async (req, res) => {
    const route = req.method === 'POST' ? routes[req.url] : undefined;
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`no route for ${req.method} ${req.url}`);
      return;
    }
    try {
      const { statusCode, response, contentType } = await route(await readBody(req));
      res.writeHead(statusCode, { 'Content-Type': contentType || 'text/plain' });
      res.end(response);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e && e.message));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();

// Rekor's canonical entry body for a request (see the header comment); `null` to log as is.
function rekorBody(request) {
  if (request.kind === 'dsse' && request.apiVersion === '0.0.1') {
    const content = request.spec.proposedContent;
    const env = JSON.parse(content.envelope);
    const verifier = content.verifiers[0];
    return {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256(content.envelope).toString('hex') },
        payloadHash: {
          algorithm: 'sha256',
          value: sha256(Buffer.from(env.payload, 'base64')).toString('hex'),
        },
        signatures: env.signatures.map((s) => ({ signature: s.sig, verifier })),
      },
    };
  }
  if (request.hashedRekordRequestV002) {
    const r = request.hashedRekordRequestV002;
    return {
      apiVersion: '0.0.2',
      kind: 'hashedrekord',
      spec: {
        hashedRekordV002: {
          data: { algorithm: 'SHA2_256', digest: r.digest },
          signature: r.signature,
        },
      },
    };
  }
  if (request.dsseRequestV002) {
    const r = request.dsseRequestV002;
    return {
      apiVersion: '0.0.2',
      kind: 'dsse',
      spec: {
        dsseV002: {
          payloadHash: {
            algorithm: 'SHA2_256',
            digest: sha256(Buffer.from(r.envelope.payload, 'base64')).toString('base64'),
          },
          signatures: r.envelope.signatures.map((s, i) => ({
            content: s.sig,
            verifier: r.verifiers[i] || r.verifiers[0],
          })),
        },
      },
    };
  }
  return null;
}

async function main() {
  const fulcioKeys = keyPair('fulcio');
  const ctKeys = keyPair('ctlog');
  const rekorKeys = keyPair('rekor');
  const rekor2Keys = keyPair('rekor2');
  const tsaKeys = keyPair('tsa');

  const ctlog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(fulcioKeys, ctlog);
  const tsa = await initializeTSA(tsaKeys);
  // The mock writes genTime with its milliseconds in DER form (trailing zeros dropped, e.g.
  // `…01.12Z`), and @sigstore/core's parser accepts only exactly three digits: about one
  // timestamp in ten would fail @sigstore/verify. Whole seconds suit every verifier.
  tsa.getCurrentTime = () => new Date(Math.floor(Date.now() / 1000) * 1000);

  const fulcio = fulcioHandler(ca);
  const fulcioURL = await serve({ [fulcio.path]: fulcio.fn });

  // Rekor v1: the mock's handler, with dsse proposals turned into Rekor's stored body first.
  let rekorURL;
  let rekorTLog;
  rekorURL = await serve({
    '/api/v1/log/entries': async (body) => {
      const request = JSON.parse(body);
      const derived = rekorBody(request);
      return rekorHandler(rekorTLog).fn(JSON.stringify(derived || request));
    },
  });
  rekorTLog = await initializeTLog(rekorURL, rekorKeys);

  // Rekor v2: the mock's tlog logs the derived body; the answer is a TransparencyLogEntry.
  let rekor2TLog;
  const rekor2URL = await serve({
    '/api/v2/log/entries': async (body) => {
      const derived = rekorBody(JSON.parse(body));
      if (!derived || derived.apiVersion !== '0.0.2') {
        return { statusCode: 400, response: 'expected hashedRekordRequestV002 or dsseRequestV002' };
      }
      const entry = await rekor2TLog.logV2(derived);
      entry.kindVersion.kind = derived.kind;
      // The mock's tree holds this one entry: it is leaf 0 of a tree of size 1. Rekor v2
      // entries carry no integrated time (the TSA's timestamp times them).
      entry.logIndex = '0';
      entry.inclusionProof.logIndex = '0';
      entry.integratedTime = '0';
      // logV2 decodes the proof's hex root hash as base64; the checkpoint has it right. The
      // root of a one-leaf tree is the leaf hash, SHA-256(0x00 || body).
      entry.inclusionProof.rootHash = sha256(Buffer.concat([Buffer.from([0]), entry.canonicalizedBody]));
      return {
        statusCode: 201,
        response: JSON.stringify(TransparencyLogEntry.toJSON(entry)),
        contentType: 'application/json',
      };
    },
  });
  rekor2TLog = await initializeTLog(rekor2URL, rekor2Keys);

  const ts = tsaHandler(tsa);
  const tsaURL = await serve({ [ts.path]: ts.fn });

  const start = new Date(Date.now() - 60 * 1000).toISOString();
  const b64 = (b) => Buffer.from(b).toString('base64');
  const spki = (k) => k.publicKey.export({ type: 'spki', format: 'der' });
  const tlog = (url, keys) => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(spki(keys)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
    logId: { keyId: b64(sha256(spki(keys))) },
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [tlog(rekorURL, rekorKeys), tlog(rekor2URL, rekor2Keys)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: fulcioURL,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.sigstore.mock',
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: b64(ctlog.logID) },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: tsaURL,
        certChain: {
          certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }],
        },
        validFor: { start },
      },
    ],
  };
  const service = (url, majorApiVersion) => ({
    url,
    majorApiVersion,
    validFor: { start },
    operator: 'sigstore.mock',
  });
  const signingConfig = (rekor, withTsa) => ({
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(fulcioURL, 1)],
    oidcUrls: [],
    rekorTlogUrls: [rekor],
    tsaUrls: withTsa ? [service(`${tsaURL}/api/v1/timestamp`, 1)] : [],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  });
  fs.mkdirSync(outDir, { recursive: true });
  const write = (name, value) =>
    fs.writeFileSync(path.join(outDir, name), JSON.stringify(value, null, 2) + '\n');
  write('trusted_root.json', trustedRoot);
  write('signing_config.json', signingConfig(service(rekorURL, 1), false));
  write('signing_config.tsa.json', signingConfig(service(rekorURL, 1), true));
  write('signing_config.rekor2.json', signingConfig(service(rekor2URL, 2), true));
  process.stdout.write(
    JSON.stringify({ fulcio: fulcioURL, rekor: rekorURL, rekor2: rekor2URL, tsa: tsaURL }) + '\n'
  );
  // Exit when the test that started us goes away.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

main().catch((e) => {
  console.error(`mock services failed to start: ${e && e.stack}`);
  process.exit(1);
});
