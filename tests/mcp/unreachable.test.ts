import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryClient } from '../../server/client/index.js';
import { localClient } from '../../server/client/local.js';
import { connectMcp, errorOf, textOf, type Connected } from './connect.js';

describe('without a running daemon', () => {
  let c: Connected;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    c = await connectMcp(new FerryClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }));
  });
  afterAll(() => c.close());

  it('answers daemon-unreachable with a hint to start the daemon, and keeps serving', async () => {
    const result = await c.mcp.callTool({ name: 'ferry_context_get', arguments: { key: 'a' } });
    const error = errorOf(result);
    expect(error.code).toBe('daemon-unreachable');
    expect(error.hint).toContain('ferry start');
    expect(textOf(result)).toContain('daemon-unreachable');

    const again = await c.mcp.callTool({ name: 'ferry_execute', arguments: { argv: ['true'] } });
    expect(errorOf(again).code).toBe('daemon-unreachable');
    expect((await c.mcp.listTools()).tools.length).toBe(26);
  });

  it('answers daemon-unreachable from the long-running file and message tools too, at once', async () => {
    const started = Date.now();
    const transfer = await c.mcp.callTool({ name: 'ferry_transfer_file', arguments: { direction: 'push', peer: 'laptop', source: '/tmp/a', destination: '/tmp/b' } });
    expect(errorOf(transfer).code).toBe('daemon-unreachable');
    const wait = await c.mcp.callTool({ name: 'ferry_wait_for_message', arguments: { timeout: 30 } });
    expect(errorOf(wait).code).toBe('daemon-unreachable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails resource reads with the code in the message, but still lists the fixed resources', async () => {
    await expect(c.mcp.readResource({ uri: 'ferry://status' })).rejects.toThrow(/daemon-unreachable/);
    await expect(c.mcp.readResource({ uri: 'ferry://peers' })).rejects.toThrow(/daemon-unreachable/);
    await expect(c.mcp.readResource({ uri: 'ferry://inbox' })).rejects.toThrow(/daemon-unreachable/);
    await expect(c.mcp.readResource({ uri: 'ferry://context/k' })).rejects.toThrow(/daemon-unreachable/);
    const { resources } = await c.mcp.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['ferry://status', 'ferry://peers', 'ferry://inbox']);
  });

  it('still gives the prompts, saying the machines could not be listed', async () => {
    const got = await c.mcp.getPrompt({ name: 'ferry_coordinate', arguments: { task: 'build' } });
    expect((got.messages[0]?.content as { text: string }).text).toContain('could not be asked for its peers just now: daemon-unreachable');
  });
});

describe('with a data dir that was never initialised', () => {
  let home: string;
  let c: Connected;
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-mcp-empty-'));
    c = await connectMcp(() => localClient({ home }));
  });
  afterAll(async () => {
    await c.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('answers not-initialized per call instead of failing to start', async () => {
    const result = await c.mcp.callTool({ name: 'ferry_list_jobs', arguments: {} });
    const error = errorOf(result);
    expect(error.code).toBe('not-initialized');
    expect(error.hint).toContain('ferry start');
  });
});
