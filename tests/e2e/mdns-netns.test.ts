import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredPeer } from '../../server/discovery/index.js';
import { ROOT } from '../helpers/daemon.js';
import {
  cleanupNetns,
  createLinkedPair,
  removeStaleNetns,
  requireNetns,
  runInNetns,
  setLinkState,
  startInNetns,
  type NetnsLink,
  type NetnsProcess,
} from '../helpers/netns.js';

/**
 * Real multicast DNS between two "machines": two network namespaces joined by a veth pair, one
 * discovery node (the BUILT module, tests/fixtures/discovery-node.mjs) in each.
 */

const RUNNER = path.join(ROOT, 'tests', 'fixtures', 'discovery-node.mjs');
const BUILT = path.join(ROOT, 'dist', 'server', 'discovery', 'index.js');
const FIND_MS = 15_000;
const GOODBYE_MS = 8_000;

interface Line {
  event: string;
  at: number;
  peer?: DiscoveredPeer;
  peers?: DiscoveredPeer[];
  name?: string;
  reason?: string;
}

let link: NetnsLink;
const running: NetnsProcess[] = [];
let seq = 0;

function node(ns: string, name: string, port: number, env: Record<string, string> = {}) {
  const nodeId = `TEST${process.pid}N${seq++}`.toUpperCase();
  const p = startInNetns(ns, [process.execPath, RUNNER], { NODE_ID: nodeId, NODE_NAME: name, PEER_PORT: String(port), ...env });
  running.push(p);
  return { nodeId, name, port, p };
}
type Node = ReturnType<typeof node>;

const upOf = (n: Node, nodeId: string, what = `"up" for ${nodeId}`, timeoutMs = FIND_MS) =>
  n.p.waitForJson<Line>((l) => l.event === 'up' && l.peer?.nodeId === nodeId, timeoutMs, what);
const downOf = (n: Node, nodeId: string, timeoutMs = GOODBYE_MS) =>
  n.p.waitForJson<Line>((l) => l.event === 'down' && l.peer?.nodeId === nodeId, timeoutMs, `"down" for ${nodeId}`);
const started = (n: Node) => n.p.waitForJson<Line>((l) => l.event === 'started', FIND_MS, 'start');

