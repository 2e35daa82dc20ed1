import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where a daemon keeps its state: FERRY_HOME if set, else the platform's convention.
 * (Node-only; not exported from the protocol index so the browser bundle never pulls it in.)
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.FERRY_HOME) return path.resolve(env.FERRY_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Ferry');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Ferry');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'ferry');
}

/** The files inside a data dir. One place, so the daemon, the CLI and the tests agree. */
export function homePaths(home: string) {
  return {
    home,
    config: path.join(home, 'config.yaml'),
    token: path.join(home, 'admin.token'),
    db: path.join(home, 'ferry.db'),
    identityDir: path.join(home, 'identity'),
    key: path.join(home, 'identity', 'key.pem'),
    cert: path.join(home, 'identity', 'cert.pem'),
    pid: path.join(home, 'daemon.pid'),
    runtime: path.join(home, 'daemon.json'),
    logDir: path.join(home, 'logs'),
    log: path.join(home, 'logs', 'daemon.log'),
  };
}
export type HomePaths = ReturnType<typeof homePaths>;

/** What a running daemon writes to daemon.json so local clients can find it. */
export interface RuntimeInfo {
  pid: number;
  url: string;
  host: string;
  port: number;
  startedAt: string;
  version: string;
  /** The mutual-TLS peer listener's port, or null when it is off. */
  peerPort: number | null;
}

/**
 * Whether a process is running. EPERM means it is (someone else's). A zombie has exited and only
 * waits to be reaped (by its parent, or init for a detached daemon), so it counts as gone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true; // no /proc (macOS, Windows): signal 0 is the best answer there
  }
}
