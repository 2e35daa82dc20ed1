import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastResult, ReceivedMessage, SentMessage } from '../../server/protocol/index.js';
import { whenIdle } from '../../mcp/server.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { connectMcp, errorOf, structured, textOf, type Connected } from './connect.js';

// alpha and bravo trust each other, each with an agent on MCP. charlie is paired with alpha but
// grants it only "read-only" (messages yes, context writes no); it is stopped for the last test.
let alpha: SpawnedDaemon;
let bravo: SpawnedDaemon;
let charlie: SpawnedDaemon;
let onAlpha: Connected;
let onBravo: Connected;
/** notifications/resources/updated that bravo's MCP client got, in order. */
const updates: string[] = [];

beforeAll(async () => {
  [alpha, bravo, charlie] = await Promise.all([
    spawnDaemon({ env: { FERRY_NAME: 'alpha' } }),
    spawnDaemon({ env: { FERRY_NAME: 'bravo' } }),
    spawnDaemon({ env: { FERRY_NAME: 'charlie' } }),
  ]);
  await pair(alpha, bravo);
  await pair(alpha, charlie, { joiner: 'read-only' });
  onAlpha = await connectMcp(alpha.client);
  onBravo = await connectMcp(bravo.client);
  onBravo.mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
});
afterAll(async () => {
  await onAlpha?.close();
  await onBravo?.close();
  await Promise.all([alpha?.stop(), bravo?.stop(), charlie?.kill()]);
});

type Args = Record<string, unknown>;
const call = (c: Connected, name: string, args: Args) => c.mcp.callTool({ name, arguments: args });
const sentOf = (r: unknown) => structured<{ message: SentMessage }>(r).message;
const itemsOf = (r: unknown) => structured<{ items: ReceivedMessage[] }>(r).items;
/** The newest inbox position on a daemon (what `after` should be to wait for the next message only). */
const lastSeq = async (d: SpawnedDaemon) => Math.max(0, ...(await d.client.inbox({ limit: 500 })).items.map((m) => m.seq));

/** The first message alpha sends bravo (acknowledged there by a later test). */
let first: SentMessage;

