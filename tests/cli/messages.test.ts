import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedMessage, SentMessage } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { converse, ended } from './interactive.js';
import { ferry, json } from './run.js';

type ErrorDoc = { error: { code: string; message: string; details?: Record<string, unknown> } };

let alpha: SpawnedDaemon;
let bravo: SpawnedDaemon;
beforeAll(async () => {
  const env = { FERRY_MESSAGES_MAX_RETRY_MS: '1000' };
  alpha = await spawnDaemon({ env: { ...env, FERRY_NAME: 'alpha' } });
  bravo = await spawnDaemon({ env: { ...env, FERRY_NAME: 'bravo' } });
  await pair(alpha, bravo);
});
afterAll(async () => {
  await alpha?.kill();
  await bravo?.kill();
});

const onAlpha = (args: string[], input?: string) => ferry(args, { home: alpha.home, ...(input !== undefined && { input }) });
const onBravo = (args: string[], input?: string) => ferry(args, { home: bravo.home, ...(input !== undefined && { input }) });
const statusOn = async (id: string) => json<SentMessage>(await onAlpha(['msg', 'status', id, '--json'])).recipients[0]!.status;

/** Acknowledge everything bravo has, so that the next test starts from an empty unread inbox. */
async function drainBravo(): Promise<void> {
  for (const m of (await bravo.client.inbox({ unacked: true })).items) await bravo.client.ackMessage(m.id);
}

