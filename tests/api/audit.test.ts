import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { AuditEntry } from '../../server/protocol/index.js';
import { makeTestApp, manualClock, type TestApp } from '../helpers/app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('audit', () => {
  it('records every request with principal, action, target, result and duration', async () => {
    t = await makeTestApp();
    await request(t.app).put('/api/v1/context/deploy').set(t.auth).send({ value: 1 });
    await request(t.app).put('/api/v1/context/deploy').set(t.auth).send({ value: 2, ifVersion: 9 });
    await request(t.app).get('/api/v1/context').set('Authorization', 'Bearer wrong');
    await request(t.app).post('/api/v1/exec').set(t.auth).send({ argv: ['echo', 'audited'] });
    const res = await request(t.app).get('/api/v1/audit').set(t.auth);
    const rows = res.body.items as AuditEntry[];
    // Newest first; the audit read itself is recorded after it answers.
    expect(rows.map((r) => `${r.principal} ${r.action} ${r.target} ${r.result} ${r.status} ${r.code}`)).toEqual([
      'local exec.run echo audited ok 200 null',
      'anonymous http.get /api/v1/context denied 401 unauthorized',
      'local context.put deploy error 409 version-conflict',
      'local context.put deploy ok 201 null',
    ]);
    for (const r of rows) {
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      expect(r.ip).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
    }
    // Health probes are not audit noise... but they are still answered.
    await request(t.app).get('/api/v1/health').expect(200);
  });

  it('filters by principal, action, result and time, and pages', async () => {
    const clock = manualClock();
    t = await makeTestApp({ clock });
    for (let i = 0; i < 5; i++) {
      await request(t.app).get(`/api/v1/context/k${i}`).set(t.auth); // 404s → error
      clock.advance(1000);
    }
    const since = new Date(clock.now()).toISOString();
    await request(t.app).put('/api/v1/context/x').set(t.auth).send({ value: 1 });
    await request(t.app).get('/api/v1/status');
    const q = (s: string) => request(t.app).get(`/api/v1/audit?${s}`).set(t.auth);
    expect((await q(`since=${since}&principal=local`)).body.items.map((r: AuditEntry) => r.action)).toEqual(['context.put']);
    expect((await q('action=context.get')).body.items).toHaveLength(5);
    expect((await q('result=error&action=context.get')).body.items.every((r: AuditEntry) => r.code === 'key-not-found')).toBe(true);
    expect((await q('principal=anonymous')).body.items.map((r: AuditEntry) => r.status)).toEqual([401]);
    const p1 = await q('action=context.get&limit=3');
    const p2 = await q(`action=context.get&limit=3&cursor=${p1.body.nextCursor}`);
    expect(p1.body.items).toHaveLength(3);
    expect(p2.body.items).toHaveLength(2);
    expect(p2.body.nextCursor).toBeNull();
    expect(p2.body.items.map((r: AuditEntry) => r.target)).toEqual(['k1', 'k0']);
  });

  it('exports the filtered log as JSON lines', async () => {
    t = await makeTestApp();
    for (let i = 0; i < 3; i++) await request(t.app).get('/api/v1/status').set(t.auth);
    const res = await request(t.app).get('/api/v1/audit/export?action=status').set(t.auth).buffer(true).parse((r, cb) => {
      let s = '';
      r.on('data', (d: Buffer) => (s += d.toString()));
      r.on('end', () => cb(null, s));
    });
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = (res.body as string).trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.action === 'status')).toBe(true);
  });

  it('prunes records older than audit.retentionDays', async () => {
    const clock = manualClock();
    t = await makeTestApp({ clock, set: ['audit.retentionDays=7'] });
    await request(t.app).get('/api/v1/status').set(t.auth);
    clock.advance(6 * 24 * 3600_000);
    await request(t.app).get('/api/v1/identity').set(t.auth);
    clock.advance(2 * 24 * 3600_000);
    expect(t.ferry.services.audit.prune()).toBe(1);
    const rows = (await request(t.app).get('/api/v1/audit?principal=local').set(t.auth)).body.items as AuditEntry[];
    expect(rows.map((r) => r.action)).toEqual(['identity']);
  });
});
