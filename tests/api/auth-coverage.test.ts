import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { PUBLIC_ROUTES } from '../../server/routes/public.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: Layer[] };
  matchers?: unknown[];
  regexp?: RegExp;
}

/** Every route registered on the real router: [METHOD, full path with a sample value for params]. */
function walk(stack: Layer[], prefix: string, out: [string, string][]) {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      // `router.all()` registers the pseudo-method `_all`: try it with a read and a write.
      const methods = Object.keys(layer.route.methods).flatMap((m) => (m === '_all' ? ['get', 'post'] : [m]));
      for (const p of paths) for (const m of methods) out.push([m.toUpperCase(), prefix + p]);
    } else if (layer.name === 'router' && layer.handle?.stack) {
      walk(layer.handle.stack, prefix + mountPath(layer), out);
    }
  }
}

/** Express 5 keeps no mount path on the layer; recover it from the layer's matcher. */
function mountPath(layer: Layer): string {
  const slash = (layer as { slash?: boolean }).slash;
  if (slash) return '';
  const m = layer.matchers?.[0] as ((p: string) => { path: string } | false) | undefined;
  for (const candidate of ['/api/v1', '/admin', '/context', '']) {
    const r = m?.(`${candidate}/x`);
    if (r && r.path === candidate) return candidate;
  }
  return '';
}

const sample = (p: string) => p.replace(/\*\w+/g, 'sample/key').replace(/:(\w+)/g, 'sample-$1');

const isPublic = (method: string, path: string) =>
  PUBLIC_ROUTES.some(([m, p]) => m === method && (p === path || (p.endsWith('/*') && path.startsWith(p.slice(0, -1)))));

describe('authentication covers every route', () => {
  let t: TestApp;
  let routes: [string, string][];
  beforeAll(async () => {
    // This test sends many wrong tokens on purpose: keep the brute-force limiter out of its way.
    t = await makeTestApp({ set: ['rateLimits.authFailures=100000'] });
    routes = [];
    walk((t.app as Express & { router: { stack: Layer[] } }).router.stack, '', routes);
  });
  afterAll(() => t.close());

  it('finds the routes it is meant to check', () => {
    const paths = routes.map(([m, p]) => `${m} ${p}`);
    expect(paths).toContain('GET /api/v1/health');
    expect(paths).toContain('PUT /api/v1/context/*key');
    expect(paths).toContain('POST /api/v1/exec');
    expect(paths).toContain('POST /api/v1/auth/token/rotate');
    expect(paths).toContain('POST /api/v1/pairing');
    expect(paths).toContain('POST /api/v1/peers/:peer/*rest');
    expect(routes.length).toBeGreaterThan(15);
  });

  it('answers 401 in the error envelope on every route but the listed public ones', async () => {
    const unprotected: string[] = [];
    for (const [method, path] of routes) {
      if (isPublic(method, path)) continue;
      let res: request.Response;
      try {
        res = await request(t.app)[method.toLowerCase() as 'get'](sample(path)).set('content-type', 'application/json').send('{}');
      } catch (err) {
        unprotected.push(`${method} ${path} → ${(err as Error).message}`);
        continue;
      }
      if (res.status !== 401 || res.body?.error?.code !== 'unauthorized') unprotected.push(`${method} ${path} → ${res.status}`);
    }
    expect(unprotected).toEqual([]);
  });

  it('answers 401 with a wrong token too', async () => {
    const wrong: string[] = [];
    for (const [method, path] of routes.filter(([m, p]) => !isPublic(m, p))) {
      try {
        const res = await request(t.app)[method.toLowerCase() as 'get'](sample(path)).set('Authorization', 'Bearer fy_wrong');
        if (res.status !== 401) wrong.push(`${method} ${path} → ${res.status}`);
      } catch (err) {
        wrong.push(`${method} ${path} → ${(err as Error).message}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the public list small and each entry reachable without a token', async () => {
    expect(PUBLIC_ROUTES.length).toBeLessThanOrEqual(5);
    expect((await request(t.app).get('/api/v1/health')).status).toBe(200);
    expect((await request(t.app).post('/api/v1/auth/session').send({ token: 'nope' })).status).toBe(401);
    expect((await request(t.app).get('/')).status).toBe(302);
  });
});
