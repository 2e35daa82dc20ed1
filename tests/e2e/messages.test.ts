import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BroadcastResult, ReceivedMessage, SentMessage } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { identityOf, pair, rawPeerRequest } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';

const running: SpawnedDaemon[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.kill();
});

/** Quick retries and health checks, and a fixed peer port so a restarted daemon is found again. */
async function daemon(name: string, opts: { home?: string; peerPort?: number } = {}): Promise<SpawnedDaemon> {
  const d = await spawnDaemon({
    ...(opts.home ? { home: opts.home } : {}),
    env: {
      FERRY_NAME: name,
      FERRY_MESSAGES_MAX_RETRY_MS: '1000',
      FERRY_PEER_HEALTH_INTERVAL_MS: '1000',
      FERRY_PEER_HEALTH_MAX_INTERVAL_MS: '2000',
      ...(opts.peerPort ? { FERRY_PEER_PORT: String(opts.peerPort) } : {}),
    },
  });
  running.push(d);
  return d;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const send = (d: SpawnedDaemon, body: object) => d.client.request<SentMessage>('POST', '/messages', { body });
const sent = (d: SpawnedDaemon, id: string) => d.client.request<SentMessage>('GET', `/messages/outbox/${id}`);
const inbox = async (d: SpawnedDaemon, query: Record<string, string> = {}) => (await d.client.request<{ items: ReceivedMessage[] }>('GET', '/messages/inbox', { query })).items;
const statusOf = async (d: SpawnedDaemon, id: string) => (await sent(d, id)).recipients[0]!.status;

describe('messages', () => {
  it('reach a stopped peer exactly once when it starts again, and the sender sees the acknowledgement', async () => {
    const port = await freePort();
    const a = await daemon('alpha');
    const b = await daemon('bravo', { peerPort: port });
    await pair(a, b);
    await b.stop();
    const m = await send(a, { to: 'bravo', type: 'request', body: 'are you there?' });
    expect(m.recipients).toEqual([expect.objectContaining({ peer: 'bravo', status: 'queued' })]);
    await waitFor(async () => (await sent(a, m.id)).recipients[0]!.attempts >= 2, 10_000, 'a couple of failed attempts');
    expect(await statusOf(a, m.id)).toBe('queued');
    const b2 = await daemon('bravo', { home: b.home, peerPort: port });
    await waitFor(async () => (await statusOf(a, m.id)) === 'delivered', 15_000, 'delivery after bravo is back');
    const got = await inbox(b2);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ id: m.id, body: 'are you there?', type: 'request', status: 'unread', from: { name: 'alpha', nodeId: (await a.client.identity()).nodeId } });
    await b2.client.request('POST', `/messages/inbox/${m.id}/ack`);
    await waitFor(async () => (await statusOf(a, m.id)) === 'acknowledged', 10_000, 'the acknowledgement to reach alpha');
    expect(await inbox(b2)).toHaveLength(1);
  });

  it('survive the sender being killed after accepting, before delivering', async () => {
    const port = await freePort();
    const a = await daemon('alpha');
    const b = await daemon('bravo', { peerPort: port });
    await pair(a, b);
    await b.stop();
    const m = await send(a, { to: 'bravo', body: { n: 1 } });
    await a.kill();
    await daemon('bravo', { home: b.home, peerPort: port });
    const a2 = await daemon('alpha', { home: a.home });
    await waitFor(async () => (await statusOf(a2, m.id)) === 'delivered', 15_000, 'delivery after the sender restarted');
  });

  it('a retry after a lost answer does not duplicate, and a sender cannot claim to be someone else', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    const asA = identityOf(a.home);
    const wire = { id: 'retry-test-0001', type: 'chat', body: 'once', replyTo: null, thread: 'retry-test-0001', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
    for (let i = 0; i < 3; i++) expect((await rawPeerRequest(b.peerPort!, { method: 'POST', path: '/peer/v1/messages', body: wire, identity: asA })).status).toBe(200);
    expect((await inbox(b)).filter((m) => m.id === 'retry-test-0001')).toHaveLength(1);
    // A "from" field is not part of the wire: the sender is whoever the certificate says.
    const spoof = await rawPeerRequest(b.peerPort!, { method: 'POST', path: '/peer/v1/messages', body: { ...wire, id: 'spoof-test-0001', from: { nodeId: 'SOMEONE-ELSE', name: 'boss' } }, identity: asA });
    expect(spoof.status).toBe(400);
    const stored = (await inbox(b)).find((m) => m.id === 'retry-test-0001')!;
    expect(stored.from).toEqual({ nodeId: (await a.client.identity()).nodeId, name: 'alpha' });
    // A stranger's certificate cannot deliver at all.
    const c = await daemon('charlie');
    expect((await rawPeerRequest(b.peerPort!, { method: 'POST', path: '/peer/v1/messages', body: { ...wire, id: 'stranger-0001' }, identity: identityOf(c.home) })).status).toBe(403);
    // Nor reuse another sender's message id.
    await pair(b, c);
    const taken = await rawPeerRequest(b.peerPort!, { method: 'POST', path: '/peer/v1/messages', body: wire, identity: identityOf(c.home) });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'message-id-taken' } });
  });

  it('wait returns as soon as a message arrives, and empty when its time is up', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    const started = Date.now();
    const waiting = b.client.request<{ items: ReceivedMessage[] }>('GET', '/messages/wait', { query: { timeout: 20 } });
    await new Promise((r) => setTimeout(r, 300));
    const m = await send(a, { to: 'bravo', body: 'wake up' });
    const woke = await waiting;
    expect(woke.items.map((x) => x.id)).toEqual([m.id]);
    expect(Date.now() - started).toBeLessThan(15_000);
    const after = woke.items[0]!.seq;
    const t0 = Date.now();
    const empty = await b.client.request<{ items: ReceivedMessage[] }>('GET', '/messages/wait', { query: { timeout: 1, after } });
    expect(empty.items).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    // Unread messages are there at once for a waiter that has not seen them.
    expect((await b.client.request<{ items: ReceivedMessage[] }>('GET', '/messages/wait', { query: { timeout: 5 } })).items).toHaveLength(1);
  });

  it('expire on both sides when nobody acknowledges them in time', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    const m = await send(a, { to: 'bravo', body: 'soon stale', ttl: 2 });
    await waitFor(async () => (await inbox(b)).some((x) => x.id === m.id), 10_000, 'delivery');
    await waitFor(async () => (await statusOf(a, m.id)) === 'expired', 10_000, 'expired at the sender');
    await waitFor(async () => (await inbox(b)).find((x) => x.id === m.id)?.status === 'expired', 10_000, 'expired at the receiver');
    // Acknowledging an expired message changes nothing.
    expect((await b.client.request<ReceivedMessage>('POST', `/messages/inbox/${m.id}/ack`)).status).toBe('expired');
  });

  it('threads replies, filters the inbox, and refuses unknown recipients', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    const q = await send(a, { to: 'bravo', type: 'request', body: 'question' });
    await waitFor(async () => (await inbox(b)).length === 1, 10_000, 'question');
    const answer = await send(b, { to: 'alpha', type: 'response', body: 'answer', replyTo: q.id });
    expect(answer.thread).toBe(q.id);
    await waitFor(async () => (await inbox(a)).length === 1, 10_000, 'answer');
    expect((await inbox(a, { thread: q.id }))[0]).toMatchObject({ replyTo: q.id, type: 'response', thread: q.id });
    expect(await inbox(a, { from: 'nobody' })).toEqual([]);
    await expect(send(a, { to: 'nobody', body: 'x' })).rejects.toMatchObject({ code: 'peer-not-found' });
    await expect(send(a, { to: 'bravo', body: 'x', sender: 'me' })).rejects.toMatchObject({ code: 'validation-failed' });
  });
});

