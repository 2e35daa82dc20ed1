import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transfer } from '../../server/protocol/index.js';
import { allocated, contents, filePair, MB, sha256, sha256File, strays, tempDir, transfer, writeRandom, writeSparse, type FilePair } from '../helpers/files.js';

// Every case goes there and back between two real daemons: bravo pushes its file to alpha, then
// pulls alpha's copy back, and all three must be the same bytes (and metadata).

let p: FilePair;
beforeAll(async () => {
  p = await filePair();
});
afterAll(async () => {
  await p?.a.kill();
  await p?.b.kill();
});

interface Trip {
  pushed: Transfer;
  pulled: Transfer;
  /** alpha's copy, and the copy pulled back from it. */
  there: string;
  back: string;
}

async function roundTrip(src: string, timeoutMs = 60_000): Promise<Trip> {
  const thereDir = tempDir();
  const pushed = await transfer(p.b, { direction: 'push', peer: 'alpha', source: src, destination: thereDir }, timeoutMs);
  expect(pushed.error).toBeNull();
  expect(pushed).toMatchObject({ state: 'done', finalPath: path.join(thereDir, path.basename(src)) });
  const backDir = tempDir();
  const pulled = await transfer(p.b, { direction: 'pull', peer: 'alpha', source: pushed.finalPath!, destination: backDir }, timeoutMs);
  expect(pulled.error).toBeNull();
  expect(pulled).toMatchObject({ state: 'done', finalPath: path.join(backDir, path.basename(src)) });
  expect(strays(thereDir)).toEqual([]);
  expect(strays(backDir)).toEqual([]);
  return { pushed, pulled, there: pushed.finalPath!, back: pulled.finalPath! };
}

async function fileTrip(src: string): Promise<Trip> {
  const want = await sha256File(src);
  const size = fs.statSync(src).size;
  const trip = await roundTrip(src);
  for (const t of [trip.pushed, trip.pulled]) expect(t).toMatchObject({ kind: 'file', bytes: size, total: size, sha256: want });
  for (const copy of [trip.there, trip.back]) {
    expect(fs.lstatSync(copy).isFile()).toBe(true);
    expect(fs.statSync(copy).size).toBe(size);
    expect(await sha256File(copy)).toBe(want);
  }
  return trip;
}

/** What a directory transfer promises to keep, comparable between two trees. */
function describeTree(root: string): unknown[] {
  return contents(root).map((rel) => {
    const full = path.join(root, rel);
    const st = fs.lstatSync(full);
    if (st.isSymbolicLink()) return { rel, type: 'symlink', target: fs.readlinkSync(full) };
    if (st.isDirectory()) return { rel, type: 'dir', mode: st.mode & 0o777, mtime: Math.floor(st.mtimeMs / 1000) };
    return { rel, type: 'file', mode: st.mode & 0o777, mtime: Math.floor(st.mtimeMs / 1000), sha: sha256(fs.readFileSync(full)) };
  });
}

