import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from './proc.js';

/**
 * Linux network namespaces for multi-host tests on one machine: two namespaces joined by a veth
 * pair on a private /24, and processes started inside them. Needs root and iproute2; when either
 * is missing `requireNetns()` throws and says so (these tests must fail, never skip).
 */

const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
const PREFIX = 'ferry-';
let counter = 0;
const created = new Set<string>();

function ipBinary(): string | null {
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'ip'));
  return [...fromPath, ...IP_CANDIDATES].find((p) => fs.existsSync(p)) ?? null;
}

function ip(args: string[]): string {
  const bin = ipBinary();
  if (!bin) throw new Error('iproute2 `ip` not found');
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

/** Throw a descriptive error unless this process can create network namespaces. */
export function requireNetns(): void {
  if (process.platform !== 'linux') throw new Error(`network-namespace tests need Linux (this is ${process.platform})`);
  if (!ipBinary()) throw new Error(`network-namespace tests need iproute2: no \`ip\` on PATH or in ${IP_CANDIDATES.join(', ')} (apt-get install iproute2)`);
  const probe = `${PREFIX}probe-${process.pid}`;
  try {
    ip(['netns', 'add', probe]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    const who = process.getuid?.() === 0 ? 'root' : `uid ${process.getuid?.()}`;
    throw new Error(`network-namespace tests need root (CAP_SYS_ADMIN + CAP_NET_ADMIN); \`ip netns add\` failed as ${who}: ${stderr}`);
  }
  ip(['netns', 'del', probe]);
}

/** Remove namespaces left by earlier runs that died before their cleanup (their pid is gone). */
export function removeStaleNetns(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^ferry-[a-z]+-(\d+)-\d+$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) deleteNetns(name);
  }
}

export function deleteNetns(name: string): void {
  try {
    ip(['netns', 'del', name]);
  } catch {
    // already gone
  }
  created.delete(name);
}

/** Every namespace this process created, removed: for afterAll, and at exit as a last resort. */
export function cleanupNetns(): void {
  for (const name of [...created]) deleteNetns(name);
}
process.once('exit', cleanupNetns);

export interface NetnsHost {
  ns: string;
  ifname: string;
  address: string;
}

export interface NetnsLink {
  a: NetnsHost;
  b: NetnsHost;
  /** e.g. "10.213.77" (the /24 both sides are on). */
  subnet: string;
  destroy(): void;
}

/**
 * Two namespaces joined by a veth pair, lo and the veths up, multicast on, 10.213.<random>.1 and .2.
 * Nothing is created outside the two namespaces (the veth ends are created directly inside them).
 * `multicastRoute` (default true) adds 224.0.0.0/4 on the veth, as a default route would on a real LAN.
 */
