import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, isAlive } from '../helpers/proc.js';
import { contents, filePair, MB, sha256, sha256File, strays, tempDir, transfer, uploadsAs, writeRandom, type FilePair } from '../helpers/files.js';

// Refusals between two real daemons. Multipart through the local API (no file part, two parts,
// no path, a wrong sha256 field) is covered by tests/api/files.test.ts and not repeated here.

const LIMIT = 8 * MB;
let p: FilePair;
/** The only directory alpha lets bravo write in (it may read all of the temp dir). */
let root: string;
/** A directory outside bravo's write root on alpha: nothing may ever appear in it. */
let outside: string;

beforeAll(async () => {
  root = tempDir('ferry-root-');
  outside = tempDir('ferry-outside-');
  const limits = { FERRY_FILES_MAX_BYTES: String(LIMIT) };
  p = await filePair({ aEnv: limits, bEnv: limits, read: [fs.realpathSync(os.tmpdir())], write: [root] });
});
afterAll(async () => {
  await p?.a.kill();
  await p?.b.kill();
});

/** A fresh directory below the write root, for one test. */
const area = (name: string) => {
  const d = path.join(root, name);
  fs.mkdirSync(d);
  return d;
};
const smallFile = (content = 'payload') => {
  const f = path.join(tempDir(), 'f.txt');
  fs.writeFileSync(f, content);
  return f;
};
const push = (source: string, destination: string, opts: { force?: boolean; parents?: boolean } = {}) => transfer(p.b, { direction: 'push', peer: 'alpha', source, destination, ...opts });
const pull = (source: string, destination: string, opts: { force?: boolean } = {}) => transfer(p.b, { direction: 'pull', peer: 'alpha', source, destination, ...opts });

describe('paths a peer may not write or read', () => {
  it('a destination outside the write roots: scope-denied, the transfer fails with it, nothing written', async () => {
    const t = await push(smallFile(), path.join(outside, 'f.txt'));
    expect(t).toMatchObject({ state: 'failed', error: { code: 'scope-denied' } });
    expect(contents(outside)).toEqual([]);
    // Read roots do not stretch to writes: the temp dir is readable, not writable.
    const t2 = await push(smallFile(), path.join(path.dirname(root), 'beside-the-root.txt'));
    expect(t2.error?.code).toBe('scope-denied');
    expect(fs.existsSync(path.join(path.dirname(root), 'beside-the-root.txt'))).toBe(false);
  });

  it('a source outside the read roots, or in the daemon data dir, cannot be pulled', async () => {
    const dest = tempDir();
    expect((await pull('/etc/passwd', path.join(dest, 'passwd'))).error?.code).toBe('scope-denied');
    expect((await pull(path.join(p.a.home, 'admin.token'), path.join(dest, 'token'))).error?.code).toBe('path-denied');
    expect(contents(dest)).toEqual([]);
  });

  it('a symlinked parent escaping the roots is refused, with or without parents', async () => {
    const d = area('escape');
    fs.symlinkSync(outside, path.join(d, 'escape'));
    const direct = await push(smallFile(), path.join(d, 'escape', 'f.txt'));
    expect(direct).toMatchObject({ state: 'failed', error: { code: 'scope-denied' } });
    const viaParents = await push(smallFile(), path.join(d, 'escape', 'new', 'f.txt'), { parents: true });
    expect(viaParents).toMatchObject({ state: 'failed', error: { code: 'scope-denied' } });
    expect(contents(outside)).toEqual([]);
    expect(contents(d)).toEqual(['escape']);
  });

  it('a destination that is itself a symlink is never followed, not even with force', async () => {
    const d = area('final-link');
    fs.writeFileSync(path.join(outside, 'victim'), 'untouched');
    fs.symlinkSync(outside, path.join(d, 'to-dir'));
    fs.symlinkSync(path.join(outside, 'victim'), path.join(d, 'to-file'));
    expect((await push(smallFile(), path.join(d, 'to-dir'))).error?.code).toBe('destination-exists');
    expect((await push(smallFile(), path.join(d, 'to-file'), { force: true })).error?.code).toBe('destination-exists');
    expect(contents(outside)).toEqual(['victim']);
    expect(fs.readFileSync(path.join(outside, 'victim'), 'utf8')).toBe('untouched');
    expect(fs.readlinkSync(path.join(d, 'to-file'))).toBe(path.join(outside, 'victim'));
    fs.rmSync(path.join(outside, 'victim'));
  });
});

