import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity } from '../../server/identity.js';
import type { Job, PairingOverview, PairingSession, PairingWindow, PeerList, PeerView } from '../../server/protocol/index.js';
import { homePaths } from '../../server/protocol/home.js';
import { DAEMON_MAIN, ROOT, tempHome } from '../helpers/daemon.js';
import { cleanupNetns, createLinkedPair, removeStaleNetns, requireNetns, runInNetns, startInNetns, type NetnsLink, type NetnsProcess } from '../helpers/netns.js';
import { waitFor } from '../helpers/proc.js';

/**
 * Two whole daemons on two "machines": network namespaces joined by a veth pair. They find each
 * other with mDNS, pair across the link with their APIs (the way the CLI does), run a command
 * across, and notice when the other goes away.
 */
const CALL = path.join(ROOT, 'tests', 'fixtures', 'client-call.mjs');
const PEER_GET = path.join(ROOT, 'tests', 'fixtures', 'peer-get.mjs');

let link: NetnsLink;
const hosts: { name: string; ns: string; address: string; home: string; proc: NetnsProcess }[] = [];

async function call<T>(host: (typeof hosts)[number], method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await runInNetns(host.ns, [process.execPath, CALL, host.home, method, p, ...(body === undefined ? [] : [JSON.stringify(body)])]);
  if (r.code !== 0) throw new Error(`client call failed in ${host.ns}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { status: number; body: T };
}

beforeAll(async () => {
  // Fails loudly (never skips) when network namespaces are not available here.
  requireNetns();
  removeStaleNetns();
  link = await createLinkedPair();
  for (const [name, side] of [['north', link.a], ['south', link.b]] as const) {
    const home = tempHome(`ferry-${name}-`);
    const proc = startInNetns(side.ns, [process.execPath, DAEMON_MAIN], {
      FERRY_HOME: home,
      FERRY_NAME: name,
      FERRY_PORT: '0',
      FERRY_HOST: '127.0.0.1',
      FERRY_PEER_HOST: '0.0.0.0',
      FERRY_PEER_PORT: '7718',
      FERRY_DISCOVERY_ENABLED: 'true',
      FERRY_PEER_HEALTH_INTERVAL_MS: '1000',
      FERRY_PEER_HEALTH_MAX_INTERVAL_MS: '2000',
    });
    hosts.push({ name, ns: side.ns, address: side.address, home, proc });
  }
  for (const h of hosts) await waitFor(() => fs.existsSync(path.join(h.home, 'daemon.json')), 20_000, `${h.name} to start`);
}, 60_000);

afterAll(async () => {
  for (const h of hosts) await h.proc.stop(5_000);
  link?.destroy();
  cleanupNetns();
});

describe('two daemons on two hosts (network namespaces)', () => {
  it('discover each other by mDNS and list each other as found, not paired', async () => {
    const [north, south] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
    for (const [me, other] of [[north, south], [south, north]] as const) {
      let list: PeerList | undefined;
      await waitFor(async () => {
        list = (await call<PeerList>(me, 'GET', '/peers')).body;
        return list.items.some((p) => p.name === other.name);
      }, 20_000, `${me.name} to discover ${other.name}`);
      expect(list!.items.find((p) => p.name === other.name)).toMatchObject({ paired: false, source: 'mdns', port: 7718, addresses: expect.arrayContaining([other.address]) });
    }
  }, 45_000);

  it('pair across the link with both confirmations, then run a command on the other host', async () => {
    const [north, south] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
    const w = (await call<PairingWindow>(north, 'POST', '/pairing')).body;
    const joined = await call<PairingSession>(south, 'POST', '/pairing/join', { address: north.address, port: 7718, code: w.code });
    expect(joined.status).toBe(201);
    const onNorth = (await call<PairingOverview>(north, 'GET', '/pairing')).body.sessions.find((s) => s.state === 'awaiting-confirmation')!;
    expect(onNorth.sas).toBe(joined.body.sas);
    const [a, b] = await Promise.all([
      call<PairingSession>(south, 'POST', `/pairing/sessions/${joined.body.sessionId}/confirm`, { policy: 'trusted', waitSeconds: 20 }),
      call<PairingSession>(north, 'POST', `/pairing/sessions/${onNorth.sessionId}/confirm`, { policy: 'trusted', waitSeconds: 20 }),
    ]);
    expect([a.body.state, b.body.state]).toEqual(['paired', 'paired']);
    const job = await call<Job>(south, 'POST', '/peers/north/exec', { argv: ['sh', '-c', 'echo hi from $(hostname -I 2>/dev/null || echo ns)'] });
    expect(job.status).toBe(200);
    expect(job.body.stdout).toContain('hi from');
    expect(job.body.stdout).toContain(north.address);
    const listed = (await call<PeerList>(south, 'GET', '/peers')).body.items.find((p) => p.name === 'north');
    expect(listed).toMatchObject({ paired: true, source: 'paired', online: true });
  }, 60_000);

  it('a session trusted without pairing is accepted over loopback only: its key is useless from another host', async () => {
    const [north, south] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
    // A session's identity (its key never leaves its data dir), trusted by north through its local API.
    const sessionHome = tempHome('ferry-session-');
    const session = await loadOrCreateIdentity(homePaths(sessionHome));
    const trusted = await call<PeerView>(north, 'POST', '/peers/trust', { certificate: session.certPem, name: 'session-1', addresses: ['127.0.0.1'], port: 7719 });
    expect(trusted.status).toBe(201);
    expect(trusted.body).toMatchObject({ name: 'session-1', localOnly: true });
    const key = path.join(sessionHome, 'identity', 'key.pem');
    const cert = path.join(sessionHome, 'identity', 'cert.pem');
    const get = async (ns: string, host: string) => {
      const r = await runInNetns(ns, [process.execPath, PEER_GET, host, '7718', '/peer/v1/hello', key, cert]);
      if (r.code !== 0) throw new Error(`peer GET failed in ${ns}: ${r.stderr}`);
      return JSON.parse(r.stdout) as { status: number; body: { error?: { code: string }; name?: string } };
    };
    // On north's own machine (loopback): accepted, as a session would be.
    expect(await get(north.ns, '127.0.0.1')).toMatchObject({ status: 200, body: { name: 'north' } });
    // The same key from south, across the link: refused.
    expect(await get(south.ns, north.address)).toMatchObject({ status: 403, body: { error: { code: 'peer-local-only' } } });
    // And an ordinary pairing (south, by the ceremony above) still works across the link.
    const southIdentity = path.join(south.home, 'identity');
    const r = await runInNetns(south.ns, [process.execPath, PEER_GET, north.address, '7718', '/peer/v1/hello', path.join(southIdentity, 'key.pem'), path.join(southIdentity, 'cert.pem')]);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 200 });
  }, 30_000);

  it('notices when the other host goes away (health checks), and keeps checking', async () => {
    const [north, south] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
    await north.proc.stop(5_000);
    await waitFor(async () => (await call<PeerList>(south, 'GET', '/peers')).body.items.find((p) => p.name === 'north')?.online === false, 15_000, 'south to see north offline');
  }, 30_000);
});
