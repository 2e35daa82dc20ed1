import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AdminToken } from '../../server/auth/admin-token.js';
import { loadOrCreateIdentity } from '../../server/identity.js';
import { homePaths } from '../../server/protocol/home.js';
import { tempHome } from '../helpers/daemon.js';

describe('identity', () => {
  it('makes a key pair and a self-signed certificate once, and the node id never changes', async () => {
    const paths = homePaths(tempHome());
    const first = await loadOrCreateIdentity(paths);
    expect(first.created).toBe(true);
    expect(first.nodeId).toMatch(/^([A-Z2-7]{5}-){6}[A-Z2-7]{5}$/);
    expect(first.fingerprint).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(fs.statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(fs.statSync(paths.identityDir).mode & 0o777).toBe(0o700);
    const cert = new crypto.X509Certificate(first.certPem);
    expect(cert.subject).toContain(first.nodeId);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(first.keyPem))).toBe(true);

    const again = await loadOrCreateIdentity(paths);
    expect(again).toMatchObject({ created: false, nodeId: first.nodeId, fingerprint: first.fingerprint });
  });

  it('re-issues a lost certificate from the same key: same node id', async () => {
    const paths = homePaths(tempHome());
    const first = await loadOrCreateIdentity(paths);
    fs.rmSync(paths.cert);
    const again = await loadOrCreateIdentity(paths);
    expect(again.nodeId).toBe(first.nodeId);
    expect(again.created).toBe(false);
  });
});

describe('admin token', () => {
  it('is made on first start, 0600, and verified in constant time against its hash', () => {
    const paths = homePaths(tempHome());
    const { token, created } = AdminToken.loadOrCreate(paths.token);
    expect(created).toBe(true);
    expect(fs.statSync(paths.token).mode & 0o777).toBe(0o600);
    const value = fs.readFileSync(paths.token, 'utf8').trim();
    expect(value).toMatch(/^fy_[A-Za-z0-9_-]{43}$/);
    expect(token.verify(value)).toBe(true);
    expect(token.verify(value.slice(0, -1))).toBe(false);
    expect(token.verify('')).toBe(false);
    expect(AdminToken.loadOrCreate(paths.token).created).toBe(false);
  });

  it('tightens a token file someone made world-readable', () => {
    const paths = homePaths(tempHome());
    AdminToken.loadOrCreate(paths.token);
    fs.chmodSync(paths.token, 0o644);
    AdminToken.loadOrCreate(paths.token);
    expect(fs.statSync(paths.token).mode & 0o777).toBe(0o600);
  });
});
