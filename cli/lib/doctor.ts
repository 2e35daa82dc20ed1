import fs from 'node:fs';
import { FerryClient, FerryError } from '../../server/client/index.js';
import { readRuntime } from '../../server/client/local.js';
import type { HomePaths } from '../../server/protocol/home.js';
import { isAlive, probeHealth, readPidFile } from './daemon.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  message: string;
  hint?: string;
}

const MIN_NODE: [number, number] = [20, 19];
const POSIX = process.platform !== 'win32';
const check = (id: string, title: string, status: CheckStatus, message: string, hint?: string): Check =>
  hint === undefined ? { id, title, status, message } : { id, title, status, message, hint };

export function checkNode(version = process.versions.node): Check {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? check('node', 'Node.js', 'pass', `v${version}`)
    : check('node', 'Node.js', 'fail', `v${version} is older than ${MIN_NODE.join('.')}`, 'install Node.js 20.19 or newer (22 LTS or 24 recommended)');
}

function mode(file: string): number | null {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return null;
  }
}
const octal = (m: number) => `0${m.toString(8)}`;

export function checkDataDir(paths: HomePaths): Check {
  const title = 'data dir';
  const m = mode(paths.home);
  if (m === null) return check('data-dir', title, 'fail', `${paths.home} does not exist`, 'create it with `ferry init`');
  if (!POSIX) return check('data-dir', title, 'pass', paths.home);
  if (m & 0o022) return check('data-dir', title, 'fail', `${paths.home} is ${octal(m)}: others can write to it`, `chmod 700 ${paths.home}`);
  if (m & 0o055) return check('data-dir', title, 'warn', `${paths.home} is ${octal(m)}: others can list it`, `chmod 700 ${paths.home}`);
  return check('data-dir', title, 'pass', `${paths.home} (${octal(m)})`);
}

/** A secret file: must exist and be readable by its owner only. */
function checkSecret(id: string, title: string, file: string): Check {
  const m = mode(file);
  if (m === null) return check(id, title, 'fail', `${file} is missing`, 'create it with `ferry init` (the daemon also does on first start)');
  if (POSIX && m & 0o077) return check(id, title, 'fail', `${file} is ${octal(m)}: others can read it`, `chmod 600 ${file}`);
  return check(id, title, 'pass', POSIX ? `${file} (${octal(m)})` : file);
}

export const checkToken = (paths: HomePaths) => checkSecret('admin-token', 'admin token', paths.token);

export function checkIdentity(paths: HomePaths): Check {
  const key = checkSecret('identity', 'identity', paths.key);
  if (key.status !== 'pass') return key;
  if (!fs.existsSync(paths.cert)) {
    return check('identity', 'identity', 'warn', `${paths.cert} is missing`, 'the daemon issues it again from the key on its next start');
  }
  return check('identity', 'identity', 'pass', `key and certificate in ${paths.identityDir}`);
}

export function checkDatabase(paths: HomePaths): Check {
  const m = mode(paths.db);
  if (m === null) return check('database', 'database', 'warn', `${paths.db} does not exist yet`, 'the daemon creates it on its first start (`ferry start`)');
  return check('database', 'database', 'pass', paths.db);
}

/** Is the daemon up, and does it take our token? Two checks, since the second needs the first. */
export async function checkDaemon(home: string, paths: HomePaths): Promise<Check[]> {
  const runtime = readRuntime(home);
  const pid = readPidFile(paths);
  if (!runtime && pid === null) {
    return [
      check('daemon', 'daemon', 'warn', 'not running', 'start it with `ferry start --detach`'),
      check('token-accepted', 'token accepted', 'warn', 'not checked: the daemon is not running'),
    ];
  }
  const url = runtime?.url ?? '(unknown address)';
  const health = runtime ? await probeHealth(runtime.url) : null;
  if (!health) {
    const dead = pid !== null && !isAlive(pid);
    return [
      check(
        'daemon',
        'daemon',
        'fail',
        dead ? `not running, but it left daemon.pid (pid ${pid}) behind: it did not shut down cleanly` : `not answering at ${url}`,
        dead ? 'look at `ferry logs -n 50`, then `ferry start --detach`' : 'look at `ferry logs -n 50`; `ferry stop` and `ferry start --detach` restart it',
      ),
      check('token-accepted', 'token accepted', 'warn', 'not checked: the daemon is not answering'),
    ];
  }
  const daemon =
    health.status === 'ok'
      ? check('daemon', 'daemon', 'pass', `answering at ${url} (pid ${runtime?.pid})`)
      : check('daemon', 'daemon', 'warn', `shutting down (${health.status}) at ${url}`, 'start it again with `ferry start` once it has exited');
  return [daemon, await checkTokenAccepted(paths, url)];
}

async function checkTokenAccepted(paths: HomePaths, url: string): Promise<Check> {
  let token: string;
  try {
    token = fs.readFileSync(paths.token, 'utf8').trim();
  } catch {
    return check('token-accepted', 'token accepted', 'fail', `cannot read ${paths.token}`, 'run as the user who owns the data dir');
  }
  try {
    const identity = await new FerryClient({ baseUrl: url, token }).identity();
    return check('token-accepted', 'token accepted', 'pass', `node ${identity.name} (${identity.nodeId})`);
  } catch (err) {
    const code = err instanceof FerryError ? err.code : 'unknown';
    return check(
      'token-accepted',
      'token accepted',
      'fail',
      `the daemon refused the token in admin.token (${code})`,
      'the daemon at that address may belong to another data dir: check --home/FERRY_HOME, or restart it',
    );
  }
}

/**
 * config.yaml, FERRY_* variables and defaults, merged and validated exactly as the daemon will on
 * start (its own loader), so a bad key is caught before a restart fails on it.
 */
export async function checkConfig(paths: HomePaths): Promise<Check> {
  const { loadConfig } = await import('../../server/main.js');
  const exists = fs.existsSync(paths.config);
  const source = exists ? paths.config : 'no config.yaml: defaults and FERRY_* variables';
  try {
    const { warnings } = loadConfig({ file: paths.config, env: process.env });
    if (warnings.length) return check('config', 'config', 'warn', `${source}: ${warnings.join('; ')}`, 'remove or correct those variables');
  } catch (err) {
    const message = (err as Error).message.replace(/\n\s*/g, '; ');
    return check('config', 'config', 'fail', message, `fix ${paths.config} (or the FERRY_* variable it names)`);
  }
  return check('config', 'config', 'pass', exists ? `${source} is valid` : source);
}