beforeAll(async () => {
  // Fails (never skips) where namespaces cannot be made: the message says why.
  requireNetns();
  if (!fs.existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build:ts\` first`);
  removeStaleNetns();
  link = await createLinkedPair();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

afterAll(() => {
  link?.destroy();
  cleanupNetns();
});

describe('mDNS discovery between two network namespaces', () => {
  it('runs in real namespaces: each sees only loopback and its own end of the link', async () => {
    const script = 'console.log(JSON.stringify(Object.entries(require("os").networkInterfaces()).map(([n, i]) => [n, i.find((x) => x.family === "IPv4")?.address])))';
    for (const host of [link.a, link.b]) {
      const r = await runInNetns(host.ns, [process.execPath, '-e', script]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([
        ['lo', '127.0.0.1'],
        [host.ifname, host.address],
      ]);
    }
  });

  it('each side finds the other: node id, name, its veth address and peer port', async () => {
    const a = node(link.a.ns, 'alpha', 17718);
    await started(a);
    const b = node(link.b.ns, 'beta', 17719);
    const [bSeesA, aSeesB] = await Promise.all([upOf(b, a.nodeId), upOf(a, b.nodeId)]);
    expect(bSeesA.peer).toMatchObject({ nodeId: a.nodeId, name: 'alpha', port: 17718, version: '0.0.0-test' });
    expect(bSeesA.peer!.addresses[0]).toBe(link.a.address);
    expect(aSeesB.peer).toMatchObject({ nodeId: b.nodeId, name: 'beta', port: 17719 });
    expect(aSeesB.peer!.addresses[0]).toBe(link.b.address);
    // Each hears its own announcements (multicast loopback) but lists only the other.
    const ups = (n: Node) => n.p.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.event === 'up').map((l) => l.peer!.nodeId);
    expect(new Set(ups(a))).toEqual(new Set([b.nodeId]));
    expect(new Set(ups(b))).toEqual(new Set([a.nodeId]));
  });

  it('sees a stopped node say goodbye, and sees it again when it comes back', async () => {
    const a = node(link.a.ns, 'alpha', 17718);
    const b = node(link.b.ns, 'beta', 17719);
    await upOf(a, b.nodeId);
    expect(await b.p.stop()).toBe(0);
    expect(b.p.lines.some((l) => l.includes('"stopped"'))).toBe(true);
    // The default staleness bound is 150 s: a "down" this soon can only come from the goodbye.
    const down = await downOf(a, b.nodeId);
    expect(down).toMatchObject({ reason: 'goodbye', peer: { nodeId: b.nodeId, name: 'beta' } });

    const again = startInNetns(link.b.ns, [process.execPath, RUNNER], { NODE_ID: b.nodeId, NODE_NAME: 'beta', PEER_PORT: '17720' });
    running.push(again);
    const back = await a.p.waitForJson<Line>(
      (l) => l.event === 'up' && l.peer?.nodeId === b.nodeId && l.peer.port === 17720,
      FIND_MS,
      'the restarted node',
    );
    expect(back.peer!.addresses[0]).toBe(link.b.address);
  });

  it('keeps a live peer past the staleness bound and drops one that vanished without a goodbye', async () => {
    const fast = { QUERY_INTERVAL_MS: '500', STALE_AFTER_MS: '2500', LIST_EVERY_MS: '250' };
    const a = node(link.a.ns, 'alpha', 17718, fast);
    const b = node(link.b.ns, 'beta', 17719);
    const first = await upOf(a, b.nodeId);
    // Re-queries keep it fresh: still listed, and seen again, two staleness bounds later.
    await a.p.waitForJson<Line>(
      (l) => l.event === 'list' && (l.peers ?? []).some((p) => p.nodeId === b.nodeId && p.lastSeen > first.peer!.lastSeen + 5_000),
      FIND_MS,
      'a refreshed lastSeen',
    );
    expect(a.p.lines.some((l) => l.includes('"down"'))).toBe(false);

    await b.p.kill(); // SIGKILL: no goodbye
    const down = await downOf(a, b.nodeId, FIND_MS);
    expect(down).toMatchObject({ reason: 'stale', peer: { nodeId: b.nodeId } });
    await a.p.waitForJson<Line>((l) => l.event === 'list' && l.at > down.at && (l.peers ?? []).length === 0, FIND_MS, 'an empty list');
  });

  it('renames on a name clash and still tells the two apart by node id', async () => {
    const a = node(link.a.ns, 'twin', 17718);
    await a.p.waitForJson<Line>((l) => l.event === 'announced', FIND_MS, 'the first twin announced');
    const b = node(link.b.ns, 'twin', 17719);
    const announced = await b.p.waitForJson<Line>((l) => l.event === 'announced', FIND_MS, 'the second twin announced');
    expect(announced.name).toBe('twin (2)');
    const seen = await a.p.waitForJson<Line>((l) => l.event === 'up' && l.peer?.nodeId === b.nodeId && l.peer.name === 'twin (2)', FIND_MS, 'the renamed twin');
    expect(seen.peer!.port).toBe(17719);
    expect((await upOf(b, a.nodeId)).peer!.name).toBe('twin');
  });

  it('works restricted to one interface, and with no multicast route at all', async () => {
    const bare = await createLinkedPair({ multicastRoute: false });
    try {
      const a = node(bare.a.ns, 'alpha', 17718, { INTERFACES: bare.a.ifname });
      const b = node(bare.b.ns, 'beta', 17719, { INTERFACES: bare.b.ifname });
      expect((await upOf(a, b.nodeId)).peer!.addresses).toEqual([bare.b.address]);
      expect((await upOf(b, a.nodeId)).peer!.addresses).toEqual([bare.a.address]);
      await b.p.stop();
      await downOf(a, b.nodeId);
    } finally {
      await Promise.all(running.splice(0).map((p) => p.kill()));
      bare.destroy();
    }
  });

  it('finds a node that started before its network link came up', async () => {
    const late = await createLinkedPair();
    try {
      setLinkState(late.b, false);
      const a = node(late.a.ns, 'alpha', 17718);
      const b = node(late.b.ns, 'beta', 17719);
      await Promise.all([started(a), started(b)]);
      setLinkState(late.b, true);
      // ciao is re-bound when the interface list changes (checked every 15 s), browsing every 5 s.
      expect((await upOf(a, b.nodeId, 'the late node', 30_000)).peer!.addresses).toEqual([late.b.address]);
      expect((await upOf(b, a.nodeId, 'the early node', 30_000)).peer!.addresses).toEqual([late.a.address]);
    } finally {
      await Promise.all(running.splice(0).map((p) => p.kill()));
      late.destroy();
    }
  }, 60_000);

  it('two daemons on one machine find each other (ciao and bonjour sharing port 5353) and a third across the link', async () => {
    const a1 = node(link.a.ns, 'one', 17718);
    const a2 = node(link.a.ns, 'two', 17728);
    const b = node(link.b.ns, 'three', 17719);
    const sameHost = await upOf(a1, a2.nodeId);
    expect(sameHost.peer!.port).toBe(17728);
    expect([link.a.address, '127.0.0.1']).toContain(sameHost.peer!.addresses[0]);
    await upOf(a2, a1.nodeId);
    for (const n of [a1, a2]) expect((await upOf(b, n.nodeId)).peer!.addresses[0]).toBe(link.a.address);
    for (const n of [a1, a2]) expect((await upOf(n, b.nodeId)).peer!.addresses[0]).toBe(link.b.address);
  });
});
