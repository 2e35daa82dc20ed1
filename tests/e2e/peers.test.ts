import { afterEach, describe, expect, it } from 'vitest';
import { type FerryError } from '../../server/client/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { identityOf, pair, rawPeerRequest } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';

const running: SpawnedDaemon[] = [];
async function daemon(name: string, env: Record<string, string> = {}) {
  const d = await spawnDaemon({ env: { FERRY_NAME: name, ...env } });
  running.push(d);
  return d;
}
afterEach(async () => {
  for (const d of running.splice(0)) await d.kill();
});

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return (err as FerryError).code;
  }
  return 'no error';
};

describe('two paired daemons', () => {
  it('pair through the API with both confirmations, then exec, context and jobs work across by name', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const paired = await pair(a, b);
    expect(paired.sas).toMatch(/^\d{6}$/);
    expect(paired.joinerOnInviter).toBe('bravo');
    expect(paired.inviterOnJoiner).toBe('alpha');

    // Each side stored the other, pinned by the fingerprint it saw in TLS.
    const bOnA = (await a.client.peers()).items.find((p) => p.name === 'bravo')!;
    expect(bOnA).toMatchObject({ paired: true, fingerprint: (await b.client.identity()).fingerprint, online: true });
    expect(bOnA.policy?.exec.mode).toBe('full');
    expect(bOnA.preset).toBe('trusted');
    expect((await a.client.status()).peerListen).toEqual({ host: '127.0.0.1', port: a.peerPort });

    // exec on the other machine, by name.
    const onA = b.client.forPeer('alpha');
    const job = await onA.exec({ argv: ['echo', 'hi'] });
    expect(job).toMatchObject({ status: 'succeeded', stdout: 'hi\n', principal: `peer:${(await b.client.identity()).nodeId}` });
    // ...and by node id.
    expect((await b.client.forPeer((await a.client.identity()).nodeId).exec({ argv: ['echo', 'by-id'] })).stdout).toBe('by-id\n');

    // context across.
    await onA.contextPut('shared/key', { value: { from: 'bravo' } });
    expect((await a.client.contextGet('shared/key')).value).toEqual({ from: 'bravo' });
    expect((await onA.contextGet('shared/key')).updatedBy).toBe(`peer:${(await b.client.identity()).nodeId}`);

    // jobs across: the peer sees its own jobs only, never alpha's own.
    await a.client.exec({ argv: ['echo', 'alpha-local'] });
    const theirs = await onA.jobs();
    expect(theirs.items.map((j) => j.argv?.[1])).toEqual(['by-id', 'hi']);
    const localJob = (await a.client.jobs()).items.find((j) => j.argv?.[1] === 'alpha-local')!;
    expect(await codeOf(onA.job(localJob.id))).toBe('job-not-found');
    // Live output streams through the forward too.
    const streamed = await onA.exec({ shell: 'echo one; sleep 0.2; echo two', wait: false });
    const seen: string[] = [];
    for await (const item of onA.jobStream(streamed.id)) if (item.type === 'output') seen.push(item.output.data);
    expect(seen.join('')).toBe('one\ntwo\n');

    // The peer sees a smaller status: no paths, no pid.
    const st = (await onA.peerStatus()) as unknown as Record<string, unknown>;
    expect(st).toMatchObject({ name: 'alpha' });
    expect(st).not.toHaveProperty('dataDir');
    expect(st).not.toHaveProperty('pid');

    // An unknown peer name is the local daemon's own error.
    expect(await codeOf(b.client.forPeer('nobody').exec({ argv: ['true'] }))).toBe('peer-not-found');
  });

  it('unpair revokes at once here, tells the other side, and the same command is then refused', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    expect((await b.client.forPeer('alpha').exec({ argv: ['echo', 'hi'] })).stdout).toBe('hi\n');
    const removed = await b.client.removePeer('alpha');
    expect(removed).toEqual({ removed: 'alpha', notified: true });
    expect(await codeOf(b.client.forPeer('alpha').exec({ argv: ['echo', 'hi'] }))).toBe('peer-not-found');
    // alpha heard it and forgot bravo as well.
    await waitFor(async () => !(await a.client.peers()).items.some((p) => p.name === 'bravo' && p.paired), 5_000, 'alpha to forget bravo');
    // bravo's certificate is no longer accepted on alpha's peer port, even asked directly.
    const direct = await rawPeerRequest(a.peerPort!, { method: 'POST', path: '/peer/v1/exec', body: { argv: ['echo', 'hi'] }, identity: identityOf(b.home) });
    expect(direct.status).toBe(403);
    expect(direct.body).toMatchObject({ error: { code: 'peer-not-paired' } });
  });

  it('unpair while the other side is down still revokes locally, and the other side cannot get in', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    await b.stop();
    expect(await a.client.removePeer('bravo')).toEqual({ removed: 'bravo', notified: false });
    const direct = await rawPeerRequest(a.peerPort!, { method: 'GET', path: '/peer/v1/status', identity: identityOf(b.home) });
    expect(direct.status).toBe(403);
  });

  it('a peer cannot reach local-admin-only routes: pairing control, policy, approvals, key rotation', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    await pair(a, b);
    const asB = identityOf(b.home);
    for (const [method, path] of [
      ['POST', '/peer/v1/pairing'],
      ['GET', '/peer/v1/pairing'],
      ['PATCH', '/peer/v1/peers/bravo'],
      ['GET', '/peer/v1/peers'],
      ['GET', '/peer/v1/approvals'],
      ['POST', '/peer/v1/auth/token/rotate'],
      ['GET', '/peer/v1/audit'],
      ['GET', '/peer/v1/events'],
      ['POST', '/api/v1/auth/token/rotate'],
      ['POST', '/peer/v1/peers/alpha/exec'],
    ] as const) {
      const res = await rawPeerRequest(a.peerPort!, { method, path, body: method === 'GET' ? undefined : {}, identity: asB });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // Through forwarding, only capabilities go across.
    for (const what of ['pairing', 'peers', 'approvals', 'auth/token/rotate', 'audit', 'events']) {
      const res = await fetch(`${b.url}/api/v1/peers/alpha/${what}`, { method: 'POST', headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, what).toBe(404);
    }
  });
});

