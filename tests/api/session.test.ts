import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import fs from 'node:fs';
import path from 'node:path';
import { CSRF_HEADER } from '../../server/protocol/index.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
afterEach(() => t?.close());

async function login(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await request(t.app).post('/api/v1/auth/session').send({ token: t.token });
  expect(res.status).toBe(201);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!;
  return { cookie: setCookie.split(';')[0]!, csrf: res.body.csrfToken, setCookie };
}

describe('admin session', () => {
  it('exchanges the token for an httpOnly SameSite=Strict cookie', async () => {
    t = await makeTestApp();
    const { setCookie, csrf } = await login();
    expect(setCookie).toMatch(/^ferry_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toContain(t.token);
    expect(csrf.length).toBeGreaterThan(20);
    // Only a hash of the session id is stored.
    const cookieValue = setCookie.split(';')[0]!.split('=')[1]!;
    expect(JSON.stringify(t.db.prepare('SELECT * FROM sessions').all())).not.toContain(cookieValue);
  });

  it('refuses a wrong token, and unknown fields', async () => {
    t = await makeTestApp();
    const res = await request(t.app).post('/api/v1/auth/session').send({ token: 'fy_nope' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await request(t.app).post('/api/v1/auth/session').send({ token: t.token, remember: true })).status).toBe(400);
  });

  it('reads with the cookie, but writes need the CSRF token as well', async () => {
    t = await makeTestApp();
    const { cookie, csrf } = await login();
    expect((await request(t.app).get('/api/v1/status').set('Cookie', cookie)).status).toBe(200);
    expect((await request(t.app).get('/api/v1/auth/session').set('Cookie', cookie)).body.csrfToken).toBe(csrf);
    const noCsrf = await request(t.app).put('/api/v1/context/k').set('Cookie', cookie).send({ value: 1 });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf-failed');
    const wrongCsrf = await request(t.app).post('/api/v1/exec').set('Cookie', cookie).set(CSRF_HEADER, 'x'.repeat(csrf.length)).send({ argv: ['true'] });
    expect(wrongCsrf.body.error.code).toBe('csrf-failed');
    const ok = await request(t.app).put('/api/v1/context/k').set('Cookie', cookie).set(CSRF_HEADER, csrf).send({ value: 1 });
    expect(ok.status).toBe(201);
  });

  it('logout ends the session', async () => {
    t = await makeTestApp();
    const { cookie, csrf } = await login();
    const out = await request(t.app).delete('/api/v1/auth/session').set('Cookie', cookie).set(CSRF_HEADER, csrf);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/ferry_session=;/);
    expect((await request(t.app).get('/api/v1/status').set('Cookie', cookie)).status).toBe(401);
  });

  it('token rotation: new token works, old token and every session stop working, file rewritten 0600', async () => {
    t = await makeTestApp();
    const { cookie } = await login();
    const res = await request(t.app).post('/api/v1/auth/token/rotate').set(t.auth);
    expect(res.status).toBe(200);
    const fresh = res.body.token as string;
    expect(fresh).not.toBe(t.token);
    const file = path.join(t.home, 'admin.token');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(fresh);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await request(t.app).get('/api/v1/status').set(t.auth)).status).toBe(401);
    expect((await request(t.app).get('/api/v1/status').set('Cookie', cookie)).status).toBe(401);
    expect((await request(t.app).get('/api/v1/status').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
    const audit = await request(t.app).get('/api/v1/audit?action=auth.rotate-token').set('Authorization', `Bearer ${fresh}`);
    expect(audit.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toContain(fresh);
  });
});