export async function createLinkedPair(opts: { multicastRoute?: boolean } = {}): Promise<NetnsLink> {
  const n = counter++;
  const tag = `${process.pid}-${n}`;
  const short = `${process.pid.toString(36)}${n.toString(36)}`;
  const subnet = `10.213.${Math.floor(Math.random() * 254) + 1}`;
  const a: NetnsHost = { ns: `${PREFIX}a-${tag}`, ifname: `fy${short}a`, address: `${subnet}.1` };
  const b: NetnsHost = { ns: `${PREFIX}b-${tag}`, ifname: `fy${short}b`, address: `${subnet}.2` };
  const link: NetnsLink = {
    a,
    b,
    subnet,
    destroy: () => {
      deleteNetns(a.ns);
      deleteNetns(b.ns);
    },
  };
  try {
    for (const h of [a, b]) {
      ip(['netns', 'add', h.ns]);
      created.add(h.ns);
    }
    ip(['link', 'add', 'name', a.ifname, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns]);
    for (const h of [a, b]) {
      ip(['-n', h.ns, 'link', 'set', 'dev', 'lo', 'up']);
      ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', h.ifname]);
      ip(['-n', h.ns, 'link', 'set', 'dev', h.ifname, 'multicast', 'on']);
      ip(['-n', h.ns, 'link', 'set', 'dev', h.ifname, 'up']);
      if (opts.multicastRoute ?? true) ip(['-n', h.ns, 'route', 'add', '224.0.0.0/4', 'dev', h.ifname]);
    }
    // A veth has carrier a moment after both ends are up; until then Node (and so ciao) does not
    // list it, and a process started now would not see the link for its first polling period.
    const deadline = Date.now() + 5_000;
    const running = (h: NetnsHost) => /\bLOWER_UP\b.*\bstate UP\b/.test(ip(['-n', h.ns, '-o', 'link', 'show', 'dev', h.ifname]));
    while (!running(a) || !running(b)) {
      if (Date.now() > deadline) throw new Error(`the veth pair ${a.ifname}/${b.ifname} has no carrier after 5 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (err) {
    link.destroy();
    throw err;
  }
  return link;
}

/** Take a host's end of the link down or up (a cable pulled, a machine booting before its network). */
export function setLinkState(host: NetnsHost, up: boolean): void {
  ip(['-n', host.ns, 'link', 'set', 'dev', host.ifname, up ? 'up' : 'down']);
}

export interface NetnsProcess {
  proc: ChildProcess;
  /** stdout, one entry per complete line, as they arrive. */
  lines: string[];
  /** stderr the same way (a daemon's JSON log lines). */
  errLines: string[];
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolve with the first line (already seen or still to come) of `stream` that satisfies `pred`. */
  waitForLine(pred: (line: string) => boolean, timeoutMs: number, what: string, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** The same over the lines that parse as JSON. */
  waitForJson<T = Record<string, unknown>>(pred: (o: T) => boolean, timeoutMs: number, what: string, stream?: 'stdout' | 'stderr'): Promise<T>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL (a crash: no goodbye) and wait for the exit. */
  kill(): Promise<void>;
}

/** Run `command` inside namespace `ns` (`ip netns exec`); `env` is added to this process's environment. */
export function startInNetns(ns: string, command: string[], env: Record<string, string> = {}): NetnsProcess {
  const bin = ipBinary();
  if (!bin) throw new Error('iproute2 `ip` not found');
  // `ip netns exec` execs the command in place, so the pid (and the signals) are the command's own.
  const proc = spawn(bin, ['netns', 'exec', ns, ...command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const errLines: string[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  const collect = (into: string[]) => {
    let partial = '';
    return (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts);
      for (const w of waiters) w();
    };
  };
  proc.stdout!.on('data', collect(lines));
  proc.stderr!.on('data', collect(errLines));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let code: number | null | undefined;
  /** Set once stdout and stderr are drained too: only then is "no such line" final. */
  let closed = false;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve((code = c))));
  proc.once('close', () => {
    closed = true;
    for (const w of waiters) w();
  });

  const waitForLine = (pred: (line: string) => boolean, timeoutMs: number, what: string, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<string>((resolve, reject) => {
      const from = stream === 'stdout' ? lines : errLines;
      const report = (why: string) => `${ns}: ${why} ${what}\nstdout:\n${tail(lines.join('\n'))}\nstderr:\n${tail(err)}`;
      const check = () => {
        const hit = from.find(pred);
        if (hit !== undefined) return done(() => resolve(hit));
        if (closed) done(() => reject(new Error(report(`exited (${code}) before`))));
      };
      const timer = setTimeout(() => done(() => reject(new Error(report(`timed out after ${timeoutMs} ms waiting for`)))), timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });

  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      return undefined;
    }
  };

  const stop = async (timeoutMs = 10_000) => {
    if (code !== undefined) return code;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const c = await exited;
    clearTimeout(t);
    return c;
  };

  return {
    proc,
    lines,
    errLines,
    stderr: () => err,
    exited,
    waitForLine,
    waitForJson: async <T>(pred: (o: T) => boolean, timeoutMs: number, what: string, stream: 'stdout' | 'stderr' = 'stdout') => {
      const line = await waitForLine(
        (l) => {
          const o = parse(l);
          return o !== undefined && pred(o as T);
        },
        timeoutMs,
        what,
        stream,
      );
      return parse(line) as T;
    },
    stop,
    kill: async () => {
      if (code !== undefined) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Run a command to completion inside `ns` (a client talking to a daemon there: the root namespace
 * has no route into the namespaces). Bounded by `timeoutMs`; never throws on a non-zero exit.
 */
export function runInNetns(
  ns: string,
  command: string[],
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startInNetns(ns, command, env);
  let out = '';
  p.proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const t = setTimeout(() => p.proc.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    p.proc.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout: out, stderr: p.stderr() });
    }),
  );
}

function tail(s: string, n = 4000): string {
  return s.length > n ? '…' + s.slice(-n) : s;
}
