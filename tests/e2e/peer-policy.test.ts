import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FerryClient, FerryError } from '../../server/client/index.js';
import type { Approval, Policy } from '../../server/protocol/index.js';
import { spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';

/** alpha decides; bravo asks. What alpha grants bravo is set per test with PATCH. */
let alpha: SpawnedDaemon;
let bravo: SpawnedDaemon;
let onAlpha: FerryClient;
let bravoId: string;

beforeAll(async () => {
  alpha = await spawnDaemon({ env: { FERRY_NAME: 'alpha', FERRY_PEER_ASK_TIMEOUT_MS: '3000' } });
  bravo = await spawnDaemon({ env: { FERRY_NAME: 'bravo' } });
  await pair(alpha, bravo, { inviter: 'read-only', joiner: 'trusted' });
  onAlpha = bravo.client.forPeer('alpha');
  bravoId = (await bravo.client.identity()).nodeId;
});
afterAll(async () => {
  await alpha?.kill();
  await bravo?.kill();
});

const denied = async (p: Promise<unknown>): Promise<FerryError> => {
  try {
    await p;
  } catch (err) {
    return err as FerryError;
  }
  throw new Error('expected scope-denied, the request was allowed');
};

async function grant(change: Partial<Policy> | 'trusted' | 'collaborator' | 'read-only', exec?: Partial<Policy['exec']>) {
  if (typeof change === 'string') return alpha.client.updatePeer('bravo', { policy: change });
  const current = (await alpha.client.peers()).items.find((p) => p.name === 'bravo')!.policy!;
  return alpha.client.updatePeer('bravo', { policy: { ...current, ...change, exec: { ...current.exec, ...change.exec, ...exec } } });
}

/** Approve or deny the next pending approval from bravo, once it shows up on alpha. */
async function decideNext(decision: 'approve' | 'deny', remember = false): Promise<Approval> {
  let found: Approval | undefined;
  await waitFor(async () => {
    found = (await alpha.client.approvals('pending')).items.find((a) => a.peer.nodeId === bravoId);
    return found !== undefined;
  }, 5_000, 'an approval to appear');
  return alpha.client.decideApproval(found!.id, decision, remember);
}

describe('per-peer policy', () => {
  it('read-only: exec is off (403 scope-denied, audited with the peer id); context reads, does not write', async () => {
    await grant('read-only');
    const err = await denied(onAlpha.exec({ argv: ['echo', 'hi'] }));
    expect(err.status).toBe(403);
    expect(err.code).toBe('scope-denied');
    expect(err.details).toMatchObject({ scope: 'exec' });
    const audit = await alpha.client.audit({ principal: `peer:${bravoId}`, action: 'exec.run' });
    expect(audit.items[0]).toMatchObject({ result: 'denied', status: 403, code: 'scope-denied' });
    await alpha.client.contextPut('shared', { value: 1 });
    expect((await onAlpha.contextGet('shared')).value).toBe(1);
    expect((await denied(onAlpha.contextPut('shared', { value: 2 }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.contextDelete('shared'))).code).toBe('scope-denied');
    expect((await alpha.client.contextGet('shared')).value).toBe(1);
  });

  it('a policy change applies to the very next request, no restart', async () => {
    expect((await grant('read-only')).preset).toBe('read-only');
    // Edited by hand, a policy is no longer a preset.
    expect((await grant({}, { allow: ['echo'] })).preset).toBeNull();
    await grant('read-only');
    expect((await denied(onAlpha.exec({ argv: ['true'] }))).code).toBe('scope-denied');
    await grant('trusted');
    expect((await onAlpha.exec({ argv: ['echo', 'now'] })).stdout).toBe('now\n');
  });

  it('ask: the request waits for a person here; approved it runs', async () => {
    await grant('collaborator');
    const running = onAlpha.exec({ argv: ['echo', 'asked'] });
    const approval = await decideNext('approve');
    expect(approval).toMatchObject({ status: 'approved', scope: 'exec', peer: { name: 'bravo' }, programs: ['echo'] });
    expect(approval.summary).toContain('echo asked');
    expect((await running).stdout).toBe('asked\n');
  });

  it('ask: denied by the person → 403 scope-denied', async () => {
    await grant('collaborator');
    const running = denied(onAlpha.exec({ argv: ['echo', 'nope'] }));
    await decideNext('deny');
    const err = await running;
    expect(err.code).toBe('scope-denied');
    expect(err.message).toContain('denied');
  });

  it('ask: nobody answers → denied when the wait ends', async () => {
    await grant('collaborator');
    const err = await denied(onAlpha.exec({ argv: ['echo', 'waiting'] }));
    expect(err.code).toBe('scope-denied');
    expect(err.message).toContain('in time');
    const expired = (await alpha.client.approvals('expired')).items.find((a) => a.summary.includes('waiting'));
    expect(expired).toBeDefined();
  });

  it('ask + remember: approved once, the program then runs without asking', async () => {
    await grant('collaborator');
    const first = onAlpha.exec({ argv: ['uname', '-s'] });
    await decideNext('approve', true);
    expect((await first).exitCode).toBe(0);
    const policy = (await alpha.client.peers()).items.find((p) => p.name === 'bravo')!.policy!;
    expect(policy.exec.allow).toContain('uname');
    expect((await onAlpha.exec({ argv: ['uname', '-s'] })).exitCode).toBe(0);
    expect((await alpha.client.approvals('pending')).items).toEqual([]);
  });

  it('allowlist: listed programs run, anything else is denied without asking', async () => {
    await grant({}, { mode: 'allowlist', allow: ['echo', 'true'], deny: [], shell: 'off' });
    expect((await onAlpha.exec({ argv: ['echo', 'ok'] })).stdout).toBe('ok\n');
    expect((await denied(onAlpha.exec({ argv: ['uname'] }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.exec({ shell: 'echo ok' }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.exec({ argv: ['sh', '-c', 'echo ok'] }))).code).toBe('scope-denied');
    expect((await alpha.client.approvals('pending')).items).toEqual([]);
  });

  it('a denied command is denied in every wrapper form, without asking', async () => {
    await grant({}, { mode: 'ask', allow: ['echo', 'sh', 'bash', 'env', 'nice', 'nohup', 'timeout', 'xargs', 'busybox', 'sudo', 'doas'], deny: ['rm'], shell: 'allow' });
    const victim = path.join(tempHome(), 'keep-me');
    fs.writeFileSync(victim, 'x');
    const forms: ({ argv: string[] } | { shell: string })[] = [
      { argv: ['rm', victim] },
      { argv: ['/bin/rm', victim] },
      { argv: ['sudo', 'rm', victim] },
      { argv: ['doas', 'rm', victim] },
      { argv: ['env', 'rm', victim] },
      { argv: ['env', '-i', 'A=1', 'rm', victim] },
      { argv: ['nice', '-n', '5', 'rm', victim] },
      { argv: ['nohup', 'rm', victim] },
      { argv: ['timeout', '5', 'rm', victim] },
      { argv: ['xargs', 'rm'] },
      { argv: ['busybox', 'rm', victim] },
      { argv: ['sh', '-c', `rm ${victim}`] },
      { argv: ['bash', '-lc', `rm ${victim}`] },
      { argv: ['bash', '-ec', `true; rm ${victim}`] },
      { shell: `"rm" ${victim}` },
      { shell: `'r'm ${victim}` },
      { shell: `r\\m ${victim}` },
      { shell: `echo a && rm ${victim}` },
      { shell: `echo $(rm ${victim})` },
      { shell: `sh -c "rm ${victim}"` },
      { shell: `zsh -c 'rm ${victim}'` },
    ];
    for (const form of forms) {
      const err = await denied(onAlpha.exec({ ...form, wait: true }));
      expect(err.code, JSON.stringify(form)).toBe('scope-denied');
    }
    expect(fs.existsSync(victim)).toBe(true);
    expect((await alpha.client.approvals('pending')).items).toEqual([]);
  });

  it('a shell needs its own permission', async () => {
    await grant({}, { mode: 'full', allow: [], deny: [], shell: 'off' });
    expect((await onAlpha.exec({ argv: ['echo', 'plain'] })).stdout).toBe('plain\n');
    expect((await denied(onAlpha.exec({ shell: 'echo via-shell' }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.exec({ argv: ['bash', '-c', 'echo via-shell'] }))).code).toBe('scope-denied');
  });

  it('an allowed program cannot be swapped through its path or its environment', async () => {
    await grant({}, { mode: 'allowlist', allow: ['echo'], deny: [], shell: 'off' });
    const dir = tempHome();
    const fake = path.join(dir, 'echo');
    fs.writeFileSync(fake, '#!/bin/sh\ntouch "$0.ran"\n', { mode: 0o755 });
    expect((await denied(onAlpha.exec({ argv: [fake, 'x'] }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.exec({ argv: ['./echo', 'x'], cwd: dir }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.exec({ argv: ['echo', 'x'], env: { PATH: dir } }))).code).toBe('scope-denied');
    expect((await denied(onAlpha.exec({ argv: ['echo', 'x'], env: { LD_PRELOAD: path.join(dir, 'evil.so') } }))).code).toBe('scope-denied');
    expect(fs.existsSync(`${fake}.ran`)).toBe(false);
    // A harmless variable is fine.
    expect((await onAlpha.exec({ argv: ['echo', 'x'], env: { GREETING: 'hi' } })).stdout).toBe('x\n');
  });

  it('PATCH validates the policy and names the bad field', async () => {
    const res = await fetch(`${alpha.url}/api/v1/peers/bravo`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${alpha.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ policy: { exec: { mode: 'sometimes' } } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('validation-failed');
    expect(body.error.message).toContain('policy');
    expect((await denied(alpha.client.updatePeer('nobody', { policy: 'trusted' }))).code).toBe('peer-not-found');
  });
});
