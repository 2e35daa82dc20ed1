import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArchiveError, extractArchive, packDirectory, type ArchiveLimits } from '../../server/files/archive.js';

const LIMITS: ArchiveLimits = { maxBytes: 1024 ** 3, maxEntries: 10_000 };
const MB = 1024 * 1024;

const temps: string[] = [];
function tmpDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-archive-')));
  temps.push(dir);
  return dir;
}
/** rm -rf that also works as a non-root user on trees holding 0o555 directories. */
function removeTree(dir: string): void {
  const open = (p: string): void => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return;
    fs.chmodSync(p, 0o700);
    for (const name of fs.readdirSync(p)) open(path.join(p, name));
  };
  open(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
afterEach(() => {
  for (const dir of temps.splice(0)) removeTree(dir);
});

const sha256 = (data: Buffer): string => crypto.createHash('sha256').update(data).digest('hex');

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (err: unknown) => err);

/** Everything about a tree the archive promises to keep, in a comparable form. */
function describeTree(root: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(root, r);
      const st = fs.lstatSync(full);
      const mtime = Math.floor(st.mtimeMs / 1000);
      if (st.isSymbolicLink()) out.push({ path: r, type: 'symlink', target: fs.readlinkSync(full), mtime });
      else if (st.isDirectory()) {
        out.push({ path: r, type: 'dir', mode: st.mode & 0o7777, mtime });
        walk(r);
      } else {
        out.push({ path: r, type: 'file', mode: st.mode & 0o7777, mtime, size: st.size, nlink: st.nlink, sha: sha256(fs.readFileSync(full)) });
      }
    }
  };
  walk('');
  return out;
}

