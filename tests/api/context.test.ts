import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { makeTestApp, manualClock, type TestApp } from '../helpers/app.js';

let t: TestApp;
afterEach(() => t?.close());

const put = (key: string, body: unknown) => request(t.app).put(`/api/v1/context/${encodeURIComponent(key)}`).set(t.auth).send(body as object);
const get = (key: string) => request(t.app).get(`/api/v1/context/${encodeURIComponent(key)}`).set(t.auth);

describe('context store', () => {
  it('round-trips any JSON value, 201 on create and 200 on update, with versions', async () => {
    t = await makeTestApp();
    const created = await put('build/status', { value: { ok: true, n: [1, 2] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'build/status', value: { ok: true, n: [1, 2] }, version: 1, expiresAt: null, updatedBy: 'local' });
    const updated = await put('build/status', { value: 'done' });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(updated.body.createdAt).toBe(created.body.createdAt);
    const got = await get('build/status');
    expect(got.body).toMatchObject({ value: 'done', version: 2 });
    for (const v of [null, 0, false, '', [], 'ünïcödé ✓']) {
      expect((await put('v', { value: v })).status).toBeLessThan(300);
      expect((await get('v')).body.value).toEqual(v);
    }
  });

  it('takes keys with slashes as raw path segments too', async () => {
    t = await makeTestApp();
    await request(t.app).put('/api/v1/context/a/b/c').set(t.auth).send({ value: 1 }).expect(201);
    expect((await get('a/b/c')).body.value).toBe(1);
  });

  it('rejects bad keys', async () => {
    t = await makeTestApp();
    expect((await put('x'.repeat(513), { value: 1 })).body.error.code).toBe('validation-failed');
    expect((await put('bad\u0001key', { value: 1 })).body.error.code).toBe('validation-failed');
    expect((await request(t.app).put('/api/v1/context/%2E%2E').set(t.auth).send({ value: 1 })).status).toBe(400);
    expect((await request(t.app).put('/api/v1/context/').set(t.auth).send({ value: 1 })).status).toBe(404);
    expect((await request(t.app).put('/api/v1/context/k').set(t.auth).send({})).body.error.code).toBe('validation-failed');
  });

  it('404 key-not-found for a missing key, on get and delete', async () => {
    t = await makeTestApp();
    const res = await get('missing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('key-not-found');
    expect((await request(t.app).delete('/api/v1/context/missing').set(t.auth)).body.error.code).toBe('key-not-found');
  });

  it('compare-and-set: ifVersion must match, 0 means create-only', async () => {
    t = await makeTestApp();
    expect((await put('lock', { value: 'a', ifVersion: 0 })).status).toBe(201);
    const conflict = await put('lock', { value: 'b', ifVersion: 0 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'version-conflict', details: { key: 'lock', expected: 0, actual: 1 } });
    expect((await put('lock', { value: 'b', ifVersion: 1 })).body.version).toBe(2);
    expect((await put('lock', { value: 'c', ifVersion: 1 })).status).toBe(409);
    expect((await put('nope', { value: 'c', ifVersion: 3 })).body.error.code).toBe('version-conflict');
    expect((await get('lock')).body.value).toBe('b');
    expect((await request(t.app).delete('/api/v1/context/lock?ifVersion=1').set(t.auth)).status).toBe(409);
    const del = await request(t.app).delete('/api/v1/context/lock?ifVersion=2').set(t.auth);
    expect(del.body).toEqual({ key: 'lock', deleted: true, version: 2 });
    expect((await get('lock')).status).toBe(404);
  });

  it('expires entries after their TTL, and announces the expiry', async () => {
    const clock = manualClock();
    t = await makeTestApp({ clock });
    const res = await put('session', { value: 1, ttlSeconds: 60 });
    expect(res.body.expiresAt).toBe(new Date(clock.now() + 60_000).toISOString());
    clock.advance(59_000);
    expect((await get('session')).status).toBe(200);
    clock.advance(1_000);
    expect((await get('session')).status).toBe(404);
    expect((await request(t.app).get('/api/v1/context').set(t.auth)).body.items).toEqual([]);
    // An expired key can be created again from scratch.
    expect((await put('session', { value: 2, ifVersion: 0 })).status).toBe(201);
    await put('other', { value: 1, ttlSeconds: 1 });
    clock.advance(1_000);
    expect(t.ferry.services.context.sweep()).toBe(1);
    const events = t.ferry.bus.since(0, ['context']);
    expect(events.map((e) => (e.type === 'context.changed' ? `${e.data.op}:${e.data.key}` : ''))).toEqual(['put:session', 'put:session', 'put:other', 'expire:other']);
  });

  it('413 value-too-large past context.maxValueBytes', async () => {
    t = await makeTestApp({ set: ['context.maxValueBytes=100'] });
    const res = await put('big', { value: 'x'.repeat(200) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'value-too-large', details: { limit: 100 } });
    expect((await get('big')).status).toBe(404);
  });

  it('413 context-full past context.maxEntries, while updates still work', async () => {
    t = await makeTestApp({ set: ['context.maxEntries=2'] });
    await put('a', { value: 1 }).expect(201);
    await put('b', { value: 1 }).expect(201);
    const res = await put('c', { value: 1 });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('context-full');
    expect((await put('a', { value: 2 })).status).toBe(200);
    await request(t.app).delete('/api/v1/context/b').set(t.auth).expect(200);
    expect((await put('c', { value: 1 })).status).toBe(201);
  });

  it('lists by prefix in key order, paginated with an opaque cursor', async () => {
    t = await makeTestApp();
    const keys = ['app/a', 'app/b', 'app/c', 'app/d', 'app/e', 'apple', 'ap', 'b/app'];
    for (const k of keys) await put(k, { value: k });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.app)
        .get('/api/v1/context')
        .query({ prefix: 'app/', limit: 2, ...(cursor ? { cursor } : {}) })
        .set(t.auth);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { key: string }) => i.key));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['app/a', 'app/b', 'app/c', 'app/d', 'app/e']);
    expect(pages).toBe(3);
    const all = await request(t.app).get('/api/v1/context').set(t.auth);
    expect(all.body.items.map((i: { key: string }) => i.key)).toEqual([...keys].sort());
    const app = await request(t.app).get('/api/v1/context?prefix=app').set(t.auth);
    expect(app.body.items).toHaveLength(6);
  });
});
