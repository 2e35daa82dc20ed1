import { afterEach, describe, expect, it } from 'vitest';
import type { FerryError } from '../../server/client/index.js';
import { loadOrCreateIdentity } from '../../server/identity.js';
import * as pc from '../../server/peers/pairing-crypto.js';
import { homePaths } from '../../server/protocol/home.js';
import { spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { startRelay } from '../helpers/mitm.js';
import { connectWithoutCertificate, identityOf, pair, rawPeerRequest } from '../helpers/peers.js';

const running: SpawnedDaemon[] = [];
async function daemon(name: string) {
  const d = await spawnDaemon({ env: { FERRY_NAME: name } });
  running.push(d);
  return d;
}
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const d of running.splice(0)) await d.kill();
});

const failure = async (p: Promise<unknown>): Promise<FerryError> => {
  try {
    await p;
  } catch (err) {
    return err as FerryError;
  }
  throw new Error('expected a failure');
};

/** A wrong code that is still well formed: one character changed to another (never to itself). */
const wrong = (code: string, i: number) => {
  const others = '0123456789ABCDEFGH'.replace(code[5]!, '');
  return code.slice(0, 5) + others[i % others.length] + code.slice(6, 9);
};

describe('pairing under attack', () => {
  it('a relay that swaps the exchange keys (knowing the code) gets different comparison codes, and no pairing', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const w = await a.client.openPairing();
    const relay = await startRelay({ inviterPort: a.peerPort!, code: w.code });
    cleanups.push(relay.close);
    // B believes the relay's address is A's.
    const onB = await b.client.joinPairing({ address: '127.0.0.1', port: relay.port, code: w.code });
    const onA = (await a.client.pairing()).sessions.find((s) => s.state === 'awaiting-confirmation')!;
    expect(onA).toBeDefined();
    expect(onB.sas).toMatch(/^\d{6}$/);
    expect(onA.sas).toMatch(/^\d{6}$/);
    // The people read two different codes...
    expect(onA.sas).not.toBe(onB.sas);
    // ...and neither side sees the other's real identity: each sees the relay's.
    expect(onA.peer?.fingerprint).toBe(relay.identity.fingerprint);
    expect(onB.peer?.fingerprint).toBe(relay.identity.fingerprint);
    // So each rejects on its own machine, and nobody is paired.
    await a.client.rejectPairing(onA.sessionId);
    await b.client.rejectPairing(onB.sessionId);
    expect((await a.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    expect((await b.client.peers()).items.filter((p) => p.paired)).toEqual([]);
  });

  it('nothing is stored until BOTH humans confirm: one confirmation is not a pairing', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const w = await a.client.openPairing();
    const onB = await b.client.joinPairing({ address: '127.0.0.1', port: a.peerPort!, code: w.code });
    const onA = (await a.client.pairing()).sessions.find((s) => s.state === 'awaiting-confirmation')!;
    const aSide = await a.client.confirmPairing(onA.sessionId, 'trusted', 1);
    expect(aSide.state).toBe('waiting-for-peer');
    expect((await a.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    await b.client.rejectPairing(onB.sessionId);
    const after = await a.client.pairingSession(onA.sessionId);
    expect(after.state).toBe('rejected');
    expect((await a.client.peers()).items.filter((p) => p.paired)).toEqual([]);
    expect((await b.client.peers()).items.filter((p) => p.paired)).toEqual([]);
  });

  it('five wrong invite codes kill the window', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const w = await a.client.openPairing();
    for (let i = 0; i < 4; i++) {
      const err = await failure(b.client.joinPairing({ address: '127.0.0.1', port: a.peerPort!, code: wrong(w.code, i) }));
      expect(err.code).toBe('pairing-code-wrong');
      expect(err.details).toEqual({ attemptsLeft: 4 - i });
    }
    const fifth = await failure(b.client.joinPairing({ address: '127.0.0.1', port: a.peerPort!, code: wrong(w.code, 4) }));
    expect(fifth.code).toBe('pairing-code-wrong');
    expect(fifth.message).toContain('last try');
    // The right code no longer helps: the window is gone.
    const late = await failure(b.client.joinPairing({ address: '127.0.0.1', port: a.peerPort!, code: w.code }));
    expect(late.code).toBe('no-pairing-window');
    expect((await a.client.pairing()).window).toBeNull();
    // The window's story is in the events, without the code.
    const story: string[] = [];
    const ac = new AbortController();
    for await (const e of a.client.events({ since: 0, topics: ['peers'], signal: ac.signal })) {
      if (e.type !== 'pairing.window') continue;
      expect(JSON.stringify(e)).not.toContain(w.code);
      story.push(`${e.data.state}:${e.data.window?.attemptsLeft ?? '-'}`);
      if (e.data.state === 'closed') break;
    }
    ac.abort();
    expect(story).toEqual(['open:5', 'open:4', 'open:3', 'open:2', 'open:1', 'closed:-']);
  });

  it('replayed pairing messages fail', async () => {
    const a = await daemon('alpha');
    const w = await a.client.openPairing();
    const home = tempHome();
    const me = await loadOrCreateIdentity(homePaths(home));
    const asMe = identityOf(home);
    const e = pc.ephemeral();
    const n = pc.nonce();
    const startBody = { v: 1, commit: pc.b64(pc.commitment(e.publicRaw, n)), nodeId: me.nodeId, name: 'mallory' };
    const started = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/start', body: startBody, identity: asMe });
    expect(started.status).toBe(201);
    const s = started.body as { session: string; pk: string; nonce: string; nodeId: string };
    const aId = await a.client.identity();
    const t = pc.transcript({ fpA: aId.fingerprint, fpB: me.fingerprint, nodeIdA: s.nodeId, nodeIdB: me.nodeId, pkA: pc.fromB64(s.pk), pkB: e.publicRaw, nA: pc.fromB64(s.nonce), nB: n });
    const keys = pc.deriveKeys(e.privateKey, pc.fromB64(s.pk), t);
    const ck = await pc.codeKey(pc.normalizeCode(w.code)!, t);
    const reveal = {
      session: s.session,
      pk: pc.b64(e.publicRaw),
      nonce: pc.b64(n),
      mac: pc.b64(pc.codeMac(ck, t, 'B')),
      sealed: pc.seal(keys.bToA, t, 'info', { fingerprint: me.fingerprint, nodeId: me.nodeId, name: 'mallory', peerPort: 1, version: '0' }),
    };
    expect((await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/reveal', body: reveal, identity: asMe })).status).toBe(200);
    // The same reveal again: that step was taken.
    const again = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/reveal', body: reveal, identity: asMe });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'pairing-state' } });
    // Replaying the start makes a NEW session with a new nonce from A: the old reveal does not fit it.
    const restarted = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/start', body: startBody, identity: asMe });
    const s2 = restarted.body as { session: string; nonce: string };
    expect(s2.nonce).not.toBe(s.nonce);
    const spliced = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/reveal', body: { ...reveal, session: s2.session }, identity: asMe });
    expect(spliced.status).toBe(403); // the MAC was over the old transcript: a wrong try
    // Another certificate cannot continue someone else's session.
    const other = tempHome();
    await loadOrCreateIdentity(homePaths(other));
    const hijack = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/confirm', body: { session: s.session, sealed: 'x'.repeat(40) }, identity: identityOf(other) });
    expect(hijack.status).toBe(404);
    // A decision sealed under the wrong key does not open.
    const forged = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/confirm', body: { session: s.session, sealed: pc.seal(keys.aToB, t, 'decision', { decision: 'confirmed' }) }, identity: asMe });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ error: { code: 'pairing-failed' } });
  });

  it('refuses a client certificate that is not pinned, and a connection without one', async () => {
    const a = await daemon('alpha');
    const stranger = tempHome();
    await loadOrCreateIdentity(homePaths(stranger));
    for (const [method, path] of [
      ['GET', '/peer/v1/status'],
      ['POST', '/peer/v1/exec'],
      ['GET', '/peer/v1/context'],
      ['GET', '/peer/v1/health'],
      ['POST', '/peer/v1/unpair'],
    ] as const) {
      const res = await rawPeerRequest(a.peerPort!, { method, path, body: method === 'POST' ? { argv: ['true'] } : undefined, identity: identityOf(stranger) });
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'peer-not-paired' } });
      expect(res.closed, `${path}: connection closed at once`).toBe(true);
    }
    // hello is public (it is what mDNS announces), even to strangers.
    expect((await rawPeerRequest(a.peerPort!, { method: 'GET', path: '/peer/v1/hello', identity: identityOf(stranger) })).status).toBe(200);
    expect(await connectWithoutCertificate(a.peerPort!)).toBe('closed');
  });

  it('refuses a revoked certificate: after unpairing the old pin opens nothing', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    expect((await rawPeerRequest(a.peerPort!, { method: 'GET', path: '/peer/v1/health', identity: identityOf(b.home) })).status).toBe(200);
    await a.client.removePeer('bravo');
    const res = await rawPeerRequest(a.peerPort!, { method: 'GET', path: '/peer/v1/health', identity: identityOf(b.home) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'peer-not-paired' } });
  });

  it('the pairing handshake is rate limited per address', async () => {
    const a = await spawnDaemon({ env: { FERRY_RATE_LIMITS_PAIRING: '3' } });
    running.push(a);
    await a.client.openPairing();
    const home = tempHome();
    await loadOrCreateIdentity(homePaths(home));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/pair/start', body: {}, identity: identityOf(home) })).status);
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it('no window, no pairing', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const err = await failure(b.client.joinPairing({ address: '127.0.0.1', port: a.peerPort!, code: 'ABCD-EFGH' }));
    expect(err.code).toBe('no-pairing-window');
  });
});
