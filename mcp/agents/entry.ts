import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHome } from '../../server/protocol/home.js';
import type { StdioEntry } from './toml-config.js';

export type { StdioEntry } from './toml-config.js';

/** The installed CLI entry (dist/cli/main.js) of the Ferry package this module belongs to. */
export function cliMainPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ferry') return path.join(dir, 'dist', 'cli', 'main.js');
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the Ferry package this module belongs to');
    dir = up;
  }
}

/**
 * What agents should start: `node <this install>/dist/cli/main.js [--home <dir>] mcp`. The data
 * dir is named only when it is not the default one, so a plain setup stays plain. No token: the
 * server reads it from the data dir each time.
 */
export function ferryEntry(opts: { home: string; env?: NodeJS.ProcessEnv; main?: string }): StdioEntry {
  const env = { ...(opts.env ?? process.env) };
  delete env.FERRY_HOME;
  const home = path.resolve(opts.home);
  const args = [opts.main ?? cliMainPath(), ...(home !== resolveHome(env) ? ['--home', home] : []), 'mcp'];
  return { command: 'node', args };
}

const NODE = /^(node|nodejs)(\.exe)?$/i;

function real(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** Whether a registered entry starts this installation with this data dir, and if not, why not. */
export function compareEntry(found: unknown, expected: StdioEntry): { current: boolean; reason?: string } {
  const e = found as { command?: unknown; args?: unknown } | undefined;
  if (!e || typeof e.command !== 'string') return { current: false, reason: 'it has no command (not a stdio server)' };
  const args = Array.isArray(e.args) ? e.args.map(String) : [];
  const shown = [e.command, ...args].join(' ');
  if (!NODE.test(path.basename(e.command))) return { current: false, reason: `it runs "${shown}", not this installation's node ${expected.args.join(' ')}` };
  if (args.length === 0 || real(args[0]!) !== real(expected.args[0]!)) {
    return { current: false, reason: `it starts another Ferry installation (${args[0] ?? 'none'})` };
  }
  const homeOf = (a: string[]) => (a.indexOf('--home') >= 0 ? path.resolve(a[a.indexOf('--home') + 1] ?? '') : null);
  if (homeOf(args) !== homeOf(expected.args)) {
    return { current: false, reason: `it uses the data dir ${homeOf(args) ?? '(the default)'}, not ${homeOf(expected.args) ?? '(the default)'}` };
  }
  if (args.slice(1).join('\0') !== expected.args.slice(1).join('\0')) return { current: false, reason: `it runs "${shown}"` };
  return { current: true };
}
