import fs from 'node:fs';
import path from 'node:path';
import type { FerryClient } from '../../server/client/index.js';
import { localClient, readRuntime } from '../../server/client/local.js';
import { homePaths, type HomePaths } from '../../server/protocol/home.js';
import type { Identity, PeerView, PresetName } from '../../server/protocol/index.js';
import { CliError, usageError } from '../errors.js';
import { inspectDaemon, isAlive, pollUntil, probeHealth, readPidFile } from './daemon.js';
import { startDetached } from './detach.js';

/**
 * Local fleets: extra daemons on this machine, each with its own data dir under the main one
 * (`<home>/sessions/<name>`), ports, name and identity. The CLI, holding every admin token, pins
 * each daemon's certificate in the others through their local APIs (`POST /peers/trust`).
 */

/** Lower case only: the name is a directory, and some file systems do not tell "A" from "a". */
const SESSION_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function checkSessionName(name: string): string {
  if (!SESSION_NAME.test(name)) {
    throw usageError(
      `"${name}" is not a valid session name`,
      'use 1-40 lower-case letters, digits, "-" and "_", starting with a letter or digit (e.g. `agent-1`)',
    );
  }
  return name;
}

const sessionsDir = (home: string) => path.join(home, 'sessions');
export const sessionHome = (home: string, name: string) => path.join(sessionsDir(home), name);

type SessionRunState = 'running' | 'stopped' | 'not-responding';

export interface SessionInfo {
  name: string;
  home: string;
  /** running: answers /health; stopped: no live process; not-responding: a live pid that does not answer. */
  state: SessionRunState;
  pid: number | null;
  url: string | null;
  /** The mutual-TLS peer port (loopback only) that the other daemons dial. */
  peerPort: number | null;
  startedAt: string | null;
}

/** The sessions that have a data dir, by name. */
export function sessionNames(home: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(sessionsDir(home), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && SESSION_NAME.test(e.name)).map((e) => e.name).sort(byNumber);
}

/** agent-2 before agent-10. */
function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function sessionExists(home: string, name: string): boolean {
  return fs.existsSync(sessionHome(home, name));
}

/** What a session's data dir says, checked against the process table and its /health. */
export async function inspectSession(home: string, name: string): Promise<SessionInfo> {
  const dir = sessionHome(home, name);
  const { pid, alive, runtime, health } = await inspectDaemon(dir, homePaths(dir));
  const current = alive && runtime?.pid === pid ? runtime : null;
  return {
    name,
    home: dir,
    state: health ? 'running' : alive ? 'not-responding' : 'stopped',
    pid: alive ? pid : null,
    url: current?.url ?? null,
    peerPort: current?.peerPort ?? null,
    startedAt: current?.startedAt ?? null,
  };
}

/**
 * Start a session's daemon in the background, like `ferry start --detach`: any free ports, the API
 * and the peer listener on loopback only, no mDNS. Flags win over config.yaml and FERRY_*, so
 * nothing in the environment can open a session to the network.
 */
export async function launchSession(home: string, name: string): Promise<{ pid: number; url: string }> {
  fs.mkdirSync(sessionsDir(home), { recursive: true, mode: 0o700 });
  const paths = homePaths(sessionHome(home, name));
  return startDetached(paths, [
    '--port', '0',
    '--host', '127.0.0.1',
    '--name', name,
    '--set', 'peer.enabled=true',
    '--set', 'peer.host=127.0.0.1',
    '--set', 'peer.port=0',
    '--set', 'discovery.enabled=false',
  ]);
}

/** A daemon taking part in a fleet: how to reach its API, and what the others pin and dial. */
export interface Member {
  /** The name the others give it. */
  name: string;
  client: FerryClient;
  identity: Identity;
  address: string;
  peerPort: number;
}

/** The main daemon as a fleet member (its peer listener must be on). */
export async function mainMember(client: FerryClient): Promise<Member> {
  const [status, identity] = await Promise.all([client.status(), client.identity()]);
  if (!status.peerListen) {
    throw new CliError('peers-disabled', 'the daemon\'s peer listener is off, so sessions cannot reach it', {
      hint: 'sessions are peers of the main daemon: turn its peer listener on (peer.enabled: true in config.yaml) and restart it',
    });
  }
  return { name: identity.name, client, identity, address: dialable(status.peerListen.host), peerPort: status.peerListen.port };
}