describe('three daemons', () => {
  it('pair two peers with one hub; each link is separate and needs its own pairing', async () => {
    const hub = await daemon('hub');
    const x = await daemon('xray');
    const y = await daemon('yankee');
    await pair(hub, x);
    await pair(hub, y);
    expect((await hub.client.peers()).items.filter((p) => p.paired).map((p) => p.name).sort()).toEqual(['xray', 'yankee']);
    expect((await hub.client.forPeer('xray').exec({ argv: ['echo', 'x'] })).stdout).toBe('x\n');
    expect((await hub.client.forPeer('yankee').exec({ argv: ['echo', 'y'] })).stdout).toBe('y\n');
    await hub.client.forPeer('xray').contextPut('k', { value: 'on-x' });
    expect((await x.client.contextGet('k')).value).toBe('on-x');
    expect(await codeOf(y.client.contextGet('k'))).toBe('key-not-found');
    // xray and yankee never paired: neither knows the other, and xray's certificate opens nothing on yankee.
    expect(await codeOf(x.client.forPeer('yankee').exec({ argv: ['true'] }))).toBe('peer-not-found');
    const direct = await rawPeerRequest(y.peerPort!, { method: 'POST', path: '/peer/v1/exec', body: { argv: ['true'] }, identity: identityOf(x.home) });
    expect(direct.status).toBe(403);
    // A second pairing between the same two machines replaces the first (no duplicate entries).
    await pair(hub, x);
    expect((await hub.client.peers()).items.filter((p) => p.paired).map((p) => p.name).sort()).toEqual(['xray', 'yankee']);
  });
});
