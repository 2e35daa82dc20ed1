import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextEntry } from '../../server/protocol/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/proc.js';
import { connectMcp, type Connected } from './connect.js';

const daemon = useDaemon();
let c: Connected;
/** Every notifications/resources/updated, in arrival order. */
const updates: string[] = [];
beforeAll(async () => {
  c = await connectMcp(daemon().client);
  c.mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
});
afterAll(() => c?.close());

const textOf = (read: { contents: unknown[] }) => (read.contents[0] as { text: string }).text;
const seen = (uri: string, from = 0) => updates.slice(from).includes(uri);

describe('resources', () => {
  it('lists status, peers and a template for context keys, and lists keys as resources', async () => {
    await daemon().client.contextPut('res/list', { value: 1 });
    const { resources } = await c.mcp.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['ferry://status', 'ferry://peers', 'ferry://context/res%2Flist']));
    const { resourceTemplates } = await c.mcp.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['ferry://context/{key}']);
  });

  it('reads a context key by URI (percent-encoded) and fails for a missing key with its code', async () => {
    const put = await daemon().client.contextPut('res/a b/ü', { value: { n: 1 } });
    const read = await c.mcp.readResource({ uri: `ferry://context/${encodeURIComponent('res/a b/ü')}` });
    expect((read.contents[0] as { mimeType?: string }).mimeType).toBe('application/json');
    expect(JSON.parse(textOf(read)) as ContextEntry).toEqual(put);
    await expect(c.mcp.readResource({ uri: 'ferry://context/res%2Fmissing' })).rejects.toThrow(/key-not-found/);
  });

  it('reads the peers resource', async () => {
    const read = await c.mcp.readResource({ uri: 'ferry://peers' });
    expect(JSON.parse(textOf(read))).toEqual({ items: [] });
  });

  it('completes context keys for the template', async () => {
    await daemon().client.contextPut('res/complete-me', { value: 1 });
    const result = await c.mcp.complete({ ref: { type: 'ref/resource', uri: 'ferry://context/{key}' }, argument: { name: 'key', value: 'res/comp' } });
    expect(result.completion.values).toEqual(['res/complete-me']);
  });
});

describe('resource update notifications', () => {
  it('tells a subscriber of ferry://context/{key} when that key is written and deleted, and stops after unsubscribe', async () => {
    const uri = `ferry://context/${encodeURIComponent('sub/watched')}`;
    const other = `ferry://context/${encodeURIComponent('sub/other')}`;
    await c.mcp.subscribeResource({ uri });
    const from = updates.length;
    await daemon().client.contextPut('sub/watched', { value: 1 });
    await waitFor(() => seen(uri, from), 10_000, 'an update after the write');

    const afterWrite = updates.length;
    await daemon().client.contextDelete('sub/watched');
    await waitFor(() => seen(uri, afterWrite), 10_000, 'an update after the delete');

    // Unsubscribed from one key, subscribed to another: a change to both, in that order, shows only the second.
    await c.mcp.unsubscribeResource({ uri });
    await c.mcp.subscribeResource({ uri: other });
    const afterUnsubscribe = updates.length;
    await daemon().client.contextPut('sub/watched', { value: 2 });
    await daemon().client.contextPut('sub/other', { value: 2 });
    await waitFor(() => seen(other, afterUnsubscribe), 10_000, 'the update of the other key');
    expect(seen(uri, afterUnsubscribe)).toBe(false);
    await c.mcp.unsubscribeResource({ uri: other });
  });

  it('tells a subscriber of ferry://status when a job starts and ends', async () => {
    await c.mcp.subscribeResource({ uri: 'ferry://status' });
    const from = updates.length;
    await daemon().client.exec({ argv: ['true'] });
    await waitFor(() => seen('ferry://status', from), 10_000, 'a status update');
    await c.mcp.unsubscribeResource({ uri: 'ferry://status' });
  });

  it('refuses to subscribe to something that is not a Ferry resource', async () => {
    await expect(c.mcp.subscribeResource({ uri: 'ferry://nothing' })).rejects.toThrow(/not a Ferry resource/);
    await expect(c.mcp.subscribeResource({ uri: 'file:///etc/passwd' })).rejects.toThrow(/not a Ferry resource/);
  });
});

describe('prompts', () => {
  it('lists ferry_help and ferry_coordinate with their arguments', async () => {
    const { prompts } = await c.mcp.listPrompts();
    const by = Object.fromEntries(prompts.map((p) => [p.name, p]));
    expect(Object.keys(by).sort()).toEqual(['ferry_coordinate', 'ferry_help']);
    expect(by.ferry_coordinate?.arguments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'task', required: true }), expect.objectContaining({ name: 'peer', required: false })]),
    );
  });

  it('ferry_help teaches the tools, peers by name, scope-denied and "ask"', async () => {
    const got = await c.mcp.getPrompt({ name: 'ferry_help' });
    const text = (got.messages[0]?.content as { text: string }).text;
    for (const word of ['ferry_list_peers', 'ferry_peer_status', 'ferry_execute', 'ferry_get_job', 'scope-denied', '"ask"', 'ferry_context_set']) {
      expect(text).toContain(word);
    }
  });

  it('ferry_coordinate puts the task, the chosen peer and the current machines into the plan', async () => {
    const got = await c.mcp.getPrompt({ name: 'ferry_coordinate', arguments: { task: 'run the test suite on two machines', peer: 'laptop' } });
    const text = (got.messages[0]?.content as { text: string }).text;
    expect(text).toContain('Task: run the test suite on two machines');
    expect(text).toContain('"laptop"');
    expect(text).toContain('no machine is paired');
    expect(text).toContain('ferry_peer_status');
    await expect(c.mcp.getPrompt({ name: 'ferry_coordinate', arguments: {} })).rejects.toThrow(/task/);
  });
});
