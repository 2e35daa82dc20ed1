import fs from 'node:fs';
import path from 'node:path';
import { FerryClient } from '../../server/client/index.js';
import { homePaths, type RuntimeInfo } from '../../server/protocol/home.js';
import type { RunContext } from './bench.js';
import { spawnBenchDaemon, type BenchDaemon } from './daemon.js';
import { pin, SERVER_CPU } from './proc.js';
import { newestProfile, summarizeProfile, type ProfileSummary, type Window } from './profile.js';
import { DAEMON_FLAGS } from './servers.js';
import type { TlsIdentity } from './mtls.js';

/**
 * Both listeners on loopback and no mDNS (as tests/helpers/daemon.ts); peers are always rate
 * limited, so the limits are raised far above what a run sends: the limiter still counts every
 * request, it just never refuses one (a 429 would stop the run).
 */
export const PEER_ENV: Record<string, string> = {
  FERRY_PEER_PORT: '0',
  FERRY_PEER_HOST: '127.0.0.1',
  FERRY_DISCOVERY_ENABLED: 'false',
  FERRY_RATE_LIMITS_CONTEXT: String(1e9),
  FERRY_RATE_LIMITS_EXEC: String(1e9),
};

export interface PeerDaemon {
  label: 'A' | 'B';
  url: string;
  pid: number;
  peerPort: number;
  nodeId: string;
  /** The bearer token for its local API. */
  headers: Record<string, string>;
  client: FerryClient;
  /** Its key.pem and cert.pem: to speak TLS as this node does. */
  identity: TlsIdentity;
  /** The same, as the files in its data dir (gone once it stops). */
  identityFiles: TlsIdentity;
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

export interface PeerPair {
  /** The peer that is asked (it runs the command, holds the context). */
  a: PeerDaemon;
  /** The daemon the client talks to; it forwards to A over mutual TLS. */
  b: PeerDaemon;
  /** What B calls A: the `:peer` of `/api/v1/peers/:peer/…`, a name as people type it (`ferry exec <name>`). */
  aOnB: string;
  /** Stop both (bounded, must exit 0); with --profile, summarise each one's profile over `window`. */
  stop(window?: Window): Promise<Partial<Record<'A' | 'B', ProfileSummary>>>;
}

/** What every peer bench needs of a daemon it started: its data dir's paths, peer port and a client. */
export interface StartedPeer {
  d: BenchDaemon;
  paths: ReturnType<typeof homePaths>;
  peerPort: number;
  client: FerryClient;
}

/**
 * Start a daemon with its peer listener on loopback, pinned to the servers' CPU, then `build` what
 * the bench keeps of it; the daemon is stopped again if that fails.
 */
export async function startPeerDaemon<T>(label: string, profileDir: string | undefined, build: (s: StartedPeer) => Promise<T>): Promise<{ d: BenchDaemon } & T> {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const d = await spawnBenchDaemon({ nodeFlags: [...DAEMON_FLAGS, ...prof], env: PEER_ENV });
  pin(d.pid, SERVER_CPU);
  try {
    const paths = homePaths(d.home);
    const { peerPort } = JSON.parse(fs.readFileSync(paths.runtime, 'utf8')) as RuntimeInfo;
    if (peerPort === null) throw new Error(`daemon ${label} has no peer listener`);
    const client = new FerryClient({ baseUrl: d.url, token: d.token });
    return { d, ...(await build({ d, paths, peerPort, client })) };
  } catch (err) {
    await d.stop();
    throw err;
  }
}

async function startOne(label: 'A' | 'B', profileDir: string | undefined): Promise<{ d: BenchDaemon; peer: PeerDaemon }> {
  return startPeerDaemon(label, profileDir, async ({ d, paths, peerPort, client }) => {
    const peer: PeerDaemon = {
      label,
      url: d.url,
      pid: d.pid,
      peerPort,
      nodeId: (await client.identity()).nodeId,
      headers: { authorization: `Bearer ${d.token}` },
      client,
      identity: { key: fs.readFileSync(paths.key, 'utf8'), cert: fs.readFileSync(paths.cert, 'utf8') },
      identityFiles: { key: paths.key, cert: paths.cert },
      output: () => d.output(),
    };
    return { peer };
  });
}

/**
 * Pair B with A through their APIs, as two people would: A opens a window, B joins with the code,
 * both humans confirm; each grants the other `trusted` (exec: full, context: read + write).
 */
async function pairThem(a: PeerDaemon, b: PeerDaemon): Promise<void> {
  const w = await a.client.openPairing();
  const joined = await b.client.joinPairing({ address: '127.0.0.1', port: a.peerPort, code: w.code });
  const onA = (await a.client.pairing()).sessions.find((s) => s.state === 'awaiting-confirmation' && s.peer?.nodeId === b.nodeId);
  if (!onA || onA.sas !== joined.sas) throw new Error(`pairing: A does not show B's request with the same code (${JSON.stringify(onA)})`);
  // Each confirmation waits (bounded, 20 s) for the other side's.
  const [bSession, aSession] = await Promise.all([b.client.confirmPairing(joined.sessionId, 'trusted', 20), a.client.confirmPairing(onA.sessionId, 'trusted', 20)]);
  if (aSession.state !== 'paired' || bSession.state !== 'paired') throw new Error(`pairing did not complete: A ${aSession.state}, B ${bSession.state}`);
}

/** Two daemons on this machine, paired, each pinned like every server in the benches. */
export async function startPeerPair(ctx: RunContext, name: string): Promise<PeerPair> {
  const profileDir = (label: string) => {
    if (!ctx.profileRoot) return undefined;
    const p = path.join(ctx.profileRoot, `${name}-${label}`);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const started: { d: BenchDaemon; peer: PeerDaemon; profileDir: string | undefined }[] = [];
  const stopAll = async (window?: Window): Promise<Partial<Record<'A' | 'B', ProfileSummary>>> => {
    const codes = await Promise.all(started.map(async (s) => ({ s, code: await s.d.stop() })));
    const bad = codes.find((c) => c.code !== 0);
    if (bad) throw new Error(`daemon ${bad.s.peer.label} exited with ${bad.code} on SIGTERM:\n${bad.s.d.output().slice(-2000)}`);
    const profiles: Partial<Record<'A' | 'B', ProfileSummary>> = {};
    for (const { s } of codes) {
      const file = s.profileDir ? newestProfile(s.profileDir) : undefined;
      if (file) profiles[s.peer.label] = summarizeProfile(file, `${name} ${s.peer.label}`, window);
    }
    return profiles;
  };
  try {
    for (const label of ['A', 'B'] as const) {
      const pd = profileDir(label);
      const one = await startOne(label, pd);
      started.push({ ...one, profileDir: pd });
    }
    const [a, b] = started.map((s) => s.peer) as [PeerDaemon, PeerDaemon];
    await pairThem(a, b);
    const aOnB = (await b.client.peers()).items.find((x) => x.nodeId === a.nodeId)?.name;
    if (!aOnB) throw new Error('B does not list A among its peers after pairing');
    return { a, b, aOnB, stop: stopAll };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
