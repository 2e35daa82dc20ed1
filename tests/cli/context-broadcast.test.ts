import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastResult } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { converse, ended } from './interactive.js';
import { ferry, json } from './run.js';

type ErrorDoc = { error: { code: string; message: string; details?: Record<string, unknown> } };
type Broadcast = { key: string; results: BroadcastResult[] };

/** hub broadcasts; okay lets it write its context, readonly only read; gone is paired but stopped. */
let hub: SpawnedDaemon;
let okay: SpawnedDaemon;
let readonly: SpawnedDaemon;
beforeAll(async () => {
  let gone: SpawnedDaemon;
  [hub, okay, readonly, gone] = await Promise.all([
    spawnDaemon({ env: { FERRY_NAME: 'hub' } }),
    spawnDaemon({ env: { FERRY_NAME: 'okay' } }),
    spawnDaemon({ env: { FERRY_NAME: 'readonly' } }),
    spawnDaemon({ env: { FERRY_NAME: 'gone' } }),
  ]);
  await pair(okay, hub); // okay (inviter) grants hub trusted
  await pair(readonly, hub, { inviter: 'read-only' });
  await pair(gone, hub);
  await gone.kill();
});
afterAll(async () => {
  await Promise.all([hub?.kill(), okay?.kill(), readonly?.kill()]);
});

const onHub = (args: string[], input?: string) => ferry(args, { home: hub.home, ...(input !== undefined && { input }) });

describe('ferry context broadcast', () => {
  it('sets the key everywhere it may, and says per machine what happened (ok, denied, offline): exit 1', async () => {
    const res = await onHub(['context', 'broadcast', 'release', '1.2.3', '--self', '--json']);
    expect(res.code).toBe(1);
    const doc = json<Broadcast>(res);
    const by = Object.fromEntries(doc.results.map((r) => [r.peer, r]));
    expect(by.okay).toMatchObject({ status: 'ok', version: 1, error: null });
    expect(by.readonly).toMatchObject({ status: 'denied', error: { code: 'scope-denied' } });
    expect(by.gone).toMatchObject({ status: 'offline', error: { code: 'peer-unreachable' } });
    expect(by['(this machine)']).toMatchObject({ status: 'ok' });
    expect((await okay.client.contextGet('release')).value).toBe('1.2.3');
    expect((await hub.client.contextGet('release')).value).toBe('1.2.3');

    // Piped: one line per machine (machine, status, version, code, message), and the error on stderr.
    const plain = await onHub(['context', 'broadcast', 'release', '1.2.4']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^okay\tok\t2\t-\t$/m);
    expect(plain.stdout).toMatch(/^readonly\tdenied\t-\tscope-denied\t/m);
    expect(plain.stdout).toMatch(/^gone\toffline\t-\tpeer-unreachable\t/m);
    expect(plain.stderr).toContain('[broadcast-incomplete]');
    expect(plain.stderr).toContain('2 of 3 did not take release');
    expect(plain.stderr).toContain('readonly denied (scope-denied)');
    expect(plain.stderr).toContain('gone offline (peer-unreachable)');
    expect(plain.stderr).toContain('hint:');
  });

  it('--peers picks the machines (exit 0 when all took it); the value is JSON when it parses, - reads stdin', async () => {
    const res = await onHub(['context', 'broadcast', 'config', '-', '--peers', 'okay', '--json'], '{"level": 3}\n');
    expect(res.code, res.stderr).toBe(0);
    expect(json<Broadcast>(res).results).toEqual([{ peer: 'okay', status: 'ok', version: 1, error: null }]);
    expect((await okay.client.contextGet('config')).value).toEqual({ level: 3 });
    expect(await readonly.client.contextList({ prefix: 'config' })).toMatchObject({ items: [] });
  });

  it('an unknown machine is peer-not-found (exit 1); bad flags are usage errors (exit 2)', async () => {
    const unknown = await onHub(['context', 'broadcast', 'k', 'v', '--peers', 'okay,nobody', '--json']);
    expect(unknown.code).toBe(1);
    expect(json<ErrorDoc>(unknown).error.code).toBe('peer-not-found');
    for (const args of [
      ['context', 'broadcast', 'k'],
      ['context', 'broadcast', 'k', 'v', '--peers', 'okay,'],
      ['context', 'broadcast', 'k', 'v', '--ttl', '0'],
    ]) {
      const res = await onHub([...args, '--json']);
      expect(res.code, args.join(' ')).toBe(2);
      expect(json<ErrorDoc>(res).error.code).toBe('usage-error');
    }
  });
});

describe('ferry context watch', () => {
  it('prints each change under the prefix as it happens, and Ctrl-C ends it with exit 130', async () => {
    const watch = converse(['context', 'watch', 'build/'], { home: hub.home });
    await watch.waitFor('watching keys under "build/"');
    await hub.client.contextPut('other/key', { value: 1 });
    await hub.client.contextPut('build/status', { value: 'green' });
    await watch.waitFor(/\tput\tbuild\/status\t1\t"green"\n/);
    await hub.client.contextDelete('build/status');
    await watch.waitFor(/\tdelete\tbuild\/status\t1\t\n/);
    watch.child.kill('SIGINT');
    expect((await ended(watch, 10_000)).code).toBe(130);
    expect(watch.stdout()).not.toContain('other/key');
    expect(watch.stderr()).toContain('stopped watching');
  });

  it('--peer watches a paired machine\'s context through the local daemon; --json prints one event per line', async () => {
    const watch = converse(['context', 'watch', '--key', 'release', '--peer', 'okay', '--json'], { home: hub.home });
    // --json prints nothing until a change: write until the first one shows (the stream may not be subscribed yet).
    let n = 0;
    const deadline = Date.now() + 15_000;
    while (!watch.stdout().includes('\n') && Date.now() < deadline) {
      await okay.client.contextPut('release', { value: `v${++n}` });
      await new Promise((r) => setTimeout(r, 200));
    }
    const first = JSON.parse(watch.stdout().split('\n')[0]!) as { type: string; data: { op: string; key: string; entry: { value: unknown } } };
    expect(first).toMatchObject({ type: 'context.changed', data: { op: 'put', key: 'release' } });
    watch.child.kill('SIGINT');
    expect((await ended(watch, 10_000)).code).toBe(130);

    const denied = await onHub(['context', 'watch', '--peer', 'nobody', '--json']);
    expect(denied.code).toBe(1);
    expect(json<ErrorDoc>(denied).error.code).toBe('peer-not-found');
    const both = await onHub(['context', 'watch', 'build/', '--key', 'x']);
    expect(both.code).toBe(2);
  });
});
