import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerView, ReceivedMessage, SentMessage } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { isAlive, waitFor } from '../helpers/proc.js';
import { ferry, json } from '../cli/run.js';

/** What `ferry session list/start-fleet --json` print about a session. */
interface Session {
  name: string;
  home: string;
  state: string;
  pid: number | null;
  url: string | null;
  peerPort: number | null;
  knownAs?: string;
  peers?: string[];
  started?: boolean;
}

// Quick retries and health checks; the sessions inherit these from the CLI that starts them.
const FAST = { FERRY_MESSAGES_MAX_RETRY_MS: '1000', FERRY_PEER_HEALTH_INTERVAL_MS: '1000', FERRY_PEER_HEALTH_MAX_INTERVAL_MS: '2000' };

let main: SpawnedDaemon;
/** Every pid a session ever had in this file: none may be left when it ends. */
const pids = new Set<number>();

beforeAll(async () => {
  main = await spawnDaemon({ env: { ...FAST, FERRY_NAME: 'main' } });
});
afterAll(async () => {
  if (main) await ferry(['session', 'stop-all', '--timeout', '5'], { home: main.home, timeoutMs: 30_000 }).catch(() => undefined);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await main?.kill();
});

/** `ferry …` against the main daemon's data dir, or (`as`) a session's. */
const run = (args: string[], opts: { as?: string; timeoutMs?: number } = {}) =>
  ferry(args, { home: opts.as ? path.join(main.home, 'sessions', opts.as) : main.home, env: FAST, timeoutMs: opts.timeoutMs ?? 30_000 });
const list = async (all = false) => json<{ items: Session[] }>(await run(['session', 'list', '--json', ...(all ? ['--all'] : [])])).items;

/** Block on `msg wait` there until a message comes (acknowledging it), bounded. */
async function receive(where: string | undefined): Promise<ReceivedMessage[]> {
  const res = await run(['msg', 'wait', '--timeout', '20', '--ack', '--json'], { ...(where !== undefined && { as: where }), timeoutMs: 30_000 });
  expect(res.code, res.stdout + res.stderr).toBe(0);
  return json<{ items: ReceivedMessage[] }>(res).items;
}

