import os from 'node:os';
import path from 'node:path';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DirEntry, Transfer } from '../../server/protocol/index.js';
import { CliError } from '../../cli/errors.js';
import { localPath, remotePath } from '../../cli/lib/file-paths.js';
import { painter } from '../../cli/style.js';
import { TransferProgress } from '../../cli/views/TransferProgress.js';
import { entriesPlain, entriesTable, modeString } from '../../cli/views/files.js';
import { bar, doneLine, progressText, transfersPlain } from '../../cli/views/transfers.js';

const MiB = 1024 * 1024;
const running: Transfer = {
  id: '0123456789abcdef',
  direction: 'push',
  peer: 'laptop',
  source: '/home/me/big.iso',
  destination: '/srv/iso/',
  kind: 'file',
  state: 'running',
  bytes: 45 * MiB,
  total: 100 * MiB,
  rate: 10 * MiB,
  sha256: null,
  attempts: 1,
  createdAt: '2026-11-21T10:00:00.000Z',
  endedAt: null,
  error: null,
  finalPath: '/srv/iso/big.iso',
};
const done: Transfer = { ...running, state: 'done', bytes: 100 * MiB, rate: 0, sha256: 'ab'.repeat(32), endedAt: '2026-11-21T10:00:04.000Z' };

describe('TransferProgress (Ink)', () => {
  it('draws a bar with bytes, percent, rate and ETA while it runs', () => {
    const { lastFrame } = render(createElement(TransferProgress, { transfer: running, width: 20 }));
    const frame = lastFrame() ?? '';
    expect(frame).toContain('sending /home/me/big.iso → laptop:/srv/iso/big.iso (transfer 0123456789abcdef)');
    expect(frame).toContain(`${'█'.repeat(9)}${'░'.repeat(11)} 45.0 MiB / 100.0 MiB  45%  10.0 MiB/s  ETA 6s`);
    expect(frame).not.toContain('retrying');
  });

  it('redraws in place: a later frame replaces the earlier one', () => {
    const { lastFrame, rerender, frames } = render(createElement(TransferProgress, { transfer: running, width: 20 }));
    rerender(createElement(TransferProgress, { transfer: { ...running, bytes: 90 * MiB }, width: 20 }));
    expect(lastFrame()).toContain('90.0 MiB / 100.0 MiB  90%');
    expect(lastFrame()).not.toContain('45.0 MiB');
    expect(frames.length).toBeGreaterThanOrEqual(2);
  });

  it('says when it is retrying, waiting for the peer, or canceling', () => {
    const retrying = render(createElement(TransferProgress, { transfer: { ...running, attempts: 2 } })).lastFrame() ?? '';
    expect(retrying).toContain('retrying (2)… the link broke; resuming from 45.0 MiB');
    const waiting = render(createElement(TransferProgress, { transfer: { ...running, bytes: 0, kind: null, total: null }, waitingFor: 'laptop' })).lastFrame() ?? '';
    expect(waiting).toContain('starting…');
    expect(waiting).toContain('waiting for laptop (if its policy asks first, its owner answers with `ferry approvals` there)');
    expect(render(createElement(TransferProgress, { transfer: running, canceling: true })).lastFrame()).toContain('canceling…');
  });

  it('a directory has no total until its end: bytes so far and rate, no bar', () => {
    const frame = render(createElement(TransferProgress, { transfer: { ...running, kind: 'archive', total: null } })).lastFrame() ?? '';
    expect(frame).toContain('45.0 MiB so far  10.0 MiB/s');
    expect(frame).not.toMatch(/[█░]/);
  });

  it('ends with the final path and the sha256, or with how far a canceled one got', () => {
    const ok = render(createElement(TransferProgress, { transfer: done })).lastFrame() ?? '';
    expect(ok).toContain('✔ sent /home/me/big.iso → laptop:/srv/iso/big.iso');
    expect(ok).toContain('100.0 MiB in 4.00s (25.0 MiB/s)');
    expect(ok).toContain(`sha256 ${'ab'.repeat(32)}`);
    const canceled = render(createElement(TransferProgress, { transfer: { ...running, state: 'canceled', endedAt: running.createdAt } })).lastFrame() ?? '';
    expect(canceled).toContain('canceled after 45.0 MiB of 100.0 MiB: nothing was put at the destination');
  });
});

describe('transfer text', () => {
  it('the bar fills by fraction and never overflows', () => {
    expect(bar(0, 4)).toBe('░░░░');
    expect(bar(0.5, 4)).toBe('██░░');
    expect(bar(2, 4)).toBe('████');
  });

  it('never says 100% before the end; a pull reads from the peer', () => {
    expect(progressText({ ...running, bytes: 100 * MiB - 1 })).toContain('99%');
    const pulled: Transfer = { ...done, direction: 'pull', source: '/srv/a.txt', destination: '/home/me/', finalPath: '/home/me/a.txt', bytes: 3 };
    expect(doneLine(pulled)).toBe(`fetched laptop:/srv/a.txt → /home/me/a.txt (3 bytes, sha256 ${'ab'.repeat(32)})`);
    expect(transfersPlain([pulled])[0]).toBe(`${done.id}\tdone\tpull\tlaptop\t3\t${100 * MiB}\t${done.createdAt}\t/srv/a.txt\t/home/me/`);
  });
});

describe('ls entries', () => {
  const entries: DirEntry[] = [
    { name: 'zeta.txt', type: 'file', size: 2048, mode: 0o644, mtime: '2026-11-21T10:00:00.000Z' },
    { name: 'docs', type: 'dir', size: 4096, mode: 0o755, mtime: '2026-11-21T10:00:00.000Z' },
    { name: 'latest', type: 'symlink', size: 8, mode: 0o777, mtime: '2026-11-21T10:00:00.000Z', target: 'docs/v2' },
  ];

  it('marks directories with / and symlinks with @ -> target, sorted by name', () => {
    expect(entriesPlain(entries, false)).toEqual(['4096\tdocs/', '8\tlatest@ -> docs/v2', '2048\tzeta.txt']);
    const table = entriesTable(entries, true, painter(false));
    expect(table[0]).toMatch(/^drwxr-xr-x\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}docs\/$/);
    expect(table[2]).toMatch(/^-rw-r--r--\s+2\.0 KiB\s+\S+ \S+ {2}zeta\.txt$/);
  });

  it('shows set-uid, set-gid and sticky bits the way ls does', () => {
    expect(modeString('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(modeString('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(modeString('file', 0o2640)).toBe('-rw-r-S---');
  });
});

describe('paths', () => {
  it('a local path is resolved against the current directory, ~ against the home', () => {
    expect(localPath('a/b.txt')).toBe(path.join(process.cwd(), 'a', 'b.txt'));
    expect(localPath('~/x')).toBe(path.join(os.homedir(), 'x'));
    expect(localPath('/abs')).toBe('/abs');
  });

  it('a remote path must be absolute or ~/…; a relative one is a usage error', () => {
    expect(remotePath('~/x', 'laptop')).toBe('~/x');
    expect(remotePath('/srv', 'laptop')).toBe('/srv');
    expect(() => remotePath('x/y', 'laptop')).toThrow(CliError);
    try {
      remotePath('x/y', 'laptop');
    } catch (err) {
      expect(err).toMatchObject({ code: 'usage-error', exit: 2 });
    }
  });
});
