import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity } from '../../server/identity.js';
import { OPEN_TO_UNPAIRED } from '../../server/peers/peer-app.js';
import { homePaths } from '../../server/protocol/home.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { tempHome } from '../helpers/daemon.js';
import { identityOf, rawPeerRequest } from '../helpers/peers.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: Layer[] };
  matchers?: ((p: string) => { path: string } | false)[];
}

/** Every route of the peer listener's real router, with the prefix it is mounted under. */
function walk(stack: Layer[], prefix: string, out: [string, string][]) {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).flatMap((m) => (m === '_all' ? ['get', 'post'] : [m]));
      for (const p of paths) for (const m of methods) out.push([m.toUpperCase(), prefix + p]);
    } else if (layer.name === 'router' && layer.handle?.stack) {
      const mounted = ['/peer/v1', ''].find((c) => layer.matchers?.[0]?.(`${c}/x`) && (layer.matchers[0](`${c}/x`) as { path: string }).path === c) ?? '';
      walk(layer.handle.stack, prefix + mounted, out);
    }
  }
}

const sample = (p: string) => p.replace(/\*\w+/g, 'sample/key').replace(/:(\w+)/g, 'sample-$1');

describe('the peer listener refuses every route to an unpinned certificate', () => {
  let t: TestApp;
  let port: number;
  let routes: [string, string][];
  let stranger: { key: string; cert: string };
  beforeAll(async () => {
    t = await makeTestApp();
    const listener = t.ferry.peers.listener!;
    await new Promise<void>((r) => listener.server.listen(0, '127.0.0.1', r));
    port = (listener.server.address() as AddressInfo).port;
    routes = [];
    walk((listener.app as Express & { router: { stack: Layer[] } }).router.stack, '', routes);
    const home = tempHome();
    await loadOrCreateIdentity(homePaths(home));
    stranger = identityOf(home);
  });
  afterAll(() => t.close());

  it('finds the capability routes and the handshake', () => {
    const paths = routes.map(([m, p]) => `${m} ${p}`);
    expect(paths).toEqual(expect.arrayContaining(['POST /peer/v1/exec', 'GET /peer/v1/context/*key', 'GET /peer/v1/jobs/:id/stream', 'POST /peer/v1/pair/start', 'POST /peer/v1/unpair']));
  });

  it('answers 403 peer-not-paired everywhere but the handshake list', async () => {
    const open: string[] = [];
    for (const [method, path] of routes) {
      if (OPEN_TO_UNPAIRED.has(path)) continue;
      const res = await rawPeerRequest(port, { method, path: sample(path), body: method === 'GET' ? undefined : {}, identity: stranger });
      if (res.status !== 403 || (res.body as { error?: { code?: string } }).error?.code !== 'peer-not-paired') open.push(`${method} ${path} → ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('keeps the list of routes open to unpaired certificates to the handshake and hello', () => {
    expect([...OPEN_TO_UNPAIRED].sort()).toEqual(['/peer/v1/hello', '/peer/v1/pair/confirm', '/peer/v1/pair/reveal', '/peer/v1/pair/start', '/peer/v1/pair/status']);
  });
});
