'use strict';
// The S3 server dbkeep's tests run on loopback: s3rver (an S3 emulation on the local file
// system) behind a small front that adds what s3rver lacks, so the tests check real S3 rules:
//  - every request's AWS Signature V4 is recomputed with AWS's own signer
//    (@smithy/signature-v4); a mismatch is 403 SignatureDoesNotMatch, an unknown key 403
//    InvalidAccessKeyId (s3rver itself accepts any signature);
//  - a hex x-amz-content-sha256 and a Content-MD5 must match the body (XAmzContentSHA256Mismatch,
//    BadDigest), so payload checksums are really sent;
//  - AbortMultipartUpload and ListMultipartUploads, which s3rver lacks, done on its upload folder;
//  - fault injection for retry tests: POST /__faults with a JSON list of
//    {"method":"PUT","match":"partNumber","status":503,"code":"SlowDown","count":2} or
//    {"method":"*","drop":true,"count":1} (drop = close the connection without an answer);
//  - ListObjectsV2 answered by the front from s3rver's full listing: s3rver 3.7 misses common
//    prefixes with a delimiter and fails with 500 on max-keys paging;
//  - GET /__stats: how many requests of each kind were answered, e.g. {"GET ?list-type":3}.
// Usage: node server.js DATA_DIR BUCKET. Prints "listening PORT" once both servers are up.
// Credentials: access key S3RVER (s3rver's), secret dbkeep-test-secret-Qx4.

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const S3rver = require('s3rver');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

const [dataDir, bucket] = process.argv.slice(2);
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'dbkeep-test-secret-Qx4';
const uploadsDir = path.join(dataDir, bucket, '._S3rver_uploads');
let faults = [];
const stats = {};

function xmlEscape(text) {
  return String(text).replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`);
}

function sendError(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
          `<Message>${xmlEscape(message)}</Message></Error>`);
}

// Returns null when the signature is right, else [status, code, message].
async function checkSignature(req, rawPath, query, body) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return [403, 'AccessDenied', 'missing or malformed SigV4 Authorization header'];
  const [, keyId, region, signedHeaders, signature] = m;
  if (keyId !== ACCESS_KEY) {
    return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
  }
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!names.includes(required)) return [403, 'AccessDenied', `${required} is not signed`];
  }
  const headers = {};
  for (const name of names) headers[name] = String(req.headers[name] ?? '').trim();
  const amzDate = headers['x-amz-date'];
  const signingDate = new Date(amzDate.replace(
    /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const signer = new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: headers.host, path: rawPath, query, headers, body },
    { signingDate, signableHeaders: new Set(names) });
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)[1];
  if (expected !== signature) {
    return [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'];
  }
  return null;
}

function checkPayload(req, body) {
  const claimed = req.headers['x-amz-content-sha256'];
  if (/^[0-9a-f]{64}$/.test(claimed || '') &&
      crypto.createHash('sha256').update(body).digest('hex') !== claimed) {
    return [400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed."];
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && crypto.createHash('md5').update(body).digest('base64') !== md5) {
    return [400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.'];
  }
  return null;
}

function takeFault(req) {
  for (const fault of faults) {
    if (fault.count <= 0) continue;
    if (fault.method && fault.method !== '*' && fault.method !== req.method) continue;
    if (fault.match && !req.url.includes(fault.match)) continue;
    fault.count -= 1;
    return fault;
  }
  return null;
}

function listUploads(res) {
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${bucket}</Bucket>`;
  const ids = fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : [];
  for (const id of ids) {
    const key = fs.readFileSync(path.join(uploadsDir, id, 'key'), 'utf8');
    xml += `<Upload><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></Upload>`;
  }
  res.writeHead(200, { 'Content-Type': 'application/xml' });
  res.end(xml + '<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>');
}