describe('context across peers', () => {
  it('broadcasts with a result per peer: ok, denied, offline', async () => {
    const hub = await daemon('hub');
    const ok = await daemon('okay');
    const ro = await daemon('readonly');
    const gone = await daemon('gone');
    await pair(ok, hub); // okay (inviter) grants hub trusted
    await pair(ro, hub, { inviter: 'read-only' }); // readonly lets hub read only
    await pair(gone, hub);
    await gone.stop();
    const res = await hub.client.request<{ key: string; results: BroadcastResult[] }>('POST', '/context/broadcast', { body: { key: 'release', value: '1.2.3', includeSelf: true } });
    const by = Object.fromEntries(res.results.map((r) => [r.peer, r]));
    expect(by.okay).toMatchObject({ status: 'ok', version: 1 });
    expect(by.readonly).toMatchObject({ status: 'denied', error: { code: 'scope-denied' } });
    expect(by.gone).toMatchObject({ status: 'offline' });
    expect(by['(this machine)']).toMatchObject({ status: 'ok' });
    expect((await ok.client.contextGet('release')).value).toBe('1.2.3');

    // A value this machine refuses fails the whole broadcast before any peer is written.
    const huge = 'x'.repeat(100 * 1024); // over context.maxValueBytes (64 KiB), under the body limit
    await expect(hub.client.request('POST', '/context/broadcast', { body: { key: 'release', value: huge, includeSelf: true } })).rejects.toMatchObject({ status: 413 });
    expect((await ok.client.contextGet('release')).value).toBe('1.2.3');
    // A TTL past the one a single write accepts is refused as well.
    await expect(hub.client.request('POST', '/context/broadcast', { body: { key: 'release', value: 1, ttlSeconds: 11 * 365 * 24 * 3600 } })).rejects.toMatchObject({ code: 'validation-failed' });
    expect((await ok.client.contextGet('release')).value).toBe('1.2.3');
  });

  it('watches a prefix on a peer, live', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    const res = await fetch(`${b.url}/api/v1/peers/alpha/context/watch?prefix=build/`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await a.client.contextPut('other/key', { value: 1 });
    await a.client.contextPut('build/status', { value: 'green' });
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('build/status') && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('"key":"build/status"');
    expect(text).not.toContain('other/key');
  });
});