describe('what a malicious peer sends', () => {
  it('a wrong hash at commit: 422 hash-mismatch, nothing kept, no temporary file', async () => {
    const d = area('hash');
    const up = uploadsAs(p.b, p.a.peerPort!);
    const data = Buffer.from('the real content');
    const created = await up.create({ path: path.join(d, 'f'), kind: 'file', size: data.length });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect((await up.put(id, 0, data)).status).toBe(200);
    const wrong = sha256('something else');
    const res = await up.commit(id, data.length, wrong);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'hash-mismatch', details: { expected: wrong, actual: sha256(data) } } });
    expect(contents(d)).toEqual([]);
    expect((await up.state(id)).body).toMatchObject({ state: 'failed' });
    // A failed upload stays failed: committing again with the right hash puts nothing in place.
    expect((await up.commit(id, data.length, sha256(data))).status).toBe(409);
    expect(contents(d)).toEqual([]);
  });

  it('past files.maxBytes: 413 file-too-large, announced or not; transfers fail with it, both ways', async () => {
    const d = area('big');
    const big = path.join(tempDir(), 'big.bin');
    writeRandom(big, LIMIT + 1);
    const pushed = await push(big, d);
    expect(pushed).toMatchObject({ state: 'failed', error: { code: 'file-too-large' } });
    const up = uploadsAs(p.b, p.a.peerPort!);
    const created = await up.create({ path: path.join(d, 'unannounced'), kind: 'file' });
    const id = (created.body as { id: string }).id;
    const over = await up.put(id, 0, fs.readFileSync(big));
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ error: { code: 'file-too-large' } });
    expect(contents(d)).toEqual([]);
    // Pulled: bravo's own limit refuses it.
    fs.copyFileSync(big, path.join(tempDir(), 'also-big.bin'));
    const there = path.join(tempDir(), 'on-alpha.bin');
    fs.copyFileSync(big, there);
    const back = tempDir();
    expect((await pull(there, back)).error?.code).toBe('file-too-large');
    expect(contents(back)).toEqual([]);
  });

  // Packing fails once the bytes flow: before the fix, the failing stream was an unhandled
  // 'error' in the sending daemon (it died), and between two local paths it was retried as a
  // broken link for files.retryForMs.
  it('a directory the sender cannot pack fails at once with the reason, the sender stays up, no upload left behind', async () => {
    const d = area('unpackable');
    const big = path.join(tempDir(), 'big-tree');
    fs.mkdirSync(big);
    writeRandom(path.join(big, 'one.bin'), LIMIT / 2 + 1);
    writeRandom(path.join(big, 'two.bin'), LIMIT / 2 + 1);
    expect(await push(big, d)).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'archive-too-large' } });
    const odd = path.join(tempDir(), 'with-fifo');
    fs.mkdirSync(odd);
    fs.writeFileSync(path.join(odd, 'a.txt'), 'a');
    execFileSync('mkfifo', [path.join(odd, 'pipe')]);
    expect(await push(odd, d)).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'archive-unsupported-entry' } });
    const local = await transfer(p.b, { direction: 'push', source: odd, destination: tempDir() }, 10_000);
    expect(local).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'archive-unsupported-entry' } });
    expect(isAlive(p.b.proc.pid!)).toBe(true);
    await waitFor(() => contents(d).length === 0, 5_000, 'the abandoned uploads to be removed');
  });

  it('a tar with ../, absolute or through-a-symlink entries: 422 archive-unsafe-path, nothing outside, no temporary left', async () => {
    const d = area('tars');
    const up = uploadsAs(p.b, p.a.peerPort!);
    const evil: Record<string, { name: string; type?: 'symlink'; linkname?: string; body?: string }[]> = {
      dotdot: [{ name: 'ok.txt', body: 'fine' }, { name: '../escaped.txt', body: 'pwned' }],
      nested: [{ name: 'sub/../../escaped.txt', body: 'pwned' }],
      absolute: [{ name: path.join(outside, 'abs.txt'), body: 'pwned' }],
      symlink: [{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/through.txt', body: 'pwned' }],
    };
    for (const [name, entries] of Object.entries(evil)) {
      const pack = tar.pack();
      for (const e of entries) pack.entry({ name: e.name, ...(e.type ? { type: e.type, linkname: e.linkname } : {}) }, e.body ?? '');
      pack.finalize();
      const chunks: Buffer[] = [];
      for await (const c of pack) chunks.push(c as Buffer);
      const archive = Buffer.concat(chunks);
      const created = await up.create({ path: path.join(d, name), kind: 'archive' });
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      expect((await up.put(id, 0, archive)).status).toBe(200);
      const res = await up.commit(id, archive.length, sha256(archive));
      expect(res.status, name).toBe(422);
      expect(res.body, name).toMatchObject({ error: { code: 'archive-unsafe-path' } });
      expect((await up.state(id)).body).toMatchObject({ state: 'failed' });
    }
    expect(contents(d)).toEqual([]);
    expect(contents(root).filter((rel) => rel.includes('escaped'))).toEqual([]);
    expect(contents(outside)).toEqual([]);
  });
});

