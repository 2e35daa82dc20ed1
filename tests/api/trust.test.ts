import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { loadOrCreateIdentity } from '../../server/identity.js';
import { homePaths } from '../../server/protocol/home.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { tempHome } from '../helpers/daemon.js';

let t: TestApp;
afterEach(() => t?.close());

describe('POST /peers/trust (local fleets)', () => {
  it('pins a certificate without a ceremony, updates it on a second call, and keeps the policy', async () => {
    t = await makeTestApp();
    const other = await loadOrCreateIdentity(homePaths(tempHome()));
    const first = await request(t.app).post('/api/v1/peers/trust').set(t.auth).send({ certificate: other.certPem, name: 's1', addresses: ['127.0.0.1'], port: 40001 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ nodeId: other.nodeId, name: 's1', paired: true, fingerprint: other.fingerprint, preset: 'collaborator', port: 40001, localOnly: true });
    await request(t.app).patch('/api/v1/peers/s1').set(t.auth).send({ policy: 'read-only' }).expect(200);
    const again = await request(t.app).post('/api/v1/peers/trust').set(t.auth).send({ certificate: other.certPem, name: 's1', addresses: ['127.0.0.1'], port: 40002 });
    expect(again.body).toMatchObject({ port: 40002, preset: 'read-only' });
    expect((await request(t.app).get('/api/v1/peers').set(t.auth)).body.items).toHaveLength(1);
  });

  it('refuses bad certificates, its own, and anyone without the admin token', async () => {
    t = await makeTestApp();
    const body = { certificate: '-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n'.padEnd(120, 'x'), name: 's1', addresses: ['127.0.0.1'], port: 1 };
    expect((await request(t.app).post('/api/v1/peers/trust').set(t.auth).send(body)).body.error.code).toBe('validation-failed');
    const own = await request(t.app).get('/api/v1/identity').set(t.auth);
    const self = await request(t.app).post('/api/v1/peers/trust').set(t.auth).send({ ...body, certificate: own.body.certificate });
    expect(self.body.error.message).toContain('own certificate');
    expect((await request(t.app).post('/api/v1/peers/trust').send(body)).status).toBe(401);
  });

  it('is for daemons on this machine: any non-loopback address is refused', async () => {
    t = await makeTestApp();
    const other = await loadOrCreateIdentity(homePaths(tempHome()));
    const body = { certificate: other.certPem, name: 's1', port: 40001 };
    for (const addresses of [['192.168.1.20'], ['127.0.0.1', '10.0.0.2'], ['localhost'], ['::ffff:10.1.2.3']]) {
      const r = await request(t.app).post('/api/v1/peers/trust').set(t.auth).send({ ...body, addresses });
      expect({ addresses, status: r.status, code: r.body.error?.code }).toEqual({ addresses, status: 400, code: 'validation-failed' });
      expect(r.body.error.message).toContain('loopback');
    }
    for (const addresses of [['127.0.0.1'], ['::1'], ['127.0.0.2', '::ffff:127.0.0.1']]) {
      expect((await request(t.app).post('/api/v1/peers/trust').set(t.auth).send({ ...body, addresses })).status).toBe(201);
    }
    expect((await request(t.app).get('/api/v1/peers').set(t.auth)).body.items).toHaveLength(1);
  });
});