describe('ferry session (local fleets)', () => {
  it('start-fleet -c 3: three sessions that reach each other and the main daemon, and message each other', async () => {
    const started = await run(['session', 'start-fleet', '-c', '3', '--json'], { timeoutMs: 60_000 });
    expect(started.code, started.stderr).toBe(0);
    const fleet = json<{ items: Session[] }>(started).items;
    expect(fleet.map((s) => s.name)).toEqual(['session-1', 'session-2', 'session-3']);
    for (const s of fleet) {
      expect(s).toMatchObject({ state: 'running', started: true, knownAs: s.name, home: path.join(main.home, 'sessions', s.name) });
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(new Set(s.peers)).toEqual(new Set(['main', ...fleet.map((o) => o.name).filter((n) => n !== s.name)]));
      pids.add(s.pid!);
    }
    expect(new Set(fleet.map((s) => s.peerPort)).size).toBe(3);

    // The main daemon pins them on loopback with their actual peer ports, under the careful preset.
    const peers = json<{ items: PeerView[] }>(await run(['peers', '--json'])).items;
    for (const s of fleet) {
      expect(peers.find((p) => p.name === s.name)).toMatchObject({ paired: true, addresses: ['127.0.0.1'], port: s.peerPort, preset: 'collaborator' });
    }
    // Reachable: through the main daemon, and from one session to another.
    for (const s of fleet) {
      const st = await run(['status', '--peer', s.name, '--json']);
      expect(st.code, st.stderr).toBe(0);
      expect(json<{ name: string }>(st).name).toBe(s.name);
    }
    const across = await run(['status', '--peer', 'session-3', '--json'], { as: 'session-1' });
    expect(across.code, across.stderr).toBe(0);
    const back = await run(['status', '--peer', 'main', '--json'], { as: 'session-2' });
    expect(json<{ name: string }>(back).name).toBe('main');

    // Messages: session-1 to everyone else, main to session-1, and an answer in the same thread.
    const sent = await run(['msg', 'send', 'session-2,session-3,main', 'hello fleet', '--json'], { as: 'session-1' });
    expect(sent.code, sent.stderr).toBe(0);
    const m = json<SentMessage>(sent);
    for (const where of ['session-2', 'session-3', undefined]) {
      expect(await receive(where)).toEqual([expect.objectContaining({ id: m.id, body: 'hello fleet', from: expect.objectContaining({ name: 'session-1' }) })]);
    }
    const reply = json<SentMessage>(await run(['msg', 'send', 'session-1', 'hello back', '--reply-to', m.id, '--json']));
    const got = await receive('session-1');
    expect(got).toEqual([expect.objectContaining({ id: reply.id, body: 'hello back', thread: m.thread, from: expect.objectContaining({ name: 'main' }) })]);
    await waitFor(
      async () => json<SentMessage>(await run(['msg', 'status', m.id, '--json'], { as: 'session-1' })).recipients.every((r) => r.status === 'acknowledged'),
      20_000,
      'every acknowledgement back at session-1',
    );
  }, 120_000);

  it('list and status show them; a restarted session is pinned again on its new port and gets what waited for it', async () => {
    const running = await list();
    expect(running.map((s) => [s.name, s.state])).toEqual([
      ['session-1', 'running'],
      ['session-2', 'running'],
      ['session-3', 'running'],
    ]);
    const status = await run(['session', 'status', 'session-2', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const st = json<Omit<Session, 'peers'> & { status: { name: string } | null; peers: PeerView[] }>(status);
    expect(st).toMatchObject({ name: 'session-2', state: 'running', status: { name: 'session-2' } });
    expect(st.peers.map((p) => p.name).sort()).toEqual(['main', 'session-1', 'session-3']);
    const human = await run(['session', 'status', 'session-2']);
    expect(human.stdout).toContain('state      running');
    expect(human.stdout).toMatch(/trusts\s+.*main \(/);

    const stopped = await run(['session', 'stop', 'session-3', '--json']);
    expect(json<{ stopped: boolean; pid: number }>(stopped)).toMatchObject({ stopped: true });
    expect(isAlive(json<{ pid: number }>(stopped).pid)).toBe(false);
    expect((await list()).map((s) => s.name)).toEqual(['session-1', 'session-2']);
    expect((await list(true)).find((s) => s.name === 'session-3')).toMatchObject({ state: 'stopped', pid: null });

    // Sent while it is down: queued, then delivered once it is back on its new port.
    const queued = json<SentMessage>(await run(['msg', 'send', 'session-3', 'while you were out', '--json']));
    const again = await run(['session', 'start', 'session-3', '--json'], { timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    const s3 = json<Session>(again);
    pids.add(s3.pid!);
    const pin = json<{ items: PeerView[] }>(await run(['peers', '--json'])).items.find((p) => p.name === 'session-3');
    expect(pin?.port).toBe(s3.peerPort);
    expect((await receive('session-3')).map((x) => x.id)).toEqual([queued.id]);
    const fromOne = await run(['msg', 'send', 'session-3', 'you moved', '--json'], { as: 'session-1' });
    expect(fromOne.code, fromOne.stderr).toBe(0);
    expect((await receive('session-3')).map((x) => x.body)).toEqual(['you moved']);
  }, 120_000);

  it('refuses bad names and unknown sessions; a running session cannot be started twice', async () => {
    for (const name of ['Upper', '-dash', 'a/b', '..', 'x'.repeat(41)]) {
      const res = await run(['session', 'start', name, '--json']);
      expect(res.code, name).toBe(2);
      expect(json<{ error: { code: string } }>(res).error.code).toBe('usage-error');
    }
    const unknown = await run(['session', 'stop', 'nope', '--json']);
    expect(unknown.code).toBe(1);
    expect(json<{ error: { code: string } }>(unknown).error.code).toBe('session-not-found');
    const twice = await run(['session', 'start', 'session-1', '--json']);
    expect(twice.code).toBe(1);
    expect(json<{ error: { code: string } }>(twice).error.code).toBe('already-running');
    expect((await run(['session', 'start-fleet', '-c', '0'])).code).toBe(2);
  });

  it('a session that does not end within --timeout is killed: stop never returns while it still runs', async () => {
    const s2 = (await list()).find((s) => s.name === 'session-2')!;
    process.kill(s2.pid!, 'SIGSTOP'); // a frozen daemon: SIGTERM waits, unhandled
    const res = await run(['session', 'stop', 'session-2', '--timeout', '1', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(json(res)).toMatchObject({ name: 'session-2', stopped: true, pid: s2.pid, killed: true });
    expect(isAlive(s2.pid!)).toBe(false);
    expect((await list(true)).find((s) => s.name === 'session-2')).toMatchObject({ state: 'stopped' });
    const back = await run(['session', 'start', 'session-2', '--json'], { timeoutMs: 60_000 });
    expect(back.code, back.stderr).toBe(0);
    pids.add(json<Session>(back).pid!);
  }, 60_000);

  it('stop-all leaves no process behind, and list is empty', async () => {
    const before = await list();
    expect(before).toHaveLength(3);
    for (const s of before) pids.add(s.pid!);
    const res = await run(['session', 'stop-all', '--json'], { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(json<{ items: { name: string; stopped: boolean }[] }>(res).items.filter((r) => r.stopped).map((r) => r.name)).toEqual(['session-1', 'session-2', 'session-3']);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(await list()).toEqual([]);
    expect((await list(true)).map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    // The main daemon goes on; it keeps the pins (the sessions can start again).
    expect((await run(['status', '--json'])).code).toBe(0);
  }, 60_000);
});