describe('ferry msg', () => {
  it('send → inbox → show → ack, and the sender sees it delivered, then acknowledged', async () => {
    const sent = await onAlpha(['msg', 'send', 'bravo', 'hello bravo', '--type', 'request', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    const m = json<SentMessage>(sent);
    expect(m).toMatchObject({ type: 'request', body: 'hello bravo', recipients: [{ peer: 'bravo' }] });
    await waitFor(async () => (await statusOn(m.id)) === 'delivered', 15_000, 'delivery');

    const inbox = await onBravo(['msg', 'inbox', '--unread', '--json']);
    expect(json<{ items: ReceivedMessage[] }>(inbox).items).toEqual([
      expect.objectContaining({ id: m.id, body: 'hello bravo', type: 'request', status: 'unread', from: expect.objectContaining({ name: 'alpha' }) }),
    ]);
    // Piped: one tab-separated line per message, the body as JSON.
    const plain = await onBravo(['msg', 'inbox']);
    expect(plain.stdout).toBe(`${[m.id, 'unread', 'alpha', 'request'].join('\t')}\t${json<{ items: ReceivedMessage[] }>(inbox).items[0]!.receivedAt}\t${m.id}\t"hello bravo"\n`);
    const show = await onBravo(['msg', 'show', m.id]);
    expect(show.stdout).toContain('alpha');
    expect(show.stdout).toContain('  hello bravo');

    const ack = await onBravo(['msg', 'ack', m.id]);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toBe(`acknowledged ${m.id} from alpha\n`);
    await waitFor(async () => (await statusOn(m.id)) === 'acknowledged', 15_000, 'the acknowledgement at alpha');
    expect(json<{ items: ReceivedMessage[] }>(await onBravo(['msg', 'inbox', '--unread', '--json'])).items).toEqual([]);
    // Piped status: one line per recipient.
    expect((await onAlpha(['msg', 'status', m.id])).stdout).toMatch(/^bravo\tacknowledged\t\d+\t\S+\t\S+\t$/m);
    expect(json<{ items: SentMessage[] }>(await onAlpha(['msg', 'outbox', '--json'])).items.map((x) => x.id)).toContain(m.id);
  });

  it('text from stdin, --reply-to threads the answer, --ttl is taken as a duration', async () => {
    const q = json<SentMessage>(await onAlpha(['msg', 'send', 'bravo', '-', '--ttl', '2h', '--json'], 'from stdin\n'));
    expect(q.body).toBe('from stdin');
    expect(Date.parse(q.expiresAt) - Date.parse(q.createdAt)).toBe(2 * 3600 * 1000);
    await waitFor(async () => (await bravo.client.inbox()).items.some((m) => m.id === q.id), 15_000, 'delivery');
    const answer = json<SentMessage>(await onBravo(['msg', 'send', 'alpha', 'answer', '--reply-to', q.id, '--json']));
    expect(answer).toMatchObject({ replyTo: q.id, thread: q.thread });
    await waitFor(async () => (await alpha.client.inbox()).items.some((m) => m.id === answer.id), 15_000, 'the answer');
    const thread = json<{ items: ReceivedMessage[] }>(await onAlpha(['msg', 'inbox', '--thread', q.thread, '--json'])).items;
    expect(thread.map((m) => m.id)).toEqual([answer.id]);
    await drainBravo();
  });

  it('wait returns as soon as a message arrives; --ack acknowledges what it printed', async () => {
    await drainBravo();
    const waiting = converse(['msg', 'wait', '--timeout', '20', '--ack', '--json'], { home: bravo.home });
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const m = json<SentMessage>(await onAlpha(['msg', 'send', 'bravo', 'wake up', '--json']));
    const end = await ended(waiting, 20_000);
    expect(end.code, waiting.stderr()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const got = JSON.parse(waiting.stdout()) as { items: ReceivedMessage[] };
    expect(got.items).toEqual([expect.objectContaining({ id: m.id, body: 'wake up', status: 'acknowledged' })]);
    await waitFor(async () => (await statusOn(m.id)) === 'acknowledged', 15_000, 'the acknowledgement at alpha');
  });

  it('wait times out with exit 124 and wait-timeout; --from takes that peer\'s message, an unknown one is peer-not-found', async () => {
    await drainBravo();
    const t0 = Date.now();
    const none = await onBravo(['msg', 'wait', '--timeout', '1']);
    expect(none.code).toBe(124);
    expect(none.stderr).toContain('[wait-timeout]');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const noneJson = await onBravo(['msg', 'wait', '--timeout', '1', '--json']);
    expect(noneJson.code).toBe(124);
    expect(json<ErrorDoc>(noneJson).error.code).toBe('wait-timeout');

    // An unread message is there at once; from someone else, it is stepped over.
    const m = json<SentMessage>(await onAlpha(['msg', 'send', 'bravo', 'from alpha', '--json']));
    await waitFor(async () => (await bravo.client.inbox({ unacked: true })).items.length === 1, 15_000, 'delivery');
    const got = await onBravo(['msg', 'wait', '--from', 'alpha', '--timeout', '5', '--json']);
    expect(got.code, got.stderr).toBe(0);
    expect(json<{ items: ReceivedMessage[] }>(got).items.map((x) => x.id)).toEqual([m.id]);
    const fromUnknown = await onBravo(['msg', 'wait', '--from', 'nobody', '--timeout', '1', '--json']);
    expect(fromUnknown.code).toBe(1);
    expect(json<ErrorDoc>(fromUnknown).error.code).toBe('peer-not-found');
    await drainBravo();
  });

  it('Ctrl-C stops a wait: exit 130', async () => {
    await drainBravo();
    const waiting = converse(['msg', 'wait'], { home: bravo.home });
    await waiting.waitFor('waiting for a message');
    waiting.child.kill('SIGINT');
    expect((await ended(waiting, 10_000)).code).toBe(130);
  });

  it('bad input: unknown peer (exit 1, peer-not-found), empty text and bad flags (exit 2), unknown id (exit 1)', async () => {
    const unknown = await onAlpha(['msg', 'send', 'nobody', 'hi', '--json']);
    expect(unknown.code).toBe(1);
    expect(json<ErrorDoc>(unknown).error.code).toBe('peer-not-found');
    const human = await onAlpha(['msg', 'send', 'nobody', 'hi']);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('[peer-not-found]');
    expect(human.stderr).toContain('hint:');

    for (const args of [
      ['msg', 'send', 'bravo', ''],
      ['msg', 'send', 'bravo', '   '],
      ['msg', 'send', 'bravo', '--ttl', 'soon', 'x'],
      ['msg', 'send', 'bravo', '--ttl', '40d', 'x'],
      ['msg', 'send', 'bravo', 'x', '--type', 'shout'],
      ['msg', 'send', 'bravo', 'x', '--reply-to', 'a', '--thread', 'b'],
      ['msg', 'send', ',', 'x'],
      ['msg', 'send', 'bravo'],
      ['msg', 'wait', '--timeout', '-1'],
    ]) {
      const res = await onAlpha([...args, '--json']);
      expect(res.code, args.join(' ')).toBe(2);
      expect(json<ErrorDoc>(res).error.code, args.join(' ')).toBe('usage-error');
    }
    const emptyStdin = await onAlpha(['msg', 'send', 'bravo', '-'], '\n');
    expect(emptyStdin.code).toBe(2);
    expect(emptyStdin.stderr).toContain('the message is empty');

    for (const args of [['msg', 'ack', 'no-such-id'], ['msg', 'show', 'no-such-id'], ['msg', 'status', 'no-such-id']]) {
      const res = await onAlpha([...args, '--json']);
      expect(res.code, args.join(' ')).toBe(1);
      expect(json<ErrorDoc>(res).error.code).toBe('message-not-found');
    }
    expect((await onAlpha(['msg', 'ack', 'no-such-id'])).stderr).toContain('`ferry msg inbox`');
  });
});
