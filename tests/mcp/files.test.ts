import fs from 'node:fs';
import path from 'node:path';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirListing, Transfer } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { contents, filePair, MB, sha256, sha256File, strays, tempDir, writeRandom, type FilePair } from '../helpers/files.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { connectMcp, errorOf, structured, textOf, type Connected } from './connect.js';

// bravo runs the agent's MCP server and starts every transfer; alpha is the peer, and grants
// bravo file roots in the temp dir only (its trusted default, ~, is not for tests to write in).
let p: FilePair;
let c: Connected;
beforeAll(async () => {
  p = await filePair();
  c = await connectMcp(p.b.client);
});
afterAll(async () => {
  await c?.close();
  await p?.a.stop();
  await p?.b.stop();
});

type Args = Record<string, unknown>;
const call = (name: string, args: Args) => c.mcp.callTool({ name, arguments: args });
const transferOf = (result: unknown) => structured<{ transfer: Transfer }>(result).transfer;
const transfersOnBravo = async () => (await p.b.client.transfers({ limit: 500 })).items.length;

/** A file tree with a nested directory and a symlink, and each file's SHA-256 by relative path. */
function makeTree(root: string): Record<string, string> {
  fs.mkdirSync(path.join(root, 'sub', 'deeper'), { recursive: true });
  writeRandom(path.join(root, 'a.bin'), 300_000);
  fs.writeFileSync(path.join(root, 'sub', 'b.txt'), 'bee\n');
  fs.writeFileSync(path.join(root, 'sub', 'deeper', 'c.txt'), 'sea\n');
  fs.symlinkSync('sub/b.txt', path.join(root, 'link'));
  return hashes(root);
}

