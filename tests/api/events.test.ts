import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { FerryClient } from '../../server/client/index.js';
import type { ClientToServerEvents, FerryEvent, ServerToClientEvents, SubscribeAck } from '../../server/protocol/index.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/proc.js';

let t: TestApp;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await t?.close();
});

type FerrySocket = Socket<ServerToClientEvents, ClientToServerEvents>;
function socket(url: string, auth: Record<string, string> = {}, headers: Record<string, string> = {}): FerrySocket {
  const s: FerrySocket = connect(url, { path: '/socket.io', auth, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
  sockets.push(s);
  return s;
}
const connected = (s: FerrySocket) =>
  new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
const subscribe = (s: FerrySocket, req: Parameters<ClientToServerEvents['subscribe']>[0]) => new Promise<SubscribeAck>((r) => s.emit('subscribe', req, r));

describe('events', () => {
  it('SSE /events replays everything after `since`, then streams live, filtered by topic', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    const client = new FerryClient({ baseUrl: base, token: t.token });
    await client.contextPut('a', { value: 1 });
    const first = t.ferry.bus.lastId();
    await client.contextPut('b', { value: 2 });
    await client.exec({ argv: ['true'] });
    const ac = new AbortController();
    const got: FerryEvent[] = [];
    const reading = (async () => {
      for await (const e of client.events({ since: first, topics: ['context'], signal: ac.signal })) {
        got.push(e);
        if (got.length === 2) break;
      }
    })();
    await waitFor(() => got.length === 1, 5_000, 'replay');
    await client.contextPut('c', { value: 3 });
    await reading;
    ac.abort();
    expect(got.map((e) => (e.type === 'context.changed' ? e.data.key : e.type))).toEqual(['b', 'c']);
    expect(got[0]!.id).toBeGreaterThan(first);
    expect(got[1]!.id).toBeGreaterThan(got[0]!.id);
  });

  it('event ids only grow, even after old events are pruned', async () => {
    t = await makeTestApp({ set: ['events.retain=100'] });
    let last = 0;
    for (let i = 0; i < 700; i++) {
      const e = t.ferry.bus.publish('system.draining', { reason: `n${i}` });
      expect(e.id).toBeGreaterThan(last);
      last = e.id;
    }
    const kept = t.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
    expect(kept.n).toBeLessThan(700);
    expect(t.ferry.bus.since(0).at(-1)!.id).toBe(last);
  });

  it('refuses an unauthenticated Socket.IO connection', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    await expect(connected(socket(base))).rejects.toMatchObject({ message: expect.stringContaining('authentication required'), data: { code: 'unauthorized' } });
    await expect(connected(socket(base, { token: 'fy_wrong' }))).rejects.toMatchObject({ data: { code: 'unauthorized' } });
  });

  it('refuses a cross-site browser origin and a foreign Host', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    await expect(connected(socket(base, { token: t.token }, { Origin: 'http://evil.example' }))).rejects.toThrow();
  });

  it('delivers job events to an authenticated client in the topic rooms it joined', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    const s = socket(base, { token: t.token });
    await connected(s);
    const bad = await subscribe(s, { topics: ['nonsense' as 'jobs'] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation-failed' } });
    expect(await subscribe(s, { topics: ['jobs', 'job-output'] })).toEqual({ ok: true, topics: ['jobs', 'job-output'] });
    const events: FerryEvent[] = [];
    s.on('event', (e) => events.push(e));
    const client = new FerryClient({ baseUrl: base, token: t.token });
    await client.contextPut('not-for-this-room', { value: 1 });
    const job = await client.exec({ argv: ['echo', 'live'] });
    await waitFor(() => events.some((e) => e.type === 'job.finished'), 5_000, 'job.finished');
    expect(events.map((e) => e.type)).toEqual(['job.started', 'job.output', 'job.finished']);
    expect(events[1]!.data).toEqual({ jobId: job.id, stream: 'stdout', data: 'live\n' });
  });

  it('replays from `since` on subscribe', async () => {
    t = await makeTestApp();
    const base = await t.listen();
    const client = new FerryClient({ baseUrl: base, token: t.token });
    await client.contextPut('x', { value: 1 });
    await client.contextPut('y', { value: 1 });
    const s = socket(base, { token: t.token });
    const events: FerryEvent[] = [];
    s.on('event', (e) => events.push(e));
    await connected(s);
    await subscribe(s, { topics: ['context'], since: 0 });
    expect(events.map((e) => (e.type === 'context.changed' ? e.data.key : ''))).toEqual(['x', 'y']);
  });
});
