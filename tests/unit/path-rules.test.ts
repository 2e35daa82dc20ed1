import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPath, isInside, openNoFollow } from '../../server/policy/path-rules.js';

// Layout (all real, in a temp dir):
//   home/a/            the root          home/a/sub/f.txt
//   home/a/.ferry/     the data dir      home/a/.ferry/admin.token
//   home/a/out -> ../../outside          (symlinked dir leading out)
//   home/a/in  -> sub                    (symlinked dir staying in)
//   home/a/leak -> ../../outside/secret  (final-component symlink)
//   home/a2/x          sibling with a shared prefix
//   outside/secret
//   root-link -> home/a                  (a root given as a symlink)
let t: string;
let root: string;
let dataDir: string;
const check = (p: string, extra: { base?: string; mustExist?: boolean; roots?: string[] } = {}) =>
  checkPath(p, extra.roots ?? [root], { dataDir, base: extra.base, mustExist: extra.mustExist });

beforeAll(() => {
  t = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-path-')));
  root = path.join(t, 'home/a');
  dataDir = path.join(root, '.ferry');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(dataDir);
  fs.mkdirSync(path.join(t, 'home/a2'));
  fs.mkdirSync(path.join(t, 'outside'));
  fs.writeFileSync(path.join(root, 'sub/f.txt'), 'inside');
  fs.writeFileSync(path.join(dataDir, 'admin.token'), 'secret-token');
  fs.writeFileSync(path.join(t, 'home/a2/x'), 'sibling');
  fs.writeFileSync(path.join(t, 'outside/secret'), 'outside');
  fs.symlinkSync('../../outside', path.join(root, 'out'));
  fs.symlinkSync('sub', path.join(root, 'in'));
  fs.symlinkSync('../../outside/secret', path.join(root, 'leak'));
  fs.symlinkSync('home/a', path.join(t, 'root-link'));
});
afterAll(() => fs.rmSync(t, { recursive: true, force: true }));

describe('isInside', () => {
  it('compares whole components, never string prefixes', () => {
    expect(isInside('/x/home/a/b', '/x/home/a')).toBe(true);
    expect(isInside('/x/home/a', '/x/home/a')).toBe(true);
    expect(isInside('/x/home/a2', '/x/home/a')).toBe(false);
    expect(isInside('/x/home/a2/b', '/x/home/a')).toBe(false);
    expect(isInside('/x/home', '/x/home/a')).toBe(false);
    expect(isInside('/anything', '/')).toBe(true);
  });
  it('normalises both sides and rejects relative paths', () => {
    expect(isInside('/x/home/a/../a2', '/x/home/a')).toBe(false);
    expect(isInside('/x/home/a/./b/', '/x/home/a/')).toBe(true);
    expect(isInside('home/a/b', 'home/a')).toBe(false);
  });
});

