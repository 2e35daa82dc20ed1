// The floor for receiving a file: node:http (or node:https with the peer listener's TLS settings)
// that takes `PUT /<name>` and does the durability work an upload does in the daemon, nothing
// else: the body streamed (with backpressure) into a new hidden temporary file next to the
// target, SHA-256 of every byte on the way, fsync, rename onto the target, fsync of the directory,
// then the answer {size, sha256}. No auth, no policy, no path checks beyond a plain name, no
// resume bookkeeping, no framework. Plain .mjs: it runs under bare `node`, like the built daemon.
//
// Usage: node bare-upload-server.mjs <dest-dir> [<key.pem> <cert.pem>]
//   with a key and certificate: HTTPS, TLS 1.3 only, every client must present a certificate
//   (self-signed, so no chain check), as on the daemon's peer port. Prints {"port":N} when listening.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mtlsServer, send, serve } from './bare-http.mjs';

const [destDir, keyFile, certFile] = process.argv.slice(2);
if (!destDir) {
  console.error('usage: node bare-upload-server.mjs <dest-dir> [<key.pem> <cert.pem>]');
  process.exit(2);
}

async function fsyncDir(dir) {
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function receive(req, target) {
  const temp = path.join(path.dirname(target), `.bare-${crypto.randomBytes(8).toString('hex')}.part`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      req,
      async function* (body) {
        for await (const chunk of body) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      // flush: fsync before the file is closed (the pipeline ends once it is).
      fs.createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }),
    );
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
  await fs.promises.rename(temp, target);
  await fsyncDir(path.dirname(target));
  return { size, sha256: hash.digest('hex') };
}

function handle(req, res) {
  const name = decodeURIComponent((req.url ?? '/').slice(1));
  if (req.method !== 'PUT') return send(res, 405, { error: { code: 'method-not-allowed', message: String(req.method) } });
  if (!name || name !== path.basename(name) || name.startsWith('.')) return send(res, 400, { error: { code: 'path-invalid', message: name } });
  receive(req, path.join(destDir, name)).then(
    (done) => send(res, 201, done),
    (err) => {
      if (!res.headersSent) send(res, 500, { error: { code: 'internal', message: err.message } });
      else res.destroy(err);
    },
  );
}

serve(keyFile && certFile ? mtlsServer(keyFile, certFile, handle) : http.createServer(handle));
