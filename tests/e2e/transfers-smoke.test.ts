import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transfer } from '../../server/protocol/index.js';
import { spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';

let a: SpawnedDaemon;
let b: SpawnedDaemon;
beforeAll(async () => {
  a = await spawnDaemon({ env: { FERRY_NAME: 'alpha' } });
  b = await spawnDaemon({ env: { FERRY_NAME: 'bravo' } });
  await pair(a, b);
  // Trusted means the home directory; these tests work in the temp directory.
  const policy = (await a.client.peers()).items.find((p) => p.name === 'bravo')!.policy!;
  const tmp = fs.realpathSync(os.tmpdir());
  await a.client.updatePeer('bravo', { policy: { ...policy, files: { mode: 'roots', read: [tmp], write: [tmp] } } });
});
afterAll(async () => {
  await a?.kill();
  await b?.kill();
});

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
async function finished(d: SpawnedDaemon, t: Transfer): Promise<Transfer> {
  let last = t;
  await waitFor(async () => (last = await d.client.request<Transfer>('GET', `/transfers/${t.id}`)).state !== 'running', 60_000, 'transfer to end');
  return last;
}

describe('transfers between two paired daemons', () => {
  it('pushes a file and pulls it back with the same hash', async () => {
    const src = path.join(tempHome(), 'data.bin');
    fs.writeFileSync(src, crypto.randomBytes(3_000_000));
    const dest = fs.realpathSync(tempHome());
    const pushed = await finished(b, await b.client.request<Transfer>('POST', '/transfers', { body: { direction: 'push', peer: 'alpha', source: src, destination: dest } }));
    expect(pushed.error).toBeNull();
    expect(pushed).toMatchObject({ state: 'done', finalPath: path.join(dest, 'data.bin'), bytes: 3_000_000 });
    expect(sha(path.join(dest, 'data.bin'))).toBe(sha(src));
    const back = path.join(fs.realpathSync(tempHome()), 'back.bin');
    const pulled = await finished(b, await b.client.request<Transfer>('POST', '/transfers', { body: { direction: 'pull', peer: 'alpha', source: path.join(dest, 'data.bin'), destination: back } }));
    expect(pulled.state).toBe('done');
    expect(sha(back)).toBe(sha(src));
  });

  it('pushes a directory tree with a symlink inside and one pointing outside', async () => {
    const root = path.join(tempHome(), 'tree');
    fs.mkdirSync(path.join(root, 'sub dir'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sub dir', 'ünï côdé.txt'), 'hello');
    fs.symlinkSync('sub dir/ünï côdé.txt', path.join(root, 'inside-link'));
    fs.symlinkSync('/etc/passwd', path.join(root, 'outside-link'));
    const dest = fs.realpathSync(tempHome());
    const t = await finished(b, await b.client.request<Transfer>('POST', '/transfers', { body: { direction: 'push', peer: 'alpha', source: root, destination: dest } }));
    expect(t.state).toBe('done');
    const out = path.join(dest, 'tree');
    expect(fs.readFileSync(path.join(out, 'sub dir', 'ünï côdé.txt'), 'utf8')).toBe('hello');
    expect(fs.readlinkSync(path.join(out, 'inside-link'))).toBe('sub dir/ünï côdé.txt');
    expect(fs.readlinkSync(path.join(out, 'outside-link'))).toBe('/etc/passwd');
    expect(fs.readdirSync(dest).filter((n) => n.startsWith('.ferry-'))).toEqual([]);
  });
});
