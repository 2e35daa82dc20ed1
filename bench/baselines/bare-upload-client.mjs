// The sending side of the bare mutual-TLS upload: one PUT of a file over node:https, presenting a
// client certificate (the sending daemon's own key.pem/cert.pem, TLS 1.3), the file streamed with
// backpressure in 1 MiB reads (the daemon's read size). What a daemon does when it pushes, with
// nothing of Ferry's: no hash on the sending side, no resume bookkeeping, no progress events.
//
// Usage: node bare-upload-client.mjs <url> <file> <key.pem> <cert.pem>
//   → prints one JSON line: {status, body, ms, userMs, sysMs, maxRssMb} (the time and the CPU cover
//   the request from its start to the end of the answer, not node's start-up).
import fs from 'node:fs';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';

const [url, file, keyFile, certFile] = process.argv.slice(2);
if (!url || !file || !keyFile || !certFile) {
  console.error('usage: node bare-upload-client.mjs <url> <file> <key.pem> <cert.pem>');
  process.exit(2);
}
const tls = { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), minVersion: 'TLSv1.3', rejectUnauthorized: false };
const size = fs.statSync(file).size;

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const answer = new Promise((resolve, reject) => {
  const req = https.request(url, { method: 'PUT', ...tls, headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });
  req.on('error', reject);
  pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), req).catch(reject);
});

answer.then(
  ({ status, text }) => {
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text.slice(0, 300);
    }
    process.stdout.write(JSON.stringify({ status, body, ms, userMs: cpu.user / 1000, sysMs: cpu.system / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
  },
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