function abortUpload(res, uploadId) {
  const dir = path.join(uploadsDir, path.basename(uploadId));
  if (!fs.existsSync(dir)) return sendError(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
  fs.rmSync(dir, { recursive: true, force: true });
  res.writeHead(204);
  res.end();
}

// Every key under `prefix` with its size, from s3rver's own (unpaged, undelimited) listing.
function fullListing(prefix, backendPort, headers) {
  return new Promise((resolve, reject) => {
    const url = `/${bucket}?prefix=${encodeURIComponent(prefix)}`;
    http.get({ host: '127.0.0.1', port: backendPort, path: url, headers },
      answer => {
        let xml = '';
        answer.on('data', chunk => { xml += chunk; });
        answer.on('end', () => {
          const objects = [];
          for (const m of xml.matchAll(/<Contents>.*?<Key>(.*?)<\/Key>.*?<Size>(\d+)<\/Size>.*?<\/Contents>/gs)) {
            objects.push({ key: m[1], size: m[2] });  // keys stay XML-escaped as s3rver wrote them
          }
          resolve(objects);
        });
      }).on('error', reject);
  });
}

async function listObjects(res, query, backendPort, headers) {
  const prefix = query.prefix || '';
  const delimiter = query.delimiter || '';
  const maxKeys = Number(query['max-keys'] || 1000);
  const after = query['continuation-token'] ? Buffer.from(query['continuation-token'], 'base64').toString() : '';
  const unescape = t => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCharCode(n)).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16))).replace(/&amp;/g, '&');
  const entries = [];  // sorted keys and common prefixes, each listed once
  const seen = new Set();
  for (const object of await fullListing(prefix, backendPort, headers)) {
    const key = unescape(object.key);
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const entry = cut === -1 ? { key, size: object.size } : { prefix: key.slice(0, cut + delimiter.length) };
    const name = entry.key ?? entry.prefix;
    if (seen.has(name) || name <= after) continue;
    seen.add(name);
    entries.push(entry);
  }
  entries.sort((a, b) => ((a.key ?? a.prefix) < (b.key ?? b.prefix) ? -1 : 1));
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > maxKeys;
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${bucket}</Name>` +
            `<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
            `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`;
  if (truncated) {
    const last = page[page.length - 1];
    xml += `<NextContinuationToken>${Buffer.from(last.key ?? last.prefix).toString('base64')}</NextContinuationToken>`;
  }
  for (const entry of page) {
    if (entry.key !== undefined) xml += `<Contents><Key>${xmlEscape(entry.key)}</Key><Size>${entry.size}</Size></Contents>`;
  }
  for (const entry of page) {
    if (entry.prefix !== undefined) xml += `<CommonPrefixes><Prefix>${xmlEscape(entry.prefix)}</Prefix></CommonPrefixes>`;
  }
  res.writeHead(200, { 'Content-Type': 'application/xml' });
  res.end(xml + '</ListBucketResult>');
}

function statsKey(req, query) {
  const names = Object.keys(query).filter(n => n !== 'prefix' && n !== 'continuation-token' &&
                                               n !== 'delimiter' && n !== 'partNumber');
  return `${req.method} ${names.length ? '?' + names.sort().join('&') : 'object'}`;
}

async function handle(req, res, backendPort) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const [rawPath, rawQuery = ''] = req.url.split('?', 2);
  if (rawPath === '/__faults' && req.method === 'POST') {
    faults = JSON.parse(body.toString() || '[]');
    res.writeHead(204);
    return res.end();
  }
  if (rawPath === '/__stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(stats));
  }
  const query = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) query[name] = value;

  const fault = takeFault(req);
  if (fault && fault.drop) return req.socket.destroy();
  if (fault) return sendError(res, fault.status, fault.code || 'InternalError', 'injected fault');

  const problem = (await checkSignature(req, rawPath, query, body)) || checkPayload(req, body);
  if (problem) return sendError(res, ...problem);
  const key = statsKey(req, query);
  stats[key] = (stats[key] || 0) + 1;

  if (req.method === 'GET' && 'uploads' in query && rawPath.split('/').filter(Boolean).length === 1) {
    return listUploads(res);
  }
  if (req.method === 'DELETE' && 'uploadId' in query) return abortUpload(res, query.uploadId);
  if (req.method === 'GET' && query['list-type'] === '2') return listObjects(res, query, backendPort, req.headers);

  const upstream = http.request(
    { host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers },
    answer => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
  upstream.on('error', err => sendError(res, 502, 'InternalError', err.message));
  upstream.end(body);
}

async function main() {
  fs.mkdirSync(dataDir, { recursive: true });
  const backend = new S3rver({
    address: '127.0.0.1', port: 0, silent: true, directory: dataDir,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port: backendPort } = await backend.run();
  const front = http.createServer((req, res) => {
    handle(req, res, backendPort).catch(err => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', String(err && err.stack || err));
    });
  });
  front.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${front.address().port}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