describe('file round trips (push, then pull back) between two daemons', () => {
  it('an empty file', async () => {
    const src = path.join(tempDir(), 'empty');
    fs.writeFileSync(src, '');
    const trip = await fileTrip(src);
    expect(trip.pushed.sha256).toBe(sha256(''));
  });

  it('a small file, with its mode and mtime', async () => {
    const src = path.join(tempDir(), 'small.bin');
    writeRandom(src, 12_345);
    fs.chmodSync(src, 0o640);
    fs.utimesSync(src, new Date('2021-03-04T05:06:07Z'), new Date('2021-03-04T05:06:07Z'));
    const trip = await fileTrip(src);
    for (const copy of [trip.there, trip.back]) {
      expect(fs.statSync(copy).mode & 0o777).toBe(0o640);
      expect(fs.statSync(copy).mtime.toISOString()).toBe('2021-03-04T05:06:07.000Z');
    }
  });

  it('a 100 MB file', async () => {
    const src = path.join(tempDir(), 'hundred.bin');
    writeRandom(src, 100 * MB);
    await fileTrip(src);
  });

  it('a 200 MB sparse file: same bytes (holes arrive as written zeros)', async () => {
    const src = path.join(tempDir(), 'sparse.img');
    writeSparse(src, 200 * MB);
    expect(allocated(src)).toBeLessThan(10 * MB);
    const trip = await fileTrip(src);
    // Not a promise of the contract, recorded so a change shows: the receiver writes every byte it
    // gets, so the holes become allocated zeros on both the pushed and the pulled copy.
    console.log(`sparse: source allocates ${allocated(src)} B; pushed copy ${allocated(trip.there)} B; pulled copy ${allocated(trip.back)} B`);
  });

  it('an empty directory', async () => {
    const src = path.join(tempDir(), 'nothing-here');
    fs.mkdirSync(src);
    const trip = await roundTrip(src);
    expect(trip.pushed.kind).toBe('archive');
    expect(contents(trip.there)).toEqual([]);
    expect(contents(trip.back)).toEqual([]);
  });

  it('a directory tree with symlinks inside and pointing outside: kept as symlinks, targets verbatim, nothing written outside', async () => {
    const outside = tempDir('ferry-outside-');
    const root = path.join(tempDir(), 'tree');
    fs.mkdirSync(path.join(root, 'sub dir', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(root, 'empty'));
    fs.writeFileSync(path.join(root, 'a.txt'), 'alpha');
    writeRandom(path.join(root, 'sub dir', 'b.bin'), 2 * MB);
    fs.writeFileSync(path.join(root, 'sub dir', 'deeper', 'c'), '');
    fs.chmodSync(path.join(root, 'a.txt'), 0o600);
    fs.chmodSync(path.join(root, 'sub dir'), 0o750);
    fs.symlinkSync('sub dir/b.bin', path.join(root, 'inside'));
    fs.symlinkSync('../../../etc/passwd', path.join(root, 'sub dir', 'up-and-out'));
    fs.symlinkSync(outside, path.join(root, 'to-outside'));
    fs.symlinkSync('/nonexistent/ferry/target', path.join(root, 'dangling'));
    const want = describeTree(root);

    const trip = await roundTrip(root);
    expect(trip.pushed.kind).toBe('archive');
    expect(trip.pulled.sha256).toBe(trip.pushed.sha256);
    expect(describeTree(trip.there)).toEqual(want);
    expect(describeTree(trip.back)).toEqual(want);
    expect(fs.readlinkSync(path.join(trip.back, 'to-outside'))).toBe(outside);
    expect(fs.readlinkSync(path.join(trip.there, 'sub dir', 'up-and-out'))).toBe('../../../etc/passwd');
    expect(contents(outside)).toEqual([]);
  });

  it('unicode and space-containing names, for a file and a directory, into a directory named so too', async () => {
    const home = tempDir();
    const file = path.join(home, 'ünï côdé 文件 — report.txt');
    fs.writeFileSync(file, 'übersetzt');
    const dir = path.join(home, 'földer with spaces ñ');
    fs.mkdirSync(path.join(dir, 'sub 子 dir'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub 子 dir', 'naïve café.md'), '# ok');
    fs.writeFileSync(path.join(dir, ' leading and trailing '), 'spaces');

    const named = path.join(tempDir(), 'dést dír ñ');
    fs.mkdirSync(named);
    const pushedFile = await transfer(p.b, { direction: 'push', peer: 'alpha', source: file, destination: named });
    expect(pushedFile).toMatchObject({ state: 'done', finalPath: path.join(named, 'ünï côdé 文件 — report.txt') });
    const pushedDir = await transfer(p.b, { direction: 'push', peer: 'alpha', source: dir, destination: named });
    expect(pushedDir).toMatchObject({ state: 'done', finalPath: path.join(named, 'földer with spaces ñ') });
    expect(fs.readdirSync(named).sort()).toEqual(['földer with spaces ñ', 'ünï côdé 文件 — report.txt']);
    expect(describeTree(path.join(named, 'földer with spaces ñ'))).toEqual(describeTree(dir));

    const back = path.join(tempDir(), 'zurück ñ');
    fs.mkdirSync(back);
    for (const name of ['ünï côdé 文件 — report.txt', 'földer with spaces ñ']) {
      const t = await transfer(p.b, { direction: 'pull', peer: 'alpha', source: path.join(named, name), destination: back });
      expect(t).toMatchObject({ state: 'done', finalPath: path.join(back, name) });
    }
    expect(fs.readFileSync(path.join(back, 'ünï côdé 文件 — report.txt'), 'utf8')).toBe('übersetzt');
    expect(describeTree(path.join(back, 'földer with spaces ñ'))).toEqual(describeTree(dir));
    expect(strays(named)).toEqual([]);
    expect(strays(back)).toEqual([]);
  });
});
