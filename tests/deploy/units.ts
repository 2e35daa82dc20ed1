import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Helpers for the deployment-file tests: read systemd units and run systemd's own checker. */

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SYSTEMD_DIR = path.join(REPO, 'deploy/systemd');

/** section → key → values (a key may repeat, e.g. an empty `ExecStart=` reset in a drop-in). */
export type Unit = Map<string, Map<string, string[]>>;

export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 0) throw new Error(`not a unit-file line: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

/** The single value of `key` in `section`, or undefined. */
export function value(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool and fails loudly (not silently skipping) when it is not installed. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${cmd} is not installed; it is needed to check the systemd units (Debian: apt-get install systemd)`);
  }
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `systemd-analyze verify` on a copy of a unit in `dir`. verify checks that ExecStart's binary
 * exists on *this* machine; when a unit names one that is not installed here (say node lives
 * elsewhere), the copy gets this test's own node instead, because the program path is a
 * property of the target host, not of the unit's validity. The script argument after it is
 * never checked by verify, so /opt/ferry need not exist.
 */
export function verifyUnit(file: string, dir: string, opts: { user: boolean }): Run {
  const text = fs
    .readFileSync(path.join(SYSTEMD_DIR, file), 'utf8')
    .replace(/^(ExecStart=)(\S+)/gm, (line, key: string, bin: string) =>
      fs.existsSync(bin.replace(/^%h/, process.env.HOME ?? '')) ? line : key + process.execPath,
    );
  const copy = path.join(dir, file);
  fs.writeFileSync(copy, text);
  // A user manager needs a runtime dir to exist even for a dry check; give it a private one.
  const runtime = fs.mkdtempSync(path.join(dir, 'runtime-'));
  const args = opts.user ? ['--user', 'verify', copy] : ['verify', copy];
  return run('systemd-analyze', args, { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' });
}
