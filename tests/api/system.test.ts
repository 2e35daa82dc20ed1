import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { Identity, Status } from '../../server/protocol/index.js';
import { loadMigrations } from '../../server/store/migrate.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('identity and status', () => {
  it('identity: node id, name, the certificate and its fingerprint, matching each other', async () => {
    t = await makeTestApp();
    const res = await request(t.app).get('/api/v1/identity').set(t.auth);
    expect(res.status).toBe(200);
    const id = Identity.parse(res.body);
    expect(id.name).toBe('test-node');
    const cert = new crypto.X509Certificate(id.certificate);
    const fp = crypto.createHash('sha256').update(cert.raw).digest('hex').match(/.{2}/g)!.join(':');
    expect(id.fingerprint).toBe(fp);
    expect(cert.subject).toContain(id.nodeId);
    // The private key never leaves the data dir.
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');
  });

  it('status: what the daemon is doing, in the contract shape', async () => {
    t = await makeTestApp({ set: ['exec.maxConcurrent=3', 'context.maxEntries=50', 'aiTasks.commands.claude=/nonexistent/claude', 'aiTasks.commands.gemini=/nonexistent/gemini', 'aiTasks.commands.codex=/nonexistent/codex'] });
    await request(t.app).put('/api/v1/context/a').set(t.auth).send({ value: 1 });
    await request(t.app).post('/api/v1/exec').set(t.auth).send({ argv: ['sleep', '5'], wait: false });
    const s = Status.parse((await request(t.app).get('/api/v1/status').set(t.auth)).body);
    expect(s).toMatchObject({
      name: 'test-node',
      pid: process.pid,
      draining: false,
      jobs: { running: 1, maxConcurrent: 3 },
      aiTasks: { running: 0, queued: 0, maxConcurrent: 3, agents: { claude: false, gemini: false, codex: false } },
      context: { entries: 1, maxEntries: 50 },
      db: { schemaVersion: loadMigrations().length },
      dataDir: t.home,
    });
    expect(s.db.sizeBytes).toBeGreaterThan(0);
    expect(s.runtime.rssBytes).toBeGreaterThan(0);
    // The peer listener is configured (this in-process app does not listen on it).
    expect(s.peerListen).toEqual({ host: '0.0.0.0', port: 7718 });
    expect(s.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/$/);
  });
});