/** A running session as a fleet member. */
export async function sessionMember(home: string, name: string): Promise<Member> {
  const dir = sessionHome(home, name);
  const runtime = readRuntime(dir);
  if (!runtime?.peerPort) {
    throw new CliError('session-not-running', `session ${name} is not running (or has no peer listener)`, { hint: `start it with \`ferry session start ${name}\`` });
  }
  const client = localClient({ home: dir });
  return { name, client, identity: await client.identity(), address: '127.0.0.1', peerPort: runtime.peerPort };
}

/** A wildcard listen address is dialled on loopback: the fleet never leaves the machine. */
function dialable(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

export interface Introduction {
  /** What `a` calls `b` after pinning it, and the other way round (a name may be taken already). */
  a: string;
  b: string;
  aCallsB: string;
  bCallsA: string;
}

/**
 * Pin each daemon's certificate in the other, with its current address and peer port. Again for
 * a daemon already pinned: the port is updated, its policy (perhaps changed by hand) kept.
 */
export async function introduce(a: Member, b: Member, policy: PresetName): Promise<Introduction> {
  const pin = (on: Member, of: Member): Promise<PeerView> =>
    on.client.trustPeer({ certificate: of.identity.certificate, name: of.name, addresses: [of.address], port: of.peerPort, policy });
  const [bOnA, aOnB] = await Promise.all([pin(a, b), pin(b, a)]);
  return { a: a.name, b: b.name, aCallsB: bOnA.name, bCallsA: aOnB.name };
}

export interface StopResult {
  name: string;
  stopped: boolean;
  /** When not stopped: why there was nothing to stop. */
  reason?: 'not-running' | 'stale-pid-file';
  pid?: number;
  waitedMs?: number;
  /** It did not end within the grace period after SIGTERM and was killed with SIGKILL. */
  killed?: boolean;
}

/** After SIGKILL the kernel takes a moment; past this the process is reported as still there. */
const KILL_WAIT_MS = 5000;

/**
 * Stop a session's daemon and wait until its process is gone: SIGTERM (it drains and ends its
 * jobs), then SIGKILL to its process group after `graceMs`. Never returns while it still runs.
 */
export async function stopSession(home: string, name: string, graceMs: number): Promise<StopResult> {
  const dir = sessionHome(home, name);
  const paths = homePaths(dir);
  const pid = readPidFile(paths);
  if (pid === null) return { name, stopped: false, reason: 'not-running' };
  if (!isAlive(pid) || !(await isSessionDaemon(dir, pid))) {
    removeRuntimeFiles(dir, paths, pid);
    return { name, stopped: false, reason: 'stale-pid-file', pid };
  }
  const started = Date.now();
  signal(pid, 'SIGTERM');
  let gone = await waitGone(pid, graceMs);
  let killed = false;
  if (!gone) {
    killed = true;
    // A detached daemon leads its own process group: take the group, so nothing of it is left.
    if (!signal(-pid, 'SIGKILL')) signal(pid, 'SIGKILL');
    gone = await waitGone(pid, KILL_WAIT_MS);
    if (gone) removeRuntimeFiles(dir, paths, pid);
  }
  if (!gone) {
    throw new CliError('stop-timeout', `session ${name} (pid ${pid}) is still there after SIGKILL`, {
      hint: `see \`ps -p ${pid}\`: a process stuck in the kernel (D state) ends when its I/O does`,
      details: { name, pid },
    });
  }
  return { name, stopped: true, pid, waitedMs: Date.now() - started, killed };
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  return (await pollUntil(() => (isAlive(pid) ? undefined : true), { timeoutMs: ms, intervalMs: 50 })) === true;
}

/** false when there is no such process (or group). */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') {
      throw new CliError('permission-denied', `not allowed to signal pid ${Math.abs(pid)}`, { hint: 'run the command as the user running the sessions' });
    }
    return false;
  }
}

/**
 * Guard against a reused pid after a crash: only signal our daemon. It answers /health from the
 * pid in daemon.json, or (Linux) its command line names its data dir or is node/ferry.
 */
async function isSessionDaemon(dir: string, pid: number): Promise<boolean> {
  const runtime = readRuntime(dir);
  if (runtime?.pid === pid && (await probeHealth(runtime.url, 1500))) return true;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(dir) || /node|ferry/i.test(cmdline);
  } catch {
    return true; // no /proc: the live pid from the session's own pid file is the best we know
  }
}

/** A daemon killed with SIGKILL cannot remove its pid file and daemon.json: do it for it. */
function removeRuntimeFiles(dir: string, paths: HomePaths, pid: number): void {
  if (readPidFile(paths) === pid) fs.rmSync(paths.pid, { force: true });
  if (readRuntime(dir)?.pid === pid) fs.rmSync(paths.runtime, { force: true });
}