/** Paths, types and sizes below `base`, leaving out `skip`: what "nothing written outside" checks. */
function snapshot(base: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (full === skip) continue;
      const st = fs.lstatSync(full);
      out.push(`${path.relative(base, full)} ${st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.size}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(base);
  return out;
}

/** base/dest (empty, the extraction target) next to base/sentinel (must stay as it is). */
function sandbox(): { base: string; dest: string; sentinel: string } {
  const base = tmpDir();
  const dest = path.join(base, 'dest');
  const sentinel = path.join(base, 'sentinel');
  fs.mkdirSync(dest);
  fs.mkdirSync(sentinel);
  fs.writeFileSync(path.join(sentinel, 'keep'), 'keep');
  return { base, dest, sentinel };
}

/** Sets every entry's mtime, children before parents (touching a child leaves its parent's mtime alone). */
function setMtimes(root: string, at: (index: number) => number): void {
  const all: string[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      all.push(r);
      if (fs.lstatSync(path.join(root, r)).isDirectory()) walk(r);
    }
  };
  walk('');
  all.sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
  all.forEach((rel, i) => fs.lutimesSync(path.join(root, rel), at(i), at(i)));
}

/** A tree with everything the archive format has to carry. */
function buildSource(root: string, outside: string): void {
  const file = (rel: string, data: string | Buffer, mode = 0o644): void => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
    fs.chmodSync(path.join(root, rel), mode);
  };
  file('bin/run.sh', '#!/bin/sh\necho hi\n', 0o755);
  file('secret.txt', 'only me', 0o600);
  file('empty.txt', '');
  fs.mkdirSync(path.join(root, 'empty-dir'));
  file('private/note.txt', 'note');
  file('readonly/inner/file.txt', 'inside a read-only dir');
  file('readonly/top.txt', 'top');
  file('nested/a/b/c/deep.txt', crypto.randomBytes(70_000));
  file('héllo wörld ✓.txt', 'unicode');
  file('dir with spaces/file name.txt', 'spaces');
  file('日本語/ファイル.txt', 'kanji');
  file(`${'l'.repeat(60)}/${'m'.repeat(60)}/${'n'.repeat(60)}.txt`, 'long path');
  file(`long-${'x'.repeat(150)}`, 'long name');
  file('file-a', 'linked twice');
  fs.linkSync(path.join(root, 'file-a'), path.join(root, 'hard-b'));
  fs.symlinkSync('nested/a/b/c/deep.txt', path.join(root, 'link-in'));
  fs.symlinkSync(path.relative(root, path.join(outside, 'secret')), path.join(root, 'link-out'));
  fs.symlinkSync(path.join(outside, 'abs-target'), path.join(root, 'link-abs'));
  fs.symlinkSync(`${'y/'.repeat(60)}z`, path.join(root, 'link-long'));
  fs.chmodSync(path.join(root, 'private'), 0o700);
  fs.chmodSync(path.join(root, 'readonly'), 0o555);
  setMtimes(root, (i) => 1_600_000_000 + i * 7);
}

interface TarEntry {
  name: string;
  type?: 'file' | 'link' | 'symlink' | 'directory' | 'fifo' | 'character-device' | 'block-device';
  linkname?: string;
  mode?: number;
  data?: string | Buffer;
  pax?: Record<string, string>;
}

async function buildTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { data, ...header } of entries) {
    const h = { mtime: new Date(1_600_000_000_000), ...header };
    // A file entry without a buffer waits for its body to be written; give it an empty one.
    if (data === undefined && header.type !== undefined && header.type !== 'file') pack.entry(h);
    else pack.entry(h, data ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function extractBuffer(archive: Buffer, dest: string, limits = LIMITS): Promise<{ entries: number; bytes: number }> {
  return extractArchive(Readable.from([archive]), dest, { ...limits, fsync: false });
}

/** Extracts into a sandbox, expects `code`, and checks nothing appeared or changed outside dest. */
async function expectRefused(archive: Buffer, code: ArchiveError['code'], limits = LIMITS): Promise<ArchiveError> {
  const { base, dest } = sandbox();
  const before = snapshot(base, dest);
  const err = await failure(extractBuffer(archive, dest, limits));
  expect(err).toBeInstanceOf(ArchiveError);
  expect((err as ArchiveError).code).toBe(code);
  expect(snapshot(base, dest)).toEqual(before);
  return err as ArchiveError;
}

describe('packDirectory + extractArchive round trip', () => {
  it('keeps names, contents, modes, mtimes and symlinks (targets verbatim) and writes nothing outside', async () => {
    const { base, dest, sentinel } = sandbox();
    const src = tmpDir();
    buildSource(src, sentinel);
    const before = snapshot(base, dest);

    const result = await extractArchive(packDirectory(src, LIMITS), dest, { ...LIMITS, fsync: true });

    const want = describeTree(src).map((e) => (e.path === 'file-a' || e.path === 'hard-b' ? { ...e, nlink: 1 } : e));
    expect(describeTree(dest)).toEqual(want);
    expect(fs.readlinkSync(path.join(dest, 'link-out'))).toBe(fs.readlinkSync(path.join(src, 'link-out')));
    expect(fs.readlinkSync(path.join(dest, 'link-abs'))).toBe(path.join(sentinel, 'abs-target'));
    expect(fs.statSync(path.join(dest, 'readonly')).mode & 0o777).toBe(0o555);
    expect(fs.statSync(path.join(dest, 'bin/run.sh')).mode & 0o777).toBe(0o755);
    expect(snapshot(base, dest)).toEqual(before);
    expect(result.entries).toBe(describeTree(src).length);
    expect(result.bytes).toBe(describeTree(src).reduce((n, e) => n + ((e.size as number | undefined) ?? 0), 0));
  });

  it('keeps mtimes ustar cannot hold (after 2038) through pax', async () => {
    const src = tmpDir();
    fs.writeFileSync(path.join(src, 'future.txt'), 'later');
    fs.utimesSync(path.join(src, 'future.txt'), 4_000_000_000, 4_000_000_000);
    const { dest } = sandbox();
    await extractArchive(packDirectory(src, LIMITS), dest, { ...LIMITS, fsync: false });
    expect(Math.floor(fs.statSync(path.join(dest, 'future.txt')).mtimeMs / 1000)).toBe(4_000_000_000);
  });

  it('stores hard links as separate regular files', async () => {
    const src = tmpDir();
    fs.writeFileSync(path.join(src, 'a'), 'same bytes');
    fs.linkSync(path.join(src, 'a'), path.join(src, 'b'));
    const { dest } = sandbox();
    await extractArchive(packDirectory(src, LIMITS), dest, { ...LIMITS, fsync: false });
    const [a, b] = [fs.lstatSync(path.join(dest, 'a')), fs.lstatSync(path.join(dest, 'b'))];
    expect(a.isFile() && b.isFile()).toBe(true);
    expect(a.ino).not.toBe(b.ino);
    expect(fs.readFileSync(path.join(dest, 'b'), 'utf8')).toBe('same bytes');
  });

  it('strips set-uid, set-gid and sticky bits and creates unlisted parents 0o755', async () => {
    const archive = await buildTar([
      { name: 'x/y/tool', mode: 0o4755, data: 'x' },
      { name: 'shared/', type: 'directory', mode: 0o1777 },
      { name: 'late/inner.txt', data: 'i' },
      { name: 'late/', type: 'directory', mode: 0o750 },
    ]);
    const { dest } = sandbox();
    await extractBuffer(archive, dest);
    const mode = (rel: string): number => fs.statSync(path.join(dest, rel)).mode & 0o7777;
    expect(mode('x/y/tool')).toBe(0o755);
    expect(mode('shared')).toBe(0o777);
    expect(mode('x')).toBe(0o755);
    expect(mode('x/y')).toBe(0o755);
    // A directory listed after its contents still gets the mode it was listed with.
    expect(mode('late')).toBe(0o750);
  });

  it('needs an existing empty destination', async () => {
    const { dest } = sandbox();
    fs.writeFileSync(path.join(dest, 'already'), 'x');
    const err = await failure(extractBuffer(await buildTar([{ name: 'a', data: 'a' }]), dest));
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTEMPTY');
  });
});

describe('packDirectory output', () => {
  it('is the same bytes for the same tree, whatever order it was made in, and changes with an mtime', async () => {
    const make = (names: string[]): string => {
      const dir = tmpDir();
      for (const name of names) {
        fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), name);
      }
      setMtimes(dir, () => 1_700_000_000);
      return dir;
    };
    const names = ['a', 'b-c', 'd/e/f', 'd/g', 'z', 'é'];
    const one = make(names);
    const two = make([...names].reverse());
    const first = await collect(packDirectory(one, LIMITS));
    const again = await collect(packDirectory(one, LIMITS));
    const other = await collect(packDirectory(two, LIMITS));
    expect(sha256(again)).toBe(sha256(first));
    expect(other.equals(first)).toBe(true);

    fs.utimesSync(path.join(one, 'd/g'), 1_700_000_001, 1_700_000_001);
    const touched = await collect(packDirectory(one, LIMITS));
    expect(sha256(touched)).not.toBe(sha256(first));
  });

  it('sorts entries by path bytes with uid/gid 0, no user names, and pax for long or non-ASCII names', async () => {
    const src = tmpDir();
    for (const name of ['b', 'a-b', 'é', `${'q'.repeat(120)}`]) fs.writeFileSync(path.join(src, name), name);
    fs.mkdirSync(path.join(src, 'a'));
    fs.writeFileSync(path.join(src, 'a/b'), 'ab');
    const headers: tar.Header[] = [];
    const extract = tar.extract();
    const reading = (async () => {
      for await (const entry of extract) {
        headers.push(entry.header);
        entry.resume();
      }
    })();
    extract.end(await collect(packDirectory(src, LIMITS)));
    await reading;
    expect(headers.map((h) => h.name)).toEqual(['a/', 'a-b', 'a/b', 'b', 'q'.repeat(120), 'é']);
    for (const h of headers) expect([h.uid, h.gid, h.uname, h.gname]).toEqual([0, 0, '', '']);
    expect(headers.filter((h) => h.pax).map((h) => h.name)).toEqual(['q'.repeat(120), 'é']);
  });

  it('refuses a FIFO and names it', async () => {
    const src = tmpDir();
    fs.mkdirSync(path.join(src, 'sub'));
    fs.writeFileSync(path.join(src, 'sub/ok.txt'), 'ok');
    execFileSync('mkfifo', [path.join(src, 'sub/pipe')]);
    const err = await failure(collect(packDirectory(src, LIMITS)));
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).code).toBe('archive-unsupported-entry');
    expect((err as ArchiveError).details).toEqual({ path: 'sub/pipe' });
    expect((err as ArchiveError).message).toContain('sub/pipe');
  });

  it.skipIf(process.platform !== 'linux')('refuses a name that is not valid UTF-8', async () => {
    const src = tmpDir();
    fs.mkdirSync(path.join(src, 'sub'));
    fs.writeFileSync(Buffer.concat([Buffer.from(`${src}/sub/`), Buffer.from([0x66, 0xff])]), 'latin-1 name');
    const err = await failure(collect(packDirectory(src, LIMITS)));
    expect((err as ArchiveError).code).toBe('archive-unsupported-entry');
    expect((err as ArchiveError).message).toContain('sub/f');
  });

  it('enforces the limits before sending anything', async () => {
    const src = tmpDir();
    for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(src, n), '12345');
    const tooMany = await failure(collect(packDirectory(src, { maxBytes: 100, maxEntries: 2 })));
    expect((tooMany as ArchiveError).code).toBe('archive-too-many-entries');
    const tooLarge = await failure(collect(packDirectory(src, { maxBytes: 14, maxEntries: 10 })));
    expect((tooLarge as ArchiveError).code).toBe('archive-too-large');
    expect((await collect(packDirectory(src, { maxBytes: 15, maxEntries: 3 }))).length).toBeGreaterThan(0);
  });

  it.each([
    ['grows', (file: string) => fs.appendFileSync(file, 'more')],
    ['shrinks', (file: string) => fs.truncateSync(file, 1000)],
  ])('fails with archive-source-changed when a file %s while it is read', async (_what, change) => {
    const src = tmpDir();
    const big = path.join(src, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 32 * MB);
    const out = packDirectory(src, LIMITS);
    let changed = false;
    const err = await new Promise((resolve) => {
      out.on('data', () => {
        // The first chunk is out, so the 32 MB file is being read (backpressure holds the rest).
        if (!changed) change(big);
        changed = true;
      });
      out.on('end', () => resolve(null));
      out.on('error', resolve);
    });
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).code).toBe('archive-source-changed');
    expect((err as ArchiveError).details).toEqual({ path: 'big.bin' });
  });

  it.skipIf(process.platform !== 'linux')('closes the file it was reading when the reader goes away', async () => {
    const src = tmpDir();
    const big = path.join(src, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 32 * MB);
    const openOnBig = (): number =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === big;
        } catch {
          return false;
        }
      }).length;
    const out = packDirectory(src, LIMITS);
    await new Promise((resolve) => out.once('data', resolve));
    expect(openOnBig()).toBe(1);
    out.destroy();
    await vi.waitFor(() => expect(openOnBig()).toBe(0));
  });

  it('streams a 200 MB file without holding it in memory', async () => {
    const src = tmpDir();
    const big = path.join(src, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 200 * MB); // sparse: cheap to make, but packing still reads all of it
    const before = process.memoryUsage().rss;
    let peak = before;
    let total = 0;
    for await (const chunk of packDirectory(src, LIMITS)) {
      total += (chunk as Buffer).length;
      if ((total & (4 * MB - 1)) < (chunk as Buffer).length) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(total).toBe(512 + 200 * MB + 1024);
    expect(peak - before).toBeLessThan(100 * MB);
  });
});

describe('extractArchive refuses malicious or broken archives', () => {
  it.each<[string, () => Promise<TarEntry[]> | TarEntry[], ArchiveError['code']]>([
    ['../escape', () => [{ name: '../escape', data: 'x' }], 'archive-unsafe-path'],
    ['an absolute path', () => [{ name: '/tmp/ferry-archive-abs-never', data: 'x' }], 'archive-unsafe-path'],
    ['a/../../b', () => [{ name: 'a/', type: 'directory' }, { name: 'a/../../b', data: 'x' }], 'archive-unsafe-path'],
    ['.. in the middle that stays inside', () => [{ name: 'a/../b', data: 'x' }], 'archive-unsafe-path'],
    ['an empty name', () => [{ name: '', data: 'x' }], 'archive-unsafe-path'],
    ['a NUL byte in a pax name', () => [{ name: 'é\0x', data: 'x' }], 'archive-unsafe-path'],
    ['a file through a symlink to .. ', () => [{ name: 'link', type: 'symlink', linkname: '..' }, { name: 'link/x', data: 'pwned' }], 'archive-unsafe-path'],
    ['a duplicate file', () => [{ name: 'a', data: '1' }, { name: 'a', data: '2' }], 'archive-unsafe-path'],
    ['a directory then a file at its path', () => [{ name: 'd/', type: 'directory' }, { name: 'd', data: 'x' }], 'archive-unsafe-path'],
    ['a symlink then a file at its path', () => [{ name: 's', type: 'symlink', linkname: 'elsewhere' }, { name: 's', data: 'x' }], 'archive-unsafe-path'],
    ['a file then a file below it', () => [{ name: 'f', data: 'x' }, { name: 'f/g', data: 'y' }], 'archive-unsafe-path'],
    ['a hard link', () => [{ name: 'a', data: 'x' }, { name: 'h', type: 'link', linkname: 'a' }], 'archive-unsupported-entry'],
    ['a FIFO', () => [{ name: 'pipe', type: 'fifo' }], 'archive-unsupported-entry'],
    ['a character device', () => [{ name: 'null', type: 'character-device' }], 'archive-unsupported-entry'],
    ['a block device', () => [{ name: 'disk', type: 'block-device' }], 'archive-unsupported-entry'],
    ['a GNU sparse file', () => [{ name: 'sparse', data: 'x', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' } }], 'archive-unsupported-entry'],
  ])('refuses %s', async (_what, entries, code) => {
    await expectRefused(await buildTar(await entries()), code);
  });

  it('refuses an entry type tar-stream does not know (an old GNU sparse file)', async () => {
    const archive = await buildTar([{ name: 'x', data: 'abc' }]);
    archive[156] = 'S'.charCodeAt(0);
    // Recompute the header checksum (its own field counted as spaces) so only the type is odd.
    archive.fill(0x20, 148, 156);
    const sum = archive.subarray(0, 512).reduce((n, b) => n + b, 0);
    archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await expectRefused(archive, 'archive-unsupported-entry');
  });

  it('refuses a symlink to a directory outside and a file written through it', async () => {
    const { base, dest, sentinel } = sandbox();
    const before = snapshot(base, dest);
    const archive = await buildTar([
      { name: 'link', type: 'symlink', linkname: sentinel },
      { name: 'link/file', data: 'pwned' },
    ]);
    const err = await failure(extractBuffer(archive, dest));
    expect((err as ArchiveError).code).toBe('archive-unsafe-path');
    expect(snapshot(base, dest)).toEqual(before);
    expect(fs.readdirSync(sentinel)).toEqual(['keep']);
  });

  it('refuses more bytes than maxBytes before writing them', async () => {
    const archive = await buildTar([{ name: 'a', data: '12345' }, { name: 'b', data: '123456' }]);
    await expectRefused(archive, 'archive-too-large', { maxBytes: 10, maxEntries: 10 });
  });

  it('refuses more entries than maxEntries', async () => {
    const archive = await buildTar([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await expectRefused(archive, 'archive-too-many-entries', { maxBytes: 100, maxEntries: 2 });
  });

  it('refuses truncated, unterminated, empty and garbage input', async () => {
    const archive = await buildTar([{ name: 'a', data: crypto.randomBytes(10_000) }, { name: 'b', data: 'b' }]);
    await expectRefused(archive.subarray(0, 5_000), 'archive-invalid');
    // Cut at a block boundary after the first entry: only the missing end marker gives it away.
    await expectRefused(archive.subarray(0, 512 + 10_240), 'archive-invalid');
    await expectRefused(Buffer.alloc(0), 'archive-invalid');
    await expectRefused(crypto.randomBytes(4096), 'archive-invalid');
    const { dest } = sandbox();
    expect(await extractBuffer(archive, dest)).toEqual({ entries: 2, bytes: 10_001 });
  });

  it('leaves the input paused, not destroyed, when it refuses', async () => {
    const archive = await buildTar([{ name: '../escape', data: 'x' }, { name: 'b', data: crypto.randomBytes(200_000) }]);
    const input = new Readable({ read() {} });
    input.push(archive.subarray(0, 1024));
    const { dest } = sandbox();
    const err = await failure(extractArchive(input, dest, { ...LIMITS, fsync: false }));
    expect((err as ArchiveError).code).toBe('archive-unsafe-path');
    expect(input.destroyed).toBe(false);
    expect(input.isPaused()).toBe(true);
  });
});

describe('extractArchive streaming', () => {
  it('extracts a 200 MB archive with bounded RSS: the source is read only as fast as the disk takes it', async () => {
    const size = 200 * MB;
    const chunk = 64 * 1024;
    const before = process.memoryUsage().rss;
    let peak = before;
    const pack = tar.pack();
    const sink = pack.entry({ name: 'big.bin', size, mtime: new Date(1_600_000_000_000) });
    const producing = (async () => {
      for (let i = 0; i < size / chunk; i++) {
        // Fresh and cheap (no hashing here): a source faster than the disk, whose chunks would
        // pile up in memory if the extractor read on without waiting for its writes.
        const data = Buffer.allocUnsafe(chunk).fill(i & 0xff);
        if (i % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        if (!sink.write(data)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
      }
      sink.end(undefined);
      pack.finalize();
    })();
    const { dest } = sandbox();
    const result = await extractArchive(Readable.from(pack, { objectMode: false }), dest, { ...LIMITS, fsync: false });
    await producing;
    expect(result).toEqual({ entries: 1, bytes: size });
    expect(peak - before).toBeLessThan(100 * MB);
    let block = 0;
    let wrong = 0;
    for await (const data of fs.createReadStream(path.join(dest, 'big.bin'), { highWaterMark: chunk })) {
      const buf = data as Buffer;
      if (buf.length !== chunk || buf[0] !== (block & 0xff) || buf[chunk - 1] !== (block & 0xff)) wrong++;
      block++;
    }
    expect([block, wrong]).toEqual([size / chunk, 0]);
  });
});

describe('GNU tar interoperability', () => {
  const hasTar = ((): boolean => {
    try {
      execFileSync('tar', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasTar)('extracts what GNU tar packs and GNU tar extracts what we pack', async () => {
    const { sentinel } = sandbox();
    const src = tmpDir();
    buildSource(src, sentinel);
    // GNU tar and we both store hard links as separate files (nlink 1 after extraction).
    const unlinked = (e: Record<string, unknown>): Record<string, unknown> => (e.type === 'file' ? { ...e, nlink: 1 } : e);
    const want = describeTree(src).map(unlinked);

    const gnu = path.join(tmpDir(), 'gnu.tar');
    execFileSync('tar', ['--hard-dereference', '-C', src, '-cf', gnu, '.']);
    const ours = tmpDir();
    await extractArchive(fs.createReadStream(gnu), ours, { ...LIMITS, fsync: false });
    expect(describeTree(ours)).toEqual(want);

    const packed = path.join(tmpDir(), 'ours.tar');
    fs.writeFileSync(packed, await collect(packDirectory(src, LIMITS)));
    const theirs = tmpDir();
    execFileSync('tar', ['-C', theirs, '-xpf', packed]);
    // GNU tar does not restore a symlink's own mtime; everything else must match.
    const noLinkTimes = (e: Record<string, unknown>): Record<string, unknown> => (e.type === 'symlink' ? { ...e, mtime: 0 } : e);
    expect(describeTree(theirs).map(noLinkTimes)).toEqual(want.map(noLinkTimes));
  });
});
