import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../helpers/daemon.js';
import { REPO } from './units.js';

const PROBE = path.join(REPO, 'deploy/docker/healthcheck.mjs');

/** Runs the Docker HEALTHCHECK probe the way the engine does: a process and its exit code. */
function probe(port: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE], {
      env: { ...process.env, FERRY_PORT: port },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 20_000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A loopback port with nothing listening on it (bound, noted, released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('docker health probe (deploy/docker/healthcheck.mjs)', () => {
  const daemon = useDaemon();

  it('reports healthy (exit 0) for a running daemon on FERRY_PORT', async () => {
    const r = await probe(String(daemon().port));
    expect(r).toEqual({ code: 0, stderr: '' });
  });

  it('reports unhealthy (exit 1) when nothing answers on the port', async () => {
    const r = await probe(String(await closedPort()));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^unhealthy: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/health did not answer/);
  });

  it('reports unhealthy (exit 1) with the reason for a FERRY_PORT that is not a port', async () => {
    const r = await probe('seventy');
    expect(r).toEqual({ code: 1, stderr: 'unhealthy: FERRY_PORT must be a port number (1-65535), got "seventy"\n' });
  });
});
