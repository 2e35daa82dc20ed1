import { describe, expect, it } from 'vitest';
import type { ContextDeleted, ContextEntry, ContextPage } from '../../server/protocol/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { ferry, json } from './run.js';

type ErrorOut = { error: { code: string; message: string; details?: Record<string, unknown> } };

describe('ferry context', () => {
  const d = useDaemon();
  const run = (args: string[], input?: string) => ferry(args, { home: d().home, ...(input !== undefined && { input }) });


  it('set stores JSON when the value parses as JSON and a string otherwise; get prints it back', async () => {
    const set = await run(['context', 'set', 'build/status', '{"ok":true,"n":3}', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(json<ContextEntry>(set)).toMatchObject({ key: 'build/status', value: { ok: true, n: 3 }, version: 1 });
    expect((await d().client.contextGet('build/status')).value).toEqual({ ok: true, n: 3 });

    expect(json<ContextEntry>(await run(['context', 'set', 'greeting', 'hello there', '--json'])).value).toBe('hello there');
    expect(json<ContextEntry>(await run(['context', 'set', 'forced', '42', '--string', '--json'])).value).toBe('42');

    const get = await run(['context', 'get', 'greeting']);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe('hello there\n');
    expect(json<ContextEntry>(await run(['context', 'get', 'build/status', '--json'])).value).toEqual({ ok: true, n: 3 });
  });

  it('set - reads the value from stdin, and --ttl gives the entry an expiry', async () => {
    const res = await run(['context', 'set', 'from-stdin', '-', '--ttl', '600', '--json'], '[1, 2, 3]\n');
    expect(res.code, res.stderr).toBe(0);
    const entry = json<ContextEntry>(res);
    expect(entry.value).toEqual([1, 2, 3]);
    expect(entry.expiresAt).not.toBeNull();
  });

  it('a stale --if-version is a version conflict: exit 1 with the code and details in JSON', async () => {
    await run(['context', 'set', 'cas', '1']);
    const ok = await run(['context', 'set', 'cas', '2', '--if-version', '1', '--json']);
    expect(json<ContextEntry>(ok).version).toBe(2);

    const stale = await run(['context', 'set', 'cas', '3', '--if-version', '1', '--json']);
    expect(stale.code).toBe(1);
    expect(json<ErrorOut>(stale).error.code).toBe('version-conflict');
    expect((await d().client.contextGet('cas')).value).toBe(2);

    const human = await run(['context', 'set', 'cas', '3', '--if-version', '1']);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('[version-conflict]');
    expect(human.stderr).toContain('hint:');
  });

  it('list pages with --limit and follows every page with --all', async () => {
    for (const k of ['p/a', 'p/b', 'p/c']) await d().client.contextPut(k, { value: k });
    const first = json<ContextPage>(await run(['context', 'list', '--prefix', 'p/', '--limit', '2', '--json']));
    expect(first.items.map((e) => e.key)).toEqual(['p/a', 'p/b']);
    expect(first.nextCursor).not.toBeNull();

    const all = json<ContextPage>(await run(['context', 'list', '--prefix', 'p/', '--limit', '2', '--all', '--json']));
    expect(all.items.map((e) => e.key)).toEqual(['p/a', 'p/b', 'p/c']);
    expect(all.nextCursor).toBeNull();

    const plain = await run(['context', 'list', '--prefix', 'p/']);
    expect(plain.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['p/a', 'p/b', 'p/c']);
  });

  it('delete removes a key; a missing key is key-not-found (exit 1)', async () => {
    await d().client.contextPut('doomed', { value: 1 });
    const del = await run(['context', 'delete', 'doomed', '--json']);
    expect(del.code).toBe(0);
    expect(json<ContextDeleted>(del)).toMatchObject({ key: 'doomed', deleted: true });

    const again = await run(['context', 'get', 'doomed', '--json']);
    expect(again.code).toBe(1);
    expect(json<ErrorOut>(again).error.code).toBe('key-not-found');
  });

  it('rejects a malformed flag as a usage error (exit 2) before calling the daemon', async () => {
    const res = await run(['context', 'set', 'k', 'v', '--ttl', 'soon', '--json']);
    expect(res.code).toBe(2);
    expect(json<ErrorOut>(res).error.code).toBe('usage-error');
    await expect(d().client.contextGet('k')).rejects.toMatchObject({ code: 'key-not-found' });
  });
});
