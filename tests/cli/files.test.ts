import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DirListing, Transfer } from '../../server/protocol/index.js';
import { ferryIn, leftovers, sha256, tempDir, usePairedDaemons } from './files-setup.js';
import { json } from './run.js';

const daemons = usePairedDaemons();
/** `ferry …` on bravo, run from `cwd`. */
const onBravo = (cwd: string, args: string[]) => ferryIn(cwd, daemons().bravo.home, args);
type ErrorDoc = { error: { code: string; message: string } };

describe('ferry send', () => {
  it('sends a file given by a relative path; piped, it prints where it landed and its hash', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'data.bin'), crypto.randomBytes(2_000_000));
    const dest = tempDir();
    const run = await onBravo(work, ['send', 'alpha', 'data.bin', dest]);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const landed = path.join(dest, 'data.bin');
    expect(sha256(landed)).toBe(sha256(path.join(work, 'data.bin')));
    expect(run.stdout).toBe(`sent ${path.join(work, 'data.bin')} → alpha:${landed} (2000000 bytes, sha256 ${sha256(landed)})\n`);
    expect(run.stderr).toContain(`sending ${path.join(work, 'data.bin')} → alpha:${dest}`);
    expect(leftovers(dest)).toEqual([]);
  });

  it('--json prints only the final transfer', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'a.txt'), 'hello');
    const dest = tempDir();
    const run = await onBravo(work, ['send', 'alpha', './a.txt', path.join(dest, 'b.txt'), '--json']);
    expect(run.code).toBe(0);
    const t = json<Transfer>(run);
    expect(t).toMatchObject({
      direction: 'push',
      peer: 'alpha',
      source: path.join(work, 'a.txt'),
      destination: path.join(dest, 'b.txt'),
      finalPath: path.join(dest, 'b.txt'),
      kind: 'file',
      state: 'done',
      bytes: 5,
      total: 5,
      sha256: sha256(path.join(work, 'a.txt')),
      error: null,
    });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toBe('');
  });

  it('sends a directory (symlinks stay symlinks), which `ferry ls` then shows with types, targets and -l modes', async () => {
    const work = tempDir();
    fs.mkdirSync(path.join(work, 'tree', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(work, 'tree', 'sub', 'f.txt'), 'x'.repeat(3000));
    fs.chmodSync(path.join(work, 'tree', 'sub', 'f.txt'), 0o640);
    fs.symlinkSync('sub/f.txt', path.join(work, 'tree', 'link'));
    fs.writeFileSync(path.join(work, 'tree', 'top.txt'), 'top');
    const dest = tempDir();
    const sent = await onBravo(path.join(work, 'tree'), ['send', 'alpha', '.', path.join(dest, 'copy')]);
    expect(sent.code).toBe(0);
    expect(fs.readlinkSync(path.join(dest, 'copy', 'link'))).toBe('sub/f.txt');
    expect(fs.readFileSync(path.join(dest, 'copy', 'sub', 'f.txt'), 'utf8')).toBe('x'.repeat(3000));

    const plain = await onBravo(work, ['ls', 'alpha', path.join(dest, 'copy')]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.split('\n')).toEqual([expect.stringMatching(/^\d+\tlink@ -> sub\/f\.txt$/), expect.stringMatching(/^\d+\tsub\/$/), '3\ttop.txt', '']);
    const long = await onBravo(work, ['ls', '-l', 'alpha', path.join(dest, 'copy', 'sub')]);
    expect(long.stdout).toMatch(/^-rw-r-----\t3000\t\d{4}-\d\d-\d\dT[\d:.]+Z\tf\.txt\n$/);
    const listing = json<DirListing>(await onBravo(work, ['ls', 'alpha', path.join(dest, 'copy'), '--json']));
    expect(listing.entries.find((e) => e.name === 'link')).toMatchObject({ type: 'symlink', target: 'sub/f.txt' });
    expect(listing.entries.map((e) => e.name).sort()).toEqual(['link', 'sub', 'top.txt']);
  });

  it('ferry ls <path> alone lists this machine, relative to the current directory', async () => {
    const work = tempDir();
    fs.mkdirSync(path.join(work, 'here'));
    fs.writeFileSync(path.join(work, 'here', 'one'), '1');
    const run = await onBravo(work, ['ls', 'here']);
    expect(run).toMatchObject({ code: 0, stdout: '1\tone\n' });
  });
});

describe('ferry pull', () => {
  it('fetches a file and a directory back to relative local paths with the same bytes', async () => {
    const there = tempDir();
    fs.writeFileSync(path.join(there, 'remote.bin'), crypto.randomBytes(500_000));
    fs.mkdirSync(path.join(there, 'dir'));
    fs.writeFileSync(path.join(there, 'dir', 'in.txt'), 'inside');
    const work = tempDir();
    const file = await onBravo(work, ['pull', 'alpha', path.join(there, 'remote.bin'), 'local.bin']);
    expect(file.code).toBe(0);
    expect(sha256(path.join(work, 'local.bin'))).toBe(sha256(path.join(there, 'remote.bin')));
    expect(file.stdout).toContain(`fetched alpha:${path.join(there, 'remote.bin')} → ${path.join(work, 'local.bin')}`);
    const dir = await onBravo(work, ['pull', 'alpha', path.join(there, 'dir'), '.', '--json']);
    expect(json<Transfer>(dir)).toMatchObject({ state: 'done', kind: 'archive', finalPath: path.join(work, 'dir') });
    expect(fs.readFileSync(path.join(work, 'dir', 'in.txt'), 'utf8')).toBe('inside');
  });
});