describe('messages through MCP', () => {
  it("sends a message to a peer by name; the peer's agent gets it from wait_for_message and check_inbox", async () => {
    const sent = await call(onAlpha, 'ferry_send_message', { to: 'bravo', type: 'request', body: { task: 'build', n: 1 } });
    expect(sent.isError, textOf(sent)).toBeFalsy();
    first = sentOf(sent);
    expect(first).toMatchObject({ type: 'request', body: { task: 'build', n: 1 }, replyTo: null, thread: first.id });
    expect(first.recipients).toEqual([expect.objectContaining({ peer: 'bravo', status: expect.stringMatching(/^(queued|delivered)$/) })]);
    expect(textOf(sent)).toContain(`Message ${first.id} (request) sent`);
    expect(textOf(sent)).toContain(`ferry_message_status {id: "${first.id}"}`);

    const waited = await call(onBravo, 'ferry_wait_for_message', { timeout: 20 });
    expect(waited.isError, textOf(waited)).toBeFalsy();
    const got = structured<{ items: ReceivedMessage[]; seq: number }>(waited);
    expect(got.items.map((m) => m.id)).toEqual([first.id]);
    expect(got.items[0]).toMatchObject({ type: 'request', body: { task: 'build', n: 1 }, status: 'unread', from: { name: 'alpha', nodeId: (await alpha.client.identity()).nodeId } });
    expect(got.seq).toBe(got.items[0]!.seq);
    expect(textOf(waited)).toContain(`--- message ${first.id} (seq ${got.seq}) from alpha: request`);
    expect(textOf(waited)).toContain('"task": "build"');

    const inbox = await call(onBravo, 'ferry_check_inbox', { unacked: true });
    expect(itemsOf(inbox).map((m) => m.id)).toEqual([first.id]);
    expect(textOf(inbox)).toContain('1 unread messages, newest first:');
    expect(itemsOf(await call(onBravo, 'ferry_check_inbox', { from: 'alpha', thread: first.id, limit: 5 })).map((m) => m.id)).toEqual([first.id]);
    expect(itemsOf(await call(onBravo, 'ferry_check_inbox', { from: 'charlie' }))).toEqual([]);
    // Nothing came to alpha.
    expect(textOf(await call(onAlpha, 'ferry_check_inbox', {}))).toBe('No messages.');
  });

  it('wait_for_message blocks until a message arrives, with a progress note while it waits', async () => {
    const after = await lastSeq(bravo);
    const notes: Progress[] = [];
    let settled = false;
    const started = Date.now();
    const waiting = onBravo.mcp
      .callTool({ name: 'ferry_wait_for_message', arguments: { timeout: 25, after } }, undefined, { onprogress: (n) => notes.push(n) })
      .finally(() => (settled = true));
    await waitFor(() => notes.length > 0, 5_000, 'the first progress note');
    expect(notes[0]).toMatchObject({ progress: 0, total: 25, message: 'waiting for a message (up to 25 s)' });
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);

    const m = sentOf(await call(onAlpha, 'ferry_send_message', { to: 'bravo', body: 'wake up' }));
    const result = await waiting;
    expect(Date.now() - started).toBeLessThan(15_000);
    const got = structured<{ items: ReceivedMessage[]; seq: number }>(result);
    expect(got.items.map((x) => x.id)).toEqual([m.id]);
    expect(got.items[0]).toMatchObject({ type: 'chat', body: 'wake up' });
    expect(got.seq).toBeGreaterThan(after);
    expect(textOf(result)).toContain(`then wait again with after: ${got.seq}`);
  });

  it('wait_for_message times out cleanly: no error, no items, the same position to wait from', async () => {
    const after = await lastSeq(bravo);
    const started = Date.now();
    const result = await call(onBravo, 'ferry_wait_for_message', { timeout: 1, after });
    const elapsed = Date.now() - started;
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toEqual({ items: [], seq: after });
    expect(textOf(result)).toBe(`No message within 1 s. Wait again with after: ${after}.`);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('stops waiting when the call is cancelled, and keeps serving', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const pending = onBravo.mcp.callTool({ name: 'ferry_wait_for_message', arguments: { timeout: 60, after: await lastSeq(bravo) } }, undefined, { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    await expect(pending).rejects.toThrow();
    // The server's handler (and its long poll on the daemon) ends too, not only the client's wait.
    await Promise.race([whenIdle(onBravo.server), new Promise((_, reject) => setTimeout(() => reject(new Error('the cancelled wait still runs on the server')), 5_000))]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await call(onBravo, 'ferry_check_inbox', { limit: 1 })).isError).toBeFalsy();
  });

  it('ack_message marks it handled; message_status on the sender then shows it acknowledged', async () => {
    const acked = await call(onBravo, 'ferry_ack_message', { id: first.id });
    expect(acked.isError, textOf(acked)).toBeFalsy();
    const m = structured<{ message: ReceivedMessage }>(acked).message;
    expect(m).toMatchObject({ id: first.id, status: 'acknowledged' });
    expect(m.acknowledgedAt).not.toBeNull();
    expect(textOf(acked)).toContain('alpha will be told');
    // Again: nothing changes, and it is not an error.
    const again = await call(onBravo, 'ferry_ack_message', { id: first.id });
    expect(structured<{ message: ReceivedMessage }>(again).message).toMatchObject({ status: 'acknowledged', acknowledgedAt: m.acknowledgedAt });
    expect(itemsOf(await call(onBravo, 'ferry_check_inbox', { unacked: true })).map((x) => x.id)).not.toContain(first.id);

    let status: SentMessage | undefined;
    await waitFor(
      async () => {
        status = sentOf(await call(onAlpha, 'ferry_message_status', { id: first.id }));
        return status.recipients[0]?.status === 'acknowledged';
      },
      15_000,
      'the acknowledgement to reach alpha',
    );
    expect(status!.recipients[0]).toMatchObject({ peer: 'bravo', status: 'acknowledged' });
    expect(textOf(await call(onAlpha, 'ferry_message_status', { id: first.id }))).toMatch(/- bravo: acknowledged at \d{4}-/);
  });

  it('a reply with replyTo joins the thread of the message it answers', async () => {
    const after = await lastSeq(alpha);
    const reply = sentOf(await call(onBravo, 'ferry_send_message', { to: 'alpha', type: 'response', replyTo: first.id, body: 'built' }));
    expect(reply).toMatchObject({ replyTo: first.id, thread: first.id });
    const got = structured<{ items: ReceivedMessage[] }>(await call(onAlpha, 'ferry_wait_for_message', { timeout: 20, after })).items;
    expect(got).toEqual([expect.objectContaining({ id: reply.id, type: 'response', replyTo: first.id, thread: first.id, body: 'built', from: expect.objectContaining({ name: 'bravo' }) })]);
  });

  it('answers message-not-found and peer-not-found with hints, and refuses bad arguments', async () => {
    const ack = errorOf(await call(onBravo, 'ferry_ack_message', { id: 'no-such-message' }));
    expect(ack.code).toBe('message-not-found');
    expect(ack.hint).toContain('ferry_check_inbox');
    // A received message is not a sent one: message_status is about this machine's outbox.
    expect(errorOf(await call(onBravo, 'ferry_message_status', { id: first.id })).code).toBe('message-not-found');

    const nobody = errorOf(await call(onAlpha, 'ferry_send_message', { to: ['bravo', 'nobody-here'], body: 'hi' }));
    expect(nobody.code).toBe('peer-not-found');
    expect(nobody.hint).toContain('ferry_list_peers');

    for (const args of [{ to: 'bravo' }, { to: 'bravo', body: 'x', type: 'shout' }, { to: [], body: 'x' }, { to: 'bravo', body: 'x', from: 'alpha' }, { to: 'bravo', body: 'x', ttl: 0 }]) {
      const bad = await call(onAlpha, 'ferry_send_message', args);
      expect(bad.isError, JSON.stringify(args)).toBe(true);
      expect(textOf(bad), JSON.stringify(args)).toMatch(/Input validation error/);
    }
    const wait = await call(onBravo, 'ferry_wait_for_message', { timeout: 301 });
    expect(textOf(wait)).toMatch(/Input validation error/);
  });
});

describe('ferry://inbox', () => {
  it('reads the unread messages, and tells a subscriber when one arrives and when it is acknowledged, here or elsewhere', async () => {
    const read = async () => JSON.parse(((await onBravo.mcp.readResource({ uri: 'ferry://inbox' })).contents[0] as { text: string }).text) as { items: ReceivedMessage[] };
    const { resources } = await onBravo.mcp.listResources();
    expect(resources.find((r) => r.uri === 'ferry://inbox')).toMatchObject({ mimeType: 'application/json' });
    const before = await read();
    // Unread ones only: the first message was acknowledged above.
    expect(before.items.every((m) => m.status === 'unread')).toBe(true);
    expect(before.items.map((m) => m.id)).not.toContain(first.id);
    expect((await bravo.client.inbox()).items.map((m) => m.id)).toContain(first.id);

    await onBravo.mcp.subscribeResource({ uri: 'ferry://inbox' });
    const from = updates.length;
    const m = sentOf(await call(onAlpha, 'ferry_send_message', { to: 'bravo', body: 'for the resource' }));
    await waitFor(() => updates.slice(from).includes('ferry://inbox'), 10_000, 'an inbox update after the message arrived');
    const after = await read();
    expect(after.items[0]).toMatchObject({ id: m.id, body: 'for the resource', status: 'unread' });

    const beforeAck = updates.length;
    await call(onBravo, 'ferry_ack_message', { id: m.id });
    await waitFor(() => updates.slice(beforeAck).includes('ferry://inbox'), 10_000, 'an inbox update after the acknowledgement');
    expect((await read()).items.map((x) => x.id)).not.toContain(m.id);

    // Acknowledged elsewhere (the CLI, the admin: the daemon's own API), the subscriber hears of it too.
    const other = sentOf(await call(onAlpha, 'ferry_send_message', { to: 'bravo', body: 'acked by a person' }));
    await waitFor(async () => (await read()).items.some((x) => x.id === other.id), 10_000, 'the second message');
    const beforeOtherAck = updates.length;
    await bravo.client.ackMessage(other.id);
    await waitFor(() => updates.slice(beforeOtherAck).includes('ferry://inbox'), 10_000, 'an inbox update after an acknowledgement made outside MCP');
    expect((await read()).items.map((x) => x.id)).not.toContain(other.id);
    await onBravo.mcp.unsubscribeResource({ uri: 'ferry://inbox' });
  });
});

describe('ferry_broadcast_context', () => {
  const resultsOf = (r: unknown) => structured<{ key: string; results: BroadcastResult[] }>(r).results;
  const by = (results: BroadcastResult[]) => Object.fromEntries(results.map((r) => [r.peer, r]));

  it('sets the key on every paired machine (and here with includeSelf), with a result per machine: ok or denied', async () => {
    const result = await call(onAlpha, 'ferry_broadcast_context', { key: 'mcp/release', value: { version: '1.2.3' }, includeSelf: true });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(structured<{ key: string }>(result).key).toBe('mcp/release');
    const r = by(resultsOf(result));
    expect(Object.keys(r).sort()).toEqual(['(this machine)', 'bravo', 'charlie']);
    expect(r.bravo).toMatchObject({ status: 'ok', version: 1, error: null });
    expect(r['(this machine)']).toMatchObject({ status: 'ok', version: 1 });
    // charlie grants alpha read-only: its policy refuses the write.
    expect(r.charlie).toMatchObject({ status: 'denied', version: null, error: { code: 'scope-denied' } });
    expect(textOf(result)).toContain('"mcp/release" set on 2 of 3 machines');
    expect(textOf(result)).toContain('- charlie: denied [scope-denied:');

    expect((await bravo.client.contextGet('mcp/release')).value).toEqual({ version: '1.2.3' });
    expect((await alpha.client.contextGet('mcp/release')).value).toEqual({ version: '1.2.3' });
    await expect(charlie.client.contextGet('mcp/release')).rejects.toMatchObject({ code: 'key-not-found' });
  });

  it('answers peer-not-found for a name in peers that is not paired, and sets nothing', async () => {
    const error = errorOf(await call(onAlpha, 'ferry_broadcast_context', { key: 'mcp/nowhere', value: 1, peers: ['bravo', 'nobody-here'] }));
    expect(error.code).toBe('peer-not-found');
    await expect(bravo.client.contextGet('mcp/nowhere')).rejects.toMatchObject({ code: 'key-not-found' });
  });

  it('reports a machine that does not answer as offline, and still sets the others', async () => {
    await charlie.stop();
    const result = await call(onAlpha, 'ferry_broadcast_context', { key: 'mcp/release', value: { version: '1.2.4' }, peers: ['bravo', 'charlie'], ttlSeconds: 3600 });
    const r = by(resultsOf(result));
    expect(r.bravo).toMatchObject({ status: 'ok', version: 2 });
    expect(r.charlie).toMatchObject({ status: 'offline', version: null, error: { code: 'peer-unreachable' } });
    const entry = await bravo.client.contextGet('mcp/release');
    expect(entry.value).toEqual({ version: '1.2.4' });
    expect(entry.expiresAt).not.toBeNull();
  });
});
