import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextEntry } from '../../server/protocol/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { connectMcp, errorOf, structured, textOf, type Connected } from './connect.js';

const daemon = useDaemon();
let c: Connected;
beforeAll(async () => {
  c = await connectMcp(daemon().client);
});
afterAll(() => c?.close());

const call = (name: string, args: Record<string, unknown>) => c.mcp.callTool({ name, arguments: args });

describe('context tools', () => {
  it('sets, gets, lists and deletes a key with structured results', async () => {
    const set = await call('ferry_context_set', { key: 'mcp/build', value: { ok: true, n: 3 } });
    expect(set.isError).toBeFalsy();
    const created = structured<{ entry: ContextEntry }>(set).entry;
    expect(created).toMatchObject({ key: 'mcp/build', value: { ok: true, n: 3 }, version: 1 });
    expect(textOf(set)).toContain('Created "mcp/build" version 1');

    const get = await call('ferry_context_get', { key: 'mcp/build' });
    expect(structured<{ entry: ContextEntry }>(get).entry).toEqual(created);
    expect(textOf(get)).toContain('"ok": true');

    await call('ferry_context_set', { key: 'mcp/other', value: 'x' });
    await call('ferry_context_set', { key: 'elsewhere', value: 1 });
    const list = await call('ferry_context_list', { prefix: 'mcp/' });
    const page = structured<{ items: ContextEntry[]; nextCursor: string | null }>(list);
    expect(page.items.map((e) => e.key)).toEqual(['mcp/build', 'mcp/other']);
    expect(page.nextCursor).toBeNull();

    const del = await call('ferry_context_delete', { key: 'mcp/build' });
    expect(structured(del)).toEqual({ key: 'mcp/build', deleted: true, version: 1 });
    const gone = await call('ferry_context_get', { key: 'mcp/build' });
    expect(errorOf(gone).code).toBe('key-not-found');
  });

  it('pages through a prefix with the cursor', async () => {
    for (const k of ['a', 'b', 'c']) await call('ferry_context_set', { key: `page/${k}`, value: k });
    const first = structured<{ items: ContextEntry[]; nextCursor: string | null }>(await call('ferry_context_list', { prefix: 'page/', limit: 2 }));
    expect(first.items.map((e) => e.key)).toEqual(['page/a', 'page/b']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = structured<{ items: ContextEntry[]; nextCursor: string | null }>(
      await call('ferry_context_list', { prefix: 'page/', limit: 2, cursor: first.nextCursor }),
    );
    expect(second.items.map((e) => e.key)).toEqual(['page/c']);
    expect(second.nextCursor).toBeNull();
  });

  it('turns a compare-and-set conflict into an isError result carrying version-conflict', async () => {
    await call('ferry_context_set', { key: 'cas', value: 1 });
    await call('ferry_context_set', { key: 'cas', value: 2, ifVersion: 1 });
    const stale = await call('ferry_context_set', { key: 'cas', value: 3, ifVersion: 1 });
    const error = errorOf(stale);
    expect(error.code).toBe('version-conflict');
    expect(error.hint).toContain('ferry_context_get');
    expect(textOf(stale)).toContain('version-conflict');
    const current = structured<{ entry: ContextEntry }>(await call('ferry_context_get', { key: 'cas' })).entry;
    expect(current).toMatchObject({ value: 2, version: 2 });

    const exists = await call('ferry_context_set', { key: 'cas', value: 4, ifVersion: 0 });
    expect(errorOf(exists).code).toBe('version-conflict');
    const staleDelete = await call('ferry_context_delete', { key: 'cas', ifVersion: 1 });
    expect(errorOf(staleDelete).code).toBe('version-conflict');
  });

  it('sets a TTL that shows as an expiry time', async () => {
    const set = await call('ferry_context_set', { key: 'ttl', value: 'soon', ttlSeconds: 3600 });
    const entry = structured<{ entry: ContextEntry }>(set).entry;
    expect(entry.expiresAt).not.toBeNull();
    expect(Date.parse(entry.expiresAt!)).toBeGreaterThan(Date.parse(entry.updatedAt));
  });

  it.each([
    ['a missing key', 'ferry_context_get', {}],
    ['a key of the wrong type', 'ferry_context_get', { key: 42 }],
    ['an empty key', 'ferry_context_get', { key: '' }],
    ['a key with a control character', 'ferry_context_set', { key: 'a\u0001b', value: 1 }],
    ['a missing value', 'ferry_context_set', { key: 'k' }],
    ['a negative ifVersion', 'ferry_context_set', { key: 'k', value: 1, ifVersion: -1 }],
    ['an unknown argument', 'ferry_context_get', { key: 'k', token: 'secret' }],
    ['a limit out of range', 'ferry_context_list', { limit: 0 }],
  ])('refuses %s with an error result and keeps serving', async (_what, name, args) => {
    const result = await call(name, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/invalid arguments/i);
    const ok = await call('ferry_context_list', {});
    expect(ok.isError).toBeFalsy();
  });

  it('reads the daemon status resource', async () => {
    const { resources } = await c.mcp.listResources();
    expect(resources.map((r) => r.uri)).toContain('ferry://status');
    const read = await c.mcp.readResource({ uri: 'ferry://status' });
    const content = read.contents[0] as { mimeType?: string; text: string };
    expect(content.mimeType).toBe('application/json');
    const status = JSON.parse(content.text) as { nodeId: string; listen: { port: number } };
    expect(status.nodeId).toEqual(expect.any(String));
    expect(daemon().url).toContain(`:${status.listen.port}`);
  });
});