describe('errors', () => {
  it('an existing destination needs --force: exit 1 with destination-exists and the way out', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'f'), 'new');
    const dest = tempDir();
    fs.writeFileSync(path.join(dest, 'f'), 'old');
    const refused = await onBravo(work, ['send', 'alpha', 'f', path.join(dest, 'f')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[destination-exists]');
    expect(refused.stderr).toContain('hint: add --force to replace it');
    expect(fs.readFileSync(path.join(dest, 'f'), 'utf8')).toBe('old');
    const forced = await onBravo(work, ['send', 'alpha', 'f', path.join(dest, 'f'), '--force']);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(dest, 'f'), 'utf8')).toBe('new');
  });

  it('--json: a failed transfer is the final Transfer with its error, and exit 1', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'f'), 'x');
    const dest = tempDir();
    fs.writeFileSync(path.join(dest, 'f'), 'old');
    const run = await onBravo(work, ['send', 'alpha', 'f', path.join(dest, 'f'), '--json']);
    expect(run.code).toBe(1);
    expect(json<Transfer>(run)).toMatchObject({ state: 'failed', error: { code: 'destination-exists' } });
  });

  it('a missing parent directory needs --parents', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'f'), 'x');
    const target = path.join(tempDir(), 'a', 'b', 'f');
    const refused = await onBravo(work, ['send', 'alpha', 'f', target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[path-not-found]');
    expect(refused.stderr).toContain('add --parents');
    expect((await onBravo(work, ['send', 'alpha', 'f', target, '--parents'])).code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('x');
  });

  it('a relative remote path is a usage error (exit 2) and nothing starts', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'f'), 'x');
    const before = (await daemons().bravo.client.transfers()).items.length;
    const run = await onBravo(work, ['send', 'alpha', 'f', 'docs/f']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"docs/f" is a relative path, and alpha cannot know what it is relative to [usage-error]');
    expect(run.stderr).toContain('\'~/docs/f\'');
    const asJson = await onBravo(work, ['pull', 'alpha', 'f', 'x', '--json']);
    expect(asJson.code).toBe(2);
    expect(json<ErrorDoc>(asJson).error.code).toBe('usage-error');
    expect((await daemons().bravo.client.transfers()).items.length).toBe(before);
  });

  it('outside the peer\'s file roots: scope-denied, and the hint names the roots', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'f'), 'x');
    const outside = path.join(os.homedir(), `ferry-scope-${process.pid}.txt`);
    const run = await onBravo(work, ['send', 'alpha', 'f', outside]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[scope-denied]');
    expect(run.stderr).toMatch(/hint: alpha's policy for this machine does not let it write there: the path must be inside the files write roots/);
    expect(fs.existsSync(outside)).toBe(false);
    const ls = await onBravo(work, ['ls', 'alpha', os.homedir()]);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain('[scope-denied]');
    expect(ls.stderr).toContain('files read roots');
  });

  it('an unknown peer: peer-not-found with the way to see the paired machines', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'f'), 'x');
    const run = await onBravo(work, ['send', 'nobody', 'f', '/tmp/f']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[peer-not-found]');
    expect(run.stderr).toContain('`ferry peers`');
    const ls = await onBravo(work, ['ls', 'nobody', '/tmp', '--json']);
    expect(ls.code).toBe(1);
    expect(json<ErrorDoc>(ls).error.code).toBe('peer-not-found');
  });
});

describe('ferry transfers', () => {
  it('--detach prints the id at once; `transfers show --follow` sees it through; list and show report it', async () => {
    const work = tempDir();
    fs.writeFileSync(path.join(work, 'big.bin'), crypto.randomBytes(5_000_000));
    const dest = tempDir();
    const started = await onBravo(work, ['send', 'alpha', 'big.bin', dest, '--detach']);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(started.stderr).toContain(`ferry transfers show ${id} --follow`);

    const followed = await onBravo(work, ['transfers', 'show', id, '--follow', '--json']);
    expect(followed.code).toBe(0);
    expect(json<Transfer>(followed)).toMatchObject({ id, state: 'done', bytes: 5_000_000, finalPath: path.join(dest, 'big.bin') });
    expect(sha256(path.join(dest, 'big.bin'))).toBe(sha256(path.join(work, 'big.bin')));

    const shown = await onBravo(work, ['transfers', 'show', id]);
    expect(shown.stdout).toMatch(/^state\s+done$/m);
    expect(shown.stdout).toContain(`sha256    ${sha256(path.join(work, 'big.bin'))}`);
    const list = json<{ items: Transfer[] }>(await onBravo(work, ['transfers', '--json']));
    expect(list.items.find((t) => t.id === id)).toMatchObject({ state: 'done', direction: 'push', peer: 'alpha' });
    const plain = await onBravo(work, ['transfers', '--state', 'done']);
    expect(plain.stdout).toMatch(new RegExp(`^${id}\\tdone\\tpush\\talpha\\t5000000\\t5000000\\t`, 'm'));

    const cancel = await onBravo(work, ['transfers', 'cancel', id]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain('it already ended');
    const missing = await onBravo(work, ['transfers', 'show', 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(json<ErrorDoc>(missing).error.code).toBe('transfer-not-found');
  });
});
