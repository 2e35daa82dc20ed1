import fs from 'node:fs';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { homePaths, resolveHome, type RuntimeInfo } from '../protocol/home.js';
import { FerryClient } from './index.js';
import { FerryError } from './errors.js';

export interface LocalTarget {
  home: string;
  url: string;
  token: string;
  runtime: RuntimeInfo | null;
}

/** Read what a running daemon wrote to its data dir (daemon.json), or null if it is not there. */
export function readRuntime(home: string): RuntimeInfo | null {
  try {
    return JSON.parse(fs.readFileSync(homePaths(home).runtime, 'utf8')) as RuntimeInfo;
  } catch {
    return null;
  }
}

/**
 * Find the local daemon for a data dir: its URL from daemon.json (else the default port) and the
 * admin token from admin.token. The token is read from the 0600 file, never from argv.
 */
export function findLocal(opts: { home?: string; url?: string } = {}): LocalTarget {
  const home = opts.home ?? resolveHome();
  const p = homePaths(home);
  let token: string;
  try {
    token = fs.readFileSync(p.token, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new FerryError(0, 'not-initialized', `no admin token at ${p.token}: run \`ferry init\` or \`ferry start\` first (FERRY_HOME=${home})`);
    }
    if (code === 'EACCES') {
      throw new FerryError(0, 'token-unreadable', `cannot read ${p.token}: run as the user that owns the daemon's data dir`);
    }
    throw err;
  }
  const runtime = readRuntime(home);
  const port = Number(process.env.FERRY_PORT) || DEFAULT_PORT;
  const url = opts.url ?? runtime?.url ?? `http://127.0.0.1:${port}`;
  return { home, url, token, runtime };
}

export function localClient(opts: { home?: string; url?: string } = {}): FerryClient {
  const t = findLocal(opts);
  return new FerryClient({ baseUrl: t.url, token: t.token });
}
