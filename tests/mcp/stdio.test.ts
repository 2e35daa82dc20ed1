import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../server/protocol/index.js';
import { CLI_MAIN, ROOT, spawnDaemon } from '../helpers/daemon.js';
import { structured } from './connect.js';

// The build (`npm run build:ts`, run by `npm test`'s pretest) is what agents start: `ferry mcp`,
// and the direct entry dist/mcp/main.js.
const CLI = [CLI_MAIN, 'mcp'];
const DIRECT = [path.join(ROOT, 'dist', 'mcp', 'main.js')];

let daemon: Awaited<ReturnType<typeof spawnDaemon>>;
beforeAll(async () => {
  for (const [entry] of [CLI, DIRECT]) if (!fs.existsSync(entry!)) throw new Error(`${entry} is missing: run \`npm run build:ts\` first`);
  daemon = await spawnDaemon();
});
afterAll(async () => {
  await daemon?.stop();
  if (daemon) fs.rmSync(daemon.home, { recursive: true, force: true });
});
// A test that fails half-way must not leave a server process behind.
const children = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

describe('stdio MCP server', () => {
  it('serves the SDK stdio client: lists tools, sets and gets a context key', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: CLI, env: { FERRY_HOME: daemon.home }, stderr: 'pipe' });
    const mcp = new Client({ name: 'ferry-stdio-test', version: '0.0.0' });
    await mcp.connect(transport);
    try {
      const { tools } = await mcp.listTools();
      expect(tools.map((t) => t.name)).toContain('ferry_context_set');
      const set = await mcp.callTool({ name: 'ferry_context_set', arguments: { key: 'stdio/k', value: [1, 2] } });
      expect(set.isError).toBeFalsy();
      const get = await mcp.callTool({ name: 'ferry_context_get', arguments: { key: 'stdio/k' } });
      expect(structured<{ entry: { value: unknown; version: number } }>(get).entry).toMatchObject({ value: [1, 2], version: 1 });
    } finally {
      await mcp.close();
    }
  });

  it.each([
    ['ferry mcp', CLI],
    ['dist/mcp/main.js', DIRECT],
  ])('%s writes nothing but JSON-RPC to stdout, logs to stderr, and exits 0 when stdin closes', async (_name, args) => {
    const child = new RawServer(args, daemon.home);
    child.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
    await child.response(1);
    child.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    child.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    child.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ferry_context_set', arguments: { key: 'raw', value: 'v' } } });
    // Calls run concurrently: the read must wait for the write's answer.
    await child.response(3);
    child.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'ferry_context_get', arguments: { key: 'raw' } } });
    child.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'ferry_execute', arguments: { argv: ['echo', 'raw'] } } });
    const get = (await child.response(4)) as { result: { structuredContent: { entry: { value: unknown } } } };
    expect(get.result.structuredContent.entry.value).toBe('v');
    await child.response(5);

    const code = await child.endInput();
    expect(code).toBe(0);
    expect(child.lines.length).toBeGreaterThanOrEqual(5);
    for (const line of child.lines) {
      const msg = JSON.parse(line) as { jsonrpc?: string };
      expect(msg.jsonrpc, line).toBe('2.0');
    }
    expect(child.stderr).toContain('mcp server ready');
  });

  it('cancels the running command of an unfinished call when stdin closes', async () => {
    const child = new RawServer(CLI, daemon.home);
    child.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
    await child.response(1);
    child.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    child.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ferry_execute', arguments: { argv: ['sleep', '60'] }, _meta: { progressToken: 'p' } } });
    const note = (await child.notification('notifications/progress')) as { params: { message: string } };
    const id = /^job (\S+) started/.exec(note.params.message)?.[1];
    expect(id).toBeDefined();

    expect(await child.endInput()).toBe(0);
    // The server exits only after its cancel was answered, so the daemon already knows.
    let job: Job | undefined;
    for await (const item of daemon.client.jobStream(id!)) if (item.type === 'exit') job = item.job;
    expect(job?.status).toBe('canceled');
  });

  it('starts without a reachable daemon, answers daemon-unreachable, and stops cleanly on SIGTERM', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-mcp-nodaemon-'));
    try {
      // A data dir whose daemon is gone: the token is there, the address refuses connections.
      fs.writeFileSync(path.join(home, 'admin.token'), 'not-a-real-token\n', { mode: 0o600 });
      fs.writeFileSync(path.join(home, 'daemon.json'), JSON.stringify({ pid: 1, url: 'http://127.0.0.1:9', host: '127.0.0.1', port: 9, startedAt: new Date().toISOString(), version: '0' }));
      const child = new RawServer(CLI, home);
      child.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
      await child.response(1);
      child.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      child.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ferry_list_jobs', arguments: {} } });
      const res = (await child.response(2)) as { result: { isError?: boolean; structuredContent: { error: { code: string; hint: string } } } };
      expect(res.result.isError).toBe(true);
      expect(res.result.structuredContent.error.code).toBe('daemon-unreachable');
      expect(res.result.structuredContent.error.hint).toContain('ferry start');
      expect(await child.signal('SIGTERM')).toBe(0);
      expect(child.stderr).not.toContain('not-a-real-token');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

/** The stdio server spawned by hand, to see its raw stdout. */
class RawServer {
  readonly lines: string[] = [];
  stderr = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiters: (() => void)[] = [];

  constructor(args: string[], home: string) {
    this.child = spawn(process.execPath, args, { env: { ...process.env, FERRY_HOME: home }, stdio: 'pipe' });
    children.add(this.child);
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  send(msg: object): void {
    this.child.stdin.write(JSON.stringify(msg) + '\n');
  }

  response(id: number): Promise<unknown> {
    return this.first((m) => (m as { id?: unknown }).id === id);
  }

  notification(method: string): Promise<unknown> {
    return this.first((m) => (m as { method?: unknown }).method === method);
  }

  /** Close stdin and wait for the process to exit on its own; bounded by the test timeout. */
  endInput(): Promise<number | null> {
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.stdin.end();
    });
  }

  signal(sig: NodeJS.Signals): Promise<number | null> {
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.kill(sig);
    });
  }

  private async first(match: (msg: unknown) => boolean): Promise<unknown> {
    for (;;) {
      for (const line of this.lines) {
        try {
          const msg: unknown = JSON.parse(line);
          if (match(msg)) return msg;
        } catch {
          // not JSON: the assertion over all lines reports it
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