describe('checkPath', () => {
  it('accepts a path inside a root, returning the realpath', () => {
    expect(check(path.join(root, 'sub/f.txt'), { mustExist: true })).toEqual({ ok: true, real: path.join(root, 'sub/f.txt') });
    expect(check(path.join(root, 'sub/new.txt'))).toEqual({ ok: true, real: path.join(root, 'sub/new.txt') });
    expect(check(root)).toEqual({ ok: true, real: root });
  });
  it('denies a sibling directory that shares the root as a string prefix', () => {
    expect(check(path.join(t, 'home/a2/x'))).toMatchObject({ ok: false, reason: 'outside-roots' });
  });
  it('denies a .. escape, with or without a base', () => {
    expect(check(`${root}/sub/../../../outside/secret`)).toMatchObject({ ok: false, reason: 'outside-roots' });
    expect(check('../a2/x', { base: root })).toMatchObject({ ok: false, reason: 'outside-roots' });
    expect(check('sub/../sub/f.txt', { base: root })).toEqual({ ok: true, real: path.join(root, 'sub/f.txt') });
  });
  it('denies a path through a symlinked parent that points outside', () => {
    expect(check(path.join(root, 'out/secret'), { mustExist: true })).toMatchObject({ ok: false, reason: 'outside-roots' });
    expect(check(path.join(root, 'out/new'))).toMatchObject({ ok: false, reason: 'outside-roots' });
    // `..` after a symlink is taken as the kernel takes it: from the link's target
    expect(check(`${root}/out/../outside/secret`, { mustExist: true })).toMatchObject({ ok: false, reason: 'outside-roots' });
    expect(check(`${root}/out/../home/a/sub/f.txt`, { mustExist: true })).toEqual({ ok: true, real: path.join(root, 'sub/f.txt') });
  });
  it('accepts a symlinked parent that stays inside, reporting the resolved path', () => {
    expect(check(path.join(root, 'in/f.txt'), { mustExist: true })).toEqual({ ok: true, real: path.join(root, 'sub/f.txt') });
  });
  it('reports a final-component symlink when the target must exist', () => {
    expect(check(path.join(root, 'leak'), { mustExist: true })).toMatchObject({ ok: false, reason: 'symlink' });
    expect(check(path.join(root, 'in'), { mustExist: true })).toMatchObject({ ok: false, reason: 'symlink' });
    // not required to exist: the link itself is inside, and opening it will not follow it
    expect(check(path.join(root, 'leak'))).toEqual({ ok: true, real: path.join(root, 'leak') });
  });
  it("denies the daemon's data dir and everything in it, even inside a root", () => {
    expect(check(path.join(dataDir, 'admin.token'), { mustExist: true })).toMatchObject({ ok: false, reason: 'data-dir' });
    expect(check(dataDir)).toMatchObject({ ok: false, reason: 'data-dir' });
    expect(check(`${root}/in/../.ferry/admin.token`)).toMatchObject({ ok: false, reason: 'data-dir' });
    expect(check('.ferry/new', { base: root })).toMatchObject({ ok: false, reason: 'data-dir' });
    expect(checkPath(path.join(dataDir, 'admin.token'), [root], { dataDir: path.join(t, 'root-link/.ferry') })).toMatchObject({ ok: false, reason: 'data-dir' });
  });
  it('works with a root that is itself a symlink', () => {
    const roots = [path.join(t, 'root-link')];
    expect(check(path.join(t, 'root-link/sub/f.txt'), { roots, mustExist: true })).toEqual({ ok: true, real: path.join(root, 'sub/f.txt') });
    expect(check(path.join(root, 'sub/f.txt'), { roots })).toEqual({ ok: true, real: path.join(root, 'sub/f.txt') });
    expect(check(path.join(t, 'root-link'), { roots, mustExist: true })).toEqual({ ok: true, real: root });
    expect(check(path.join(t, 'outside/secret'), { roots })).toMatchObject({ ok: false, reason: 'outside-roots' });
  });
  it('skips roots that do not exist and relative roots', () => {
    expect(check(path.join(root, 'sub/f.txt'), { roots: [path.join(t, 'missing'), 'home/a'] })).toMatchObject({ ok: false, reason: 'outside-roots' });
    expect(check(path.join(root, 'sub/f.txt'), { roots: [path.join(t, 'missing'), root] }).ok).toBe(true);
  });
  it('rejects relative paths without a base, NUL bytes, empty paths and . or .. at the end', () => {
    expect(check('sub/f.txt')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(check('sub/f.txt', { base: 'relative' })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(check(path.join(root, 'sub/f\0.txt'))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(check('')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(check(path.join(root, 'sub') + '/..')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(check(path.join(root, 'sub') + '/.')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(check(root + '/' + 'x'.repeat(5000))).toMatchObject({ ok: false, reason: 'invalid' });
  });
  it('handles a trailing slash', () => {
    expect(check(path.join(root, 'sub') + '/', { mustExist: true })).toEqual({ ok: true, real: path.join(root, 'sub') });
    expect(check(root + '//')).toEqual({ ok: true, real: root });
    expect(check(path.join(root, 'sub/f.txt') + '/')).toMatchObject({ ok: false, reason: 'invalid' });
  });
  it('reports missing targets and missing parents', () => {
    expect(check(path.join(root, 'sub/nope'), { mustExist: true })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(check(path.join(root, 'nodir/new'))).toMatchObject({ ok: false, reason: 'not-found' });
    expect(check(path.join(root, 'sub/f.txt/x'))).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('openNoFollow', () => {
  it('opens a regular file for reading', () => {
    const fd = openNoFollow(path.join(root, 'sub/f.txt'), 'read');
    try {
      expect(fs.readFileSync(fd, 'utf8')).toBe('inside');
    } finally {
      fs.closeSync(fd);
    }
  });
  it('refuses a final-component symlink with ELOOP in every mode, and leaves the target alone', () => {
    for (const mode of ['read', 'write-truncate', 'write-new'] as const) {
      expect(() => openNoFollow(path.join(root, 'leak'), mode), mode).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    }
    expect(fs.readFileSync(path.join(t, 'outside/secret'), 'utf8')).toBe('outside');
  });
  it('write-new creates a file once, write-truncate empties it', () => {
    const p = path.join(root, 'sub/created.txt');
    const fd = openNoFollow(p, 'write-new');
    fs.writeSync(fd, 'hello');
    fs.closeSync(fd);
    expect(() => openNoFollow(p, 'write-new')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    fs.closeSync(openNoFollow(p, 'write-truncate'));
    expect(fs.readFileSync(p, 'utf8')).toBe('');
  });
  it('refuses a FIFO instead of hanging on it', () => {
    const fifo = path.join(root, 'sub/fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => openNoFollow(fifo, 'read')).toThrow(expect.objectContaining({ code: 'EFTYPE' }));
  });
  it.runIf(fs.existsSync('/proc/self/fd'))('refuses a path whose parent is not what checkPath resolved (a swapped parent)', () => {
    // `in` is a symlink to `sub`: opening through it lands somewhere other than the path given.
    expect(() => openNoFollow(path.join(root, 'in/f.txt'), 'read')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });
});