function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of contents(root)) {
    const full = path.join(root, rel);
    const st = fs.lstatSync(full);
    if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(full)}`;
    else if (st.isFile()) out[rel] = sha256(fs.readFileSync(full));
    else out[rel] = 'dir';
  }
  return out;
}

describe('ferry_list_remote_files', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'hello');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('a.txt', path.join(dir, 'link'));
  });

  const byName = (l: DirListing) => Object.fromEntries(l.entries.map((e) => [e.name, e]));

  it("lists a directory on the peer, with each entry's type, size and a symlink's target", async () => {
    const result = await call('ferry_list_remote_files', { path: dir, peer: 'alpha' });
    expect(result.isError).toBeFalsy();
    const listing = structured<DirListing>(result);
    expect(listing).toMatchObject({ path: dir, truncated: false });
    const e = byName(listing);
    expect(Object.keys(e).sort()).toEqual(['a.txt', 'link', 'sub']);
    expect(e['a.txt']).toMatchObject({ type: 'file', size: 5 });
    expect(e.sub).toMatchObject({ type: 'dir' });
    expect(e.link).toMatchObject({ type: 'symlink', target: 'a.txt' });
    const text = textOf(result);
    expect(text).toContain(`${dir} on alpha: 3 entries`);
    expect(text).toContain('sub/');
    expect(text).toContain('link -> a.txt');
  });

  it('lists a directory of this machine without peer', async () => {
    const result = await call('ferry_list_remote_files', { path: dir });
    const listing = structured<DirListing>(result);
    expect(Object.keys(byName(listing)).sort()).toEqual(['a.txt', 'link', 'sub']);
    expect(textOf(result)).toContain(`${dir}: 3 entries`);
    expect(textOf(result)).not.toContain('on alpha');
  });

  it("answers scope-denied outside the peer's roots, path-not-found, path-denied and peer-not-found, each with a hint", async () => {
    const denied = errorOf(await call('ferry_list_remote_files', { path: '/etc', peer: 'alpha' }));
    expect(denied.code).toBe('scope-denied');
    expect(denied.hint).toBeTruthy();

    const missing = errorOf(await call('ferry_list_remote_files', { path: path.join(dir, 'nope'), peer: 'alpha' }));
    expect(missing.code).toBe('path-not-found');
    expect(missing.hint).toContain('ferry_list_remote_files');

    // The daemon's own data dir, here or there, is never reachable.
    const own = errorOf(await call('ferry_list_remote_files', { path: p.b.home }));
    expect(own.code).toBe('path-denied');
    expect(own.hint).toContain('data dir');

    const nobody = errorOf(await call('ferry_list_remote_files', { path: dir, peer: 'nobody-here' }));
    expect(nobody.code).toBe('peer-not-found');
    expect(nobody.hint).toContain('ferry_list_peers');
  });

  it('refuses a relative path before asking anyone', async () => {
    const result = await call('ferry_list_remote_files', { path: 'relative/dir', peer: 'alpha' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Input validation error/);
  });
});

describe('ferry_transfer_file', () => {
  it('pushes a file to the peer and returns the verified transfer, with progress notifications', async () => {
    const src = path.join(tempDir(), 'pushed.bin');
    writeRandom(src, 8 * MB);
    const want = await sha256File(src);
    const there = tempDir();

    const notes: Progress[] = [];
    const result = await c.mcp.callTool({ name: 'ferry_transfer_file', arguments: { direction: 'push', peer: 'alpha', source: src, destination: there } }, undefined, {
      onprogress: (n) => notes.push(n),
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const t = transferOf(result);
    const landed = path.join(there, 'pushed.bin');
    expect(t).toMatchObject({ state: 'done', direction: 'push', peer: 'alpha', kind: 'file', bytes: 8 * MB, total: 8 * MB, sha256: want, finalPath: landed, error: null });
    // On alpha's disk, the same bytes; no temporary left beside it.
    expect(await sha256File(landed)).toBe(want);
    expect(strays(there)).toEqual([]);
    expect(textOf(result)).toContain(`Transfer ${t.id} done: ${src} → alpha:${landed}`);
    expect(textOf(result)).toContain(want);

    // Progress: "started" first, "done" last with the whole size, growing in between.
    expect(notes.length).toBeGreaterThanOrEqual(2);
    expect(notes[0]?.message).toBe(`transfer ${t.id} started: ${src} → alpha:${there}`);
    expect(notes.at(-1)).toMatchObject({ progress: 8 * MB, total: 8 * MB, message: `done: ${src} → alpha:${landed}` });
    const values = notes.map((n) => n.progress);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]!);
  });

  it("pulls a peer's file here, hash checked on disk", async () => {
    const src = path.join(tempDir(), 'pulled.bin');
    writeRandom(src, 1 * MB + 17);
    const want = await sha256File(src);
    const here = tempDir();
    const result = await call('ferry_transfer_file', { direction: 'pull', peer: 'alpha', source: src, destination: path.join(here, 'renamed.bin') });
    const t = transferOf(result);
    expect(t).toMatchObject({ state: 'done', direction: 'pull', kind: 'file', sha256: want, finalPath: path.join(here, 'renamed.bin') });
    expect(await sha256File(path.join(here, 'renamed.bin'))).toBe(want);
    expect(textOf(result)).toContain(`alpha:${src} → ${path.join(here, 'renamed.bin')}`);
  });

  it('pushes a directory: every file, the nested directories and the symlink arrive', async () => {
    const root = path.join(tempDir(), 'tree');
    fs.mkdirSync(root);
    const want = makeTree(root);
    const there = tempDir();
    const t = transferOf(await call('ferry_transfer_file', { direction: 'push', peer: 'alpha', source: root, destination: there }));
    expect(t).toMatchObject({ state: 'done', kind: 'archive', finalPath: path.join(there, 'tree') });
    expect(hashes(path.join(there, 'tree'))).toEqual(want);
    expect(strays(there)).toEqual([]);
  });

  it("pulls a peer's directory, creating missing parents when asked", async () => {
    const root = path.join(tempDir(), 'remote-tree');
    fs.mkdirSync(root);
    const want = makeTree(root);
    const dest = path.join(tempDir(), 'new', 'parents', 'copy');
    const t = transferOf(await call('ferry_transfer_file', { direction: 'pull', peer: 'alpha', source: root, destination: dest, parents: true }));
    expect(t).toMatchObject({ state: 'done', kind: 'archive', finalPath: dest });
    expect(hashes(dest)).toEqual(want);
  });

  it('refuses an existing destination without force (nothing changes), and replaces it with force', async () => {
    const src = path.join(tempDir(), 'new.txt');
    fs.writeFileSync(src, 'new contents\n');
    const target = path.join(tempDir(), 'existing.txt');
    fs.writeFileSync(target, 'old contents\n');

    const refused = await call('ferry_transfer_file', { direction: 'push', peer: 'alpha', source: src, destination: target });
    const error = errorOf(refused);
    expect(error.code).toBe('destination-exists');
    expect(error.hint).toContain('force: true');
    expect(textOf(refused)).toContain('Error [destination-exists]');
    // The failed transfer is in the details, for the curious.
    expect((error as { details?: { transfer?: Transfer } }).details?.transfer).toMatchObject({ state: 'failed' });
    expect(fs.readFileSync(target, 'utf8')).toBe('old contents\n');

    const forced = await call('ferry_transfer_file', { direction: 'push', peer: 'alpha', source: src, destination: target, force: true });
    expect(transferOf(forced)).toMatchObject({ state: 'done', finalPath: target });
    expect(fs.readFileSync(target, 'utf8')).toBe('new contents\n');
  });

  it("answers scope-denied for a peer's path outside the roots it grants, and writes nothing here", async () => {
    const here = tempDir();
    const result = await call('ferry_transfer_file', { direction: 'pull', peer: 'alpha', source: '/etc/passwd', destination: here });
    const error = errorOf(result);
    expect(error.code).toBe('scope-denied');
    expect(error.hint).toContain('Do not retry in a loop');
    expect(contents(here)).toEqual([]);
  });

  it('answers path-not-found for a source that does not exist', async () => {
    const result = await call('ferry_transfer_file', { direction: 'push', peer: 'alpha', source: path.join(tempDir(), 'missing'), destination: tempDir() });
    expect(errorOf(result).code).toBe('path-not-found');
  });

  it('answers peer-not-found for a name that is not paired, and starts no transfer', async () => {
    const before = await transfersOnBravo();
    const result = await call('ferry_transfer_file', { direction: 'push', peer: 'nobody-here', source: '/tmp', destination: '/tmp' });
    const error = errorOf(result);
    expect(error.code).toBe('peer-not-found');
    expect(error.hint).toContain('ferry_list_peers');
    expect(await transfersOnBravo()).toBe(before);
  });

  it.each([
    ['a relative source', { direction: 'push', peer: 'alpha', source: 'relative.txt', destination: '/tmp' }],
    ['a relative destination', { direction: 'pull', peer: 'alpha', source: '/tmp/x', destination: 'here/x' }],
    ['no peer', { direction: 'push', source: '/tmp/x', destination: '/tmp/y' }],
    ['an unknown direction', { direction: 'sideways', peer: 'alpha', source: '/tmp/x', destination: '/tmp/y' }],
    ['an unknown argument', { direction: 'push', peer: 'alpha', source: '/tmp/x', destination: '/tmp/y', token: 'secret' }],
  ])('refuses %s before any transfer starts', async (_what, args) => {
    const before = await transfersOnBravo();
    const result = await call('ferry_transfer_file', args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Input validation error/);
    expect(await transfersOnBravo()).toBe(before);
  });
});

describe('ferry_transfer_file cancelled', () => {
  // charlie is paired with bravo, then stopped: a push to it keeps retrying (the link is down),
  // so the transfer is surely still running when the call is cancelled.
  let charlie: SpawnedDaemon;
  beforeAll(async () => {
    charlie = await spawnDaemon({ env: { FERRY_NAME: 'charlie' } });
    await pair(p.b, charlie);
    await charlie.stop();
  });
  afterAll(async () => {
    await charlie?.kill();
  });

  it('while the daemon retries an unreachable peer, each new attempt is a progress note (progress still growing)', async () => {
    const src = path.join(tempDir(), 'retried.bin');
    writeRandom(src, 64 * 1024);
    const abort = new AbortController();
    const notes: { progress: number; message?: string }[] = [];
    const pending = c.mcp.callTool({ name: 'ferry_transfer_file', arguments: { direction: 'push', peer: 'charlie', source: src, destination: '/tmp' } }, undefined, {
      signal: abort.signal,
      timeout: 60_000,
      onprogress: (n) => {
        notes.push(n);
        if (/attempt [3-9]/.test(n.message ?? '')) abort.abort();
      },
    });
    await expect(pending).rejects.toThrow();
    const retries = notes.filter((n) => /attempt \d/.test(n.message ?? ''));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < notes.length; i++) expect(notes[i]!.progress).toBeGreaterThan(notes[i - 1]!.progress);
    // Nothing moved: the bytes stay 0, only the thousandths grow.
    expect(notes.at(-1)!.progress).toBeLessThan(1);
  });

  it('cancels the transfer on the daemon when the call is cancelled', async () => {
    const src = path.join(tempDir(), 'never-arrives.bin');
    writeRandom(src, 64 * 1024);
    const abort = new AbortController();
    let id: string | undefined;
    const pending = c.mcp.callTool({ name: 'ferry_transfer_file', arguments: { direction: 'push', peer: 'charlie', source: src, destination: '/tmp' } }, undefined, {
      signal: abort.signal,
      onprogress: (n) => {
        id ??= /^transfer (\S+) started/.exec(n.message ?? '')?.[1];
        if (id) abort.abort();
      },
    });
    await expect(pending).rejects.toThrow();
    expect(id).toBeDefined();
    let last: Transfer | undefined;
    await waitFor(async () => (last = await p.b.client.transfer(id!)).state !== 'running', 15_000, 'the transfer to end');
    expect(last).toMatchObject({ state: 'canceled', error: { code: 'canceled' } });
    // The server is still fine afterwards.
    expect((await call('ferry_list_remote_files', { path: tempDir() })).isError).toBeFalsy();
  });
});
