import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { ERROR_STATUS } from '../../server/protocol/index.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

function expectEnvelope(res: request.Response, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(10);
  expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS]).toBe(status);
}

describe('bad input gets a clear error with a stable code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ set: ['http.jsonLimitBytes=2048'] });
  });
  afterAll(() => t.close());

  it('401 without a token, and the body is never parsed first', async () => {
    expectEnvelope(await request(t.app).get('/api/v1/context'), 401, 'unauthorized');
    expectEnvelope(await request(t.app).post('/api/v1/exec').set('content-type', 'application/json').send('{"argv":'), 401, 'unauthorized');
  });

  it('401 with a wrong token or a malformed Authorization header', async () => {
    expectEnvelope(await request(t.app).get('/api/v1/status').set('Authorization', `Bearer ${t.token}x`), 401, 'unauthorized');
    expectEnvelope(await request(t.app).get('/api/v1/status').set('Authorization', t.token), 401, 'unauthorized');
    expectEnvelope(await request(t.app).get('/api/v1/status').set('Authorization', 'Basic Zm9vOmJhcg=='), 401, 'unauthorized');
  });

  it('403 for a Host header that is not ours (DNS rebinding), even with the token', async () => {
    expectEnvelope(await request(t.app).get('/api/v1/status').set(t.auth).set('Host', 'evil.example:7717'), 403, 'host-not-allowed');
    expectEnvelope(await request(t.app).get('/api/v1/health').set('Host', 'attacker.test'), 403, 'host-not-allowed');
    expectEnvelope(await request(t.app).get('/api/v1/health').set('Host', 'localhost:99999x'), 403, 'host-not-allowed');
  });

  it('accepts IP literals, localhost and configured names as Host', async () => {
    for (const host of ['127.0.0.1:7717', '[::1]:7717', 'localhost', '192.168.1.20:7717', 'LOCALHOST:1']) {
      expect((await request(t.app).get('/api/v1/health').set('Host', host)).status, host).toBe(200);
    }
  });

  it('400 invalid-json for malformed JSON', async () => {
    const res = await request(t.app).put('/api/v1/context/k').set(t.auth).set('content-type', 'application/json').send('{"value": ');
    expectEnvelope(res, 400, 'invalid-json');
  });

  it('400 validation-failed for unknown keys, naming them', async () => {
    const res = await request(t.app).put('/api/v1/context/k').set(t.auth).send({ value: 1, vlaue: 2 });
    expectEnvelope(res, 400, 'validation-failed');
    expect(JSON.stringify(res.body.error.details)).toContain('vlaue');
  });

  it('400 validation-failed for wrong types, with the path', async () => {
    const res = await request(t.app).put('/api/v1/context/k').set(t.auth).send({ value: 1, ttlSeconds: 'soon' });
    expectEnvelope(res, 400, 'validation-failed');
    expect(res.body.error.details[0].path).toBe('ttlSeconds');
    expectEnvelope(await request(t.app).post('/api/v1/exec').set(t.auth).send({ argv: 'echo hi' }), 400, 'validation-failed');
    expectEnvelope(await request(t.app).post('/api/v1/exec').set(t.auth).send({ argv: ['echo'], shell: 'echo' }), 400, 'validation-failed');
    expectEnvelope(await request(t.app).post('/api/v1/exec').set(t.auth).send({}), 400, 'validation-failed');
    expectEnvelope(await request(t.app).post('/api/v1/exec').set(t.auth).send({ argv: ['echo', 'a\u0000b'] }), 400, 'validation-failed');
    expectEnvelope(await request(t.app).get('/api/v1/jobs?limit=lots').set(t.auth), 400, 'validation-failed');
    expectEnvelope(await request(t.app).get('/api/v1/jobs?limit=0').set(t.auth), 400, 'validation-failed');
    expectEnvelope(await request(t.app).get('/api/v1/audit?bogus=1').set(t.auth), 400, 'validation-failed');
    expectEnvelope(await request(t.app).get('/api/v1/audit?since=yesterday').set(t.auth), 400, 'validation-failed');
  });

  it('400 for a body that is JSON but not an object', async () => {
    expectEnvelope(await request(t.app).put('/api/v1/context/k').set(t.auth).set('content-type', 'application/json').send('[1,2]'), 400, 'validation-failed');
    expectEnvelope(await request(t.app).post('/api/v1/exec').set(t.auth).set('content-type', 'application/json').send('"echo"'), 400, 'validation-failed');
  });

  it('400 for a tampered pagination cursor', async () => {
    expectEnvelope(await request(t.app).get('/api/v1/context?cursor=not-a-cursor').set(t.auth), 400, 'validation-failed');
    expectEnvelope(await request(t.app).get('/api/v1/jobs?cursor=eyJ4IjoxfQ').set(t.auth), 400, 'validation-failed');
  });

  it('413 payload-too-large for an oversized body', async () => {
    const res = await request(t.app).put('/api/v1/context/k').set(t.auth).send({ value: 'x'.repeat(4096) });
    expectEnvelope(res, 413, 'payload-too-large');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await request(t.app).put('/api/v1/context/k').set(t.auth).set('content-type', 'text/plain').send('value');
    expectEnvelope(res, 415, 'unsupported-media-type');
  });

  it('404 route-not-found as JSON for unknown routes, with or without a token', async () => {
    expectEnvelope(await request(t.app).get('/api/v1/nope').set(t.auth), 404, 'route-not-found');
    expectEnvelope(await request(t.app).delete('/api/v1/health').set(t.auth), 404, 'route-not-found');
    // Unknown routes are behind auth too: no probing the API surface without the token.
    expectEnvelope(await request(t.app).get('/api/v1/nope'), 401, 'unauthorized');
  });

  it('sends no permissive CORS headers and sets security headers', async () => {
    const res = await request(t.app).get('/api/v1/health').set('Origin', 'http://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    const pre = await request(t.app).options('/api/v1/context').set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'PUT');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('health is minimal: no identity or version to an anonymous caller', async () => {
    const res = await request(t.app).get('/api/v1/health');
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('rate limits', () => {
  it('limits failed authentication per address, with Retry-After, and never refuses a valid token', async () => {
    const t = await makeTestApp({ set: ['rateLimits.authFailures=3'] });
    try {
      for (let i = 0; i < 3; i++) expect((await request(t.app).get('/api/v1/status').set('Authorization', 'Bearer wrong')).status).toBe(401);
      const limited = await request(t.app).get('/api/v1/status').set('Authorization', 'Bearer wrong');
      expectEnvelope(limited, 429, 'rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Login guesses count too.
      expectEnvelope(await request(t.app).post('/api/v1/auth/session').send({ token: 'guess' }), 429, 'rate-limited');
      // A missing credential counts as a failed attempt too.
      expectEnvelope(await request(t.app).get('/api/v1/context'), 429, 'rate-limited');
      // The real token still works: a process spamming wrong tokens cannot lock the admin out
      // (and a 256-bit token cannot be guessed in any number of tries)...
      expect((await request(t.app).get('/api/v1/status').set(t.auth)).status).toBe(200);
      // ...and health, which carries no credential, keeps answering probes.
      expect((await request(t.app).get('/api/v1/health')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('limits a category per principal when configured to apply to the local admin', async () => {
    const t = await makeTestApp({ set: ['rateLimits.applyToLocal=true', 'rateLimits.context=2'] });
    try {
      expect((await request(t.app).get('/api/v1/context').set(t.auth)).status).toBe(200);
      expect((await request(t.app).get('/api/v1/context').set(t.auth)).status).toBe(200);
      const res = await request(t.app).get('/api/v1/context').set(t.auth);
      expectEnvelope(res, 429, 'rate-limited');
      expect(res.headers['retry-after']).toBeDefined();
      // Other categories are counted apart.
      expect((await request(t.app).get('/api/v1/status').set(t.auth)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('does not throttle the local admin by default', async () => {
    const t = await makeTestApp({ set: ['rateLimits.context=2'] });
    try {
      for (let i = 0; i < 5; i++) expect((await request(t.app).get('/api/v1/context').set(t.auth)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