describe('an existing destination', () => {
  it('a file: destination-exists without force; with force it is replaced', async () => {
    const d = area('exists-file');
    fs.writeFileSync(path.join(d, 'f.txt'), 'old');
    const refused = await push(smallFile('new'), path.join(d, 'f.txt'));
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'destination-exists' } });
    expect(fs.readFileSync(path.join(d, 'f.txt'), 'utf8')).toBe('old');
    const forced = await push(smallFile('new'), path.join(d, 'f.txt'), { force: true });
    expect(forced.state).toBe('done');
    expect(fs.readFileSync(path.join(d, 'f.txt'), 'utf8')).toBe('new');
    // Pulled onto an existing local file: the same rule on bravo's side.
    const local = path.join(tempDir(), 'here.txt');
    fs.writeFileSync(local, 'mine');
    expect((await pull(path.join(d, 'f.txt'), local)).error?.code).toBe('destination-exists');
    expect(fs.readFileSync(local, 'utf8')).toBe('mine');
    expect((await pull(path.join(d, 'f.txt'), local, { force: true })).state).toBe('done');
    expect(fs.readFileSync(local, 'utf8')).toBe('new');
    expect(strays(d)).toEqual([]);
  });

  it('a directory: destination-exists without force; with force the old tree is replaced whole', async () => {
    const d = area('exists-dir');
    fs.mkdirSync(path.join(d, 'tree', 'old-sub'), { recursive: true });
    fs.writeFileSync(path.join(d, 'tree', 'old-sub', 'stale.txt'), 'stale');
    const src = path.join(tempDir(), 'tree');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'fresh.txt'), 'fresh');
    const refused = await push(src, d);
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'destination-exists' } });
    expect(contents(path.join(d, 'tree'))).toEqual(['old-sub', 'old-sub/stale.txt']);
    const forced = await push(src, d, { force: true });
    expect(forced).toMatchObject({ state: 'done', finalPath: path.join(d, 'tree') });
    expect(contents(path.join(d, 'tree'))).toEqual(['fresh.txt']);
    // A file never replaces a directory, even with force.
    const f = path.join(tempDir(), 'tree');
    fs.writeFileSync(f, 'a file');
    expect((await push(f, d, { force: true })).error?.code).toBe('destination-exists');
    expect(contents(d)).toEqual(['tree', 'tree/fresh.txt']);
    expect(await sha256File(path.join(d, 'tree', 'fresh.txt'))).toBe(sha256('fresh'));
  });
});
