import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS, missingNodeFlags } from '../../server/node-flags.js';

// V8 reads heap flags only when node starts: every way of launching the daemon must pass them.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const flags = DAEMON_NODE_FLAGS.join(' ');

describe('the daemon is launched with its node flags everywhere', () => {
  it('npm start', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${flags} dist/cli/main.js start`);
  });

  it('the Docker image', () => {
    const cmd = read('Dockerfile').split('\n').filter((l) => l.startsWith('CMD '));
    expect(cmd).toEqual([`CMD ${JSON.stringify(['node', ...DAEMON_NODE_FLAGS, 'dist/server/main.js'])}`.replace(/","/g, '", "')]);
  });

  it('both systemd units, and the override examples', () => {
    for (const unit of ['ferry.service', 'ferry-system.service']) {
      const lines = read(`deploy/systemd/${unit}`).split('\n').filter((l) => /^#?\s*ExecStart=\S/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toMatch(new RegExp(`node ${flags} \\S+/dist/server/main\\.js$`));
    }
    for (const l of read('docs/deploy.md').split('\n').filter((x) => /^ExecStart=\S/.test(x))) expect(l).toContain(flags);
  });
});

describe('a daemon started without them says so', () => {
  it('finds the flags on the command line or in NODE_OPTIONS, and names the missing ones', () => {
    expect(missingNodeFlags([], '')).toEqual([...DAEMON_NODE_FLAGS]);
    expect(missingNodeFlags([...DAEMON_NODE_FLAGS], '')).toEqual([]);
    expect(missingNodeFlags(['--inspect'], ` --trace-gc  ${DAEMON_NODE_FLAGS.join(' ')} `)).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size=16'], '')).toEqual([...DAEMON_NODE_FLAGS]);
  });
});

describe('Node versions that abort better-sqlite3 12', () => {
  it('are recognised (24.19 and later), and the others are not', async () => {
    const { nodeAbortsSqliteStatements } = await import('../../server/node-flags.js');
    expect(['24.19.0', '24.21.0', '25.1.0', '26.0.0'].map((v) => nodeAbortsSqliteStatements(v))).toEqual([true, true, true, true]);
    expect(['20.19.0', '20.20.2', '22.23.3', '24.18.9'].map((v) => nodeAbortsSqliteStatements(v))).toEqual([false, false, false, false]);
  });
});
