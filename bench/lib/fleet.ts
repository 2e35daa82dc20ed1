import fs from 'node:fs';
import path from 'node:path';
import type { FerryClient } from '../../server/client/index.js';
import type { RunContext } from './bench.js';
import type { BenchDaemon } from './daemon.js';
import type { TlsIdentity } from './mtls.js';
import { startPeerDaemon } from './peer-daemons.js';
import { memoryOf } from './proc.js';
import { newestProfile, summarizeProfile, type ProfileSummary, type Window } from './profile.js';

export interface FleetDaemon {
  /** `hub`, or the name the hub knows it by (s01…). */
  name: string;
  url: string;
  pid: number;
  peerPort: number;
  nodeId: string;
  client: FerryClient;
  /** The bearer token for its local API. */
  headers: Record<string, string>;
  /** Its key.pem and cert.pem, as files in its data dir (gone once it stops). */
  identityFiles: TlsIdentity;
  cert: string;
}

export interface Fleet {
  /** The daemon the bench talks to, as a person would to their main daemon. */
  hub: FleetDaemon;
  members: FleetDaemon[];
  /** Resident memory of every daemon, MB. */
  rssMb(): number[];
  /** Stop them all (bounded, each must exit 0); with --profile, the hub's profile over `window`. */
  stop(window?: Window): Promise<ProfileSummary | undefined>;
}

async function startOne(name: string, profileDir: string | undefined): Promise<{ d: BenchDaemon; f: FleetDaemon }> {
  return startPeerDaemon(name, profileDir, async ({ d, paths, peerPort, client }) => {
    const f: FleetDaemon = { name, url: d.url, pid: d.pid, peerPort, nodeId: (await client.identity()).nodeId, client, headers: { authorization: `Bearer ${d.token}` }, identityFiles: { key: paths.key, cert: paths.cert }, cert: fs.readFileSync(paths.cert, 'utf8') };
    return { f };
  });
}

/**
 * A hub and `n` daemons on this machine, as `ferry session start-fleet -c n` makes them: each its
 * own data dir, ports and certificate, peer listener on loopback, discovery off. Trust goes both
 * ways through the local APIs (`POST /api/v1/peers/trust`, preset `trusted`), without a pairing
 * ceremony, as the CLI introduces sessions of one owner. Every daemon on the servers' CPU.
 */
export async function startFleet(ctx: RunContext, n: number): Promise<Fleet> {
  const started: { d: BenchDaemon; f: FleetDaemon; profileDir: string | undefined }[] = [];
  const stop = async (window?: Window): Promise<ProfileSummary | undefined> => {
    const codes = await Promise.all(started.map(async (s) => ({ s, code: await s.d.stop() })));
    const bad = codes.find((c) => c.code !== 0);
    if (bad) throw new Error(`daemon ${bad.s.f.name} exited with ${bad.code} on SIGTERM:\n${bad.s.d.output().slice(-2000)}`);
    const hubDir = started[0]?.profileDir;
    const file = hubDir ? newestProfile(hubDir) : undefined;
    return file ? summarizeProfile(file, 'fleet hub (broadcasting)', window) : undefined;
  };
  try {
    for (let i = 0; i <= n; i++) {
      const name = i === 0 ? 'hub' : `s${String(i).padStart(2, '0')}`;
      // Only the hub is profiled: it does the fan-out; each member serves one PUT per broadcast.
      const profileDir = i === 0 && ctx.profileRoot ? path.join(ctx.profileRoot, 'fleet-hub') : undefined;
      if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
      started.push({ ...(await startOne(name, profileDir)), profileDir });
    }
    const [hub, ...members] = started.map((s) => s.f) as [FleetDaemon, ...FleetDaemon[]];
    for (const m of members) {
      await hub.client.trustPeer({ certificate: m.cert, name: m.name, addresses: ['127.0.0.1'], port: m.peerPort, policy: 'trusted' });
      await m.client.trustPeer({ certificate: hub.cert, name: 'hub', addresses: ['127.0.0.1'], port: hub.peerPort, policy: 'trusted' });
    }
    const listed = (await hub.client.peers()).items.map((p) => p.nodeId);
    const missing = members.filter((m) => !listed.includes(m.nodeId));
    if (missing.length) throw new Error(`the hub does not list ${missing.map((m) => m.name).join(', ')} among its peers after trusting them`);
    return { hub, members, rssMb: () => started.map((s) => memoryOf(s.f.pid).rssMb), stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
