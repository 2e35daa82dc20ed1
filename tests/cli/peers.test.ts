import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval, Job, PeerStatus, PeerView } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { converse, ended } from './interactive.js';
import { ferry, json } from './run.js';

/** alpha decides what bravo may do there; bravo asks. */
let alpha: SpawnedDaemon;
let bravo: SpawnedDaemon;
beforeAll(async () => {
  alpha = await spawnDaemon({ env: { FERRY_NAME: 'alpha' } });
  bravo = await spawnDaemon({ env: { FERRY_NAME: 'bravo' } });
  await pair(alpha, bravo, { inviter: 'trusted', joiner: 'trusted' });
});
afterAll(async () => {
  await alpha?.kill();
  await bravo?.kill();
});

const onAlpha = (args: string[]) => ferry(args, { home: alpha.home });
const onBravo = (args: string[], input?: string) => ferry(args, { home: bravo.home, ...(input !== undefined && { input }) });
type ErrorDoc = { error: { code: string; details?: unknown } };

/** What alpha's person sees with `ferry approvals --json` once bravo's request arrived. */
async function pendingOnAlpha(): Promise<Approval> {
  let found: Approval | undefined;
  await waitFor(async () => {
    found = json<{ items: Approval[] }>(await onAlpha(['approvals', '--json'])).items[0];
    return found !== undefined;
  }, 15_000, 'a pending approval on alpha');
  return found!;
}

describe('ferry peers', () => {
  it('lists paired machines with online state, address and policy preset; --json gives the daemon\'s objects', async () => {
    const list = json<{ items: PeerView[] }>(await onBravo(['peers', '--json']));
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ name: 'alpha', paired: true, online: true, addresses: ['127.0.0.1'], port: alpha.peerPort, policy: { exec: { mode: 'full' } } });
    const plain = await onBravo(['peers']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^alpha\\tpaired\\tonline\\t127\\.0\\.0\\.1:${alpha.peerPort}\\ttrusted\\t\\S+\\t${list.items[0]!.nodeId}$`, 'm'));
  });

  it('peers policy makes bravo ask; bravo\'s exec waits until alpha\'s person runs `ferry approve`', async () => {
    const changed = await onAlpha(['peers', 'policy', 'bravo', 'collaborator']);
    expect(changed).toMatchObject({ code: 0 });
    expect(changed.stdout).toContain('bravo may now, here: collaborator');

    const exec = converse(['exec', 'alpha', '--', 'echo', 'x'], { home: bravo.home });
    const approval = await pendingOnAlpha();
    expect(approval).toMatchObject({ peer: { name: 'bravo' }, summary: 'exec: echo x', programs: ['echo'], status: 'pending' });
    const approved = await onAlpha(['approve', approval.id]);
    expect(approved).toMatchObject({ code: 0 });
    expect(approved.stdout).toContain(`approved ${approval.id}`);

    expect((await ended(exec)).code).toBe(0);
    expect(exec.stdout()).toBe('x\n');
    expect((await onAlpha(['peers'])).stdout).toMatch(/^bravo\tpaired\tonline\t\S+\tcollaborator\t/m);
  });

  it('deny: bravo\'s exec fails with scope-denied and says what to do; `approvals --watch --json` saw both steps', async () => {
    await onAlpha(['peers', 'policy', 'bravo', 'collaborator']);
    const exec = converse(['exec', 'alpha', '--', 'echo', 'no'], { home: bravo.home });
    const approval = await pendingOnAlpha();
    // A watcher started while a request waits shows it at once, then the decision as it happens.
    const watch = converse(['approvals', '--watch', '--json'], { home: alpha.home });
    await watch.waitFor(/"approval\.requested".*\n/);
    expect(await onAlpha(['deny', approval.id])).toMatchObject({ code: 0 });
    await watch.waitFor(/"approval\.decided".*"denied".*\n/);
    watch.child.kill('SIGINT');
    expect((await ended(watch)).code).toBe(0);

    expect((await ended(exec)).code).toBe(1);
    expect(exec.stderr()).toContain('[scope-denied]');
    expect(exec.stderr()).toContain('alpha\'s policy does not allow this');
    expect(exec.stderr()).toContain('`ferry approvals` on alpha');
  });

  it('approve --remember: the program runs without asking next time; `approvals --watch` prints the command to approve', async () => {
    await onAlpha(['peers', 'policy', 'bravo', 'collaborator']);
    const watch = converse(['approvals', '--watch'], { home: alpha.home });
    await watch.waitFor('waiting for requests from peers');
    const exec = converse(['exec', 'alpha', '--', 'uname', '-s'], { home: bravo.home });
    // The person copies the command the watcher printed.
    const id = (await watch.waitFor(/bravo asks: exec: uname -s[^\n]*\n\s+approve: ferry approve (\w+)/))[1]!;
    const approved = await onAlpha(['approve', id, '--remember']);
    expect(approved.stdout).toContain('bravo may run uname from now on without asking');
    await watch.waitFor(`${id} approved (remembered)`);
    watch.child.kill('SIGINT');
    expect((await ended(watch)).code).toBe(0);
    expect((await ended(exec)).code).toBe(0);

    expect(await onBravo(['exec', 'alpha', '--', 'uname', '-s'])).toMatchObject({ code: 0 });
    expect(json<{ items: Approval[] }>(await onAlpha(['approvals', '--json'])).items).toEqual([]);
    expect((await onAlpha(['peers'])).stdout).toMatch(/^bravo\tpaired\tonline\t\S+\tcollaborator \+uname\t/m);
    const all = json<{ items: Approval[] }>(await onAlpha(['approvals', '--all', '--json'])).items;
    expect(all.find((a) => a.id === id)).toMatchObject({ status: 'approved', remember: true });
    expect((await onAlpha(['approve', id, '--json'])).stdout).toContain('approval-already-decided');
  });

  it('context, status and jobs of a peer with --peer', async () => {
    await onAlpha(['peers', 'policy', 'bravo', 'trusted']);
    expect(await onAlpha(['context', 'set', 'k', 'from alpha'])).toMatchObject({ code: 0 });
    expect(await onBravo(['context', 'get', 'k', '--peer', 'alpha'])).toMatchObject({ code: 0, stdout: 'from alpha\n' });
    expect(await onBravo(['context', 'set', 'note', '42', '--peer', 'alpha'])).toMatchObject({ code: 0 });
    expect((await alpha.client.contextGet('note')).value).toBe(42);
    const keys = json<{ items: { key: string }[] }>(await onBravo(['context', 'list', '--peer', 'alpha', '--json'])).items.map((e) => e.key);
    expect(keys).toEqual(['k', 'note']);
    expect(await onBravo(['context', 'delete', 'note', '--peer', 'alpha'])).toMatchObject({ code: 0 });
    const missing = await onBravo(['context', 'get', 'note', '--peer', 'alpha']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[key-not-found]');
    expect(missing.stderr).toContain('ferry context list --peer alpha');

    const status = await onBravo(['status', '--peer', 'alpha']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^alpha: running\n {2}node id/);
    const statusJson = json<PeerStatus & Record<string, unknown>>(await onBravo(['status', '--peer', 'alpha', '--json']));
    expect(statusJson).toMatchObject({ name: 'alpha', jobs: { running: expect.any(Number) } });
    expect(statusJson).not.toHaveProperty('dataDir');

    const started = await onBravo(['exec', 'alpha', '--detach', '--', 'echo', 'later']);
    const id = started.stdout.trim();
    expect(started.stderr).toContain(`ferry jobs show ${id} --peer alpha`);
    await waitFor(async () => (await bravo.client.forPeer('alpha').job(id)).status !== 'running', 10_000, 'the job to end');
    expect(json<{ items: Job[] }>(await onBravo(['jobs', '--peer', 'alpha', '--json'])).items.map((j) => j.id)).toContain(id);
    expect(json<Job>(await onBravo(['jobs', 'show', id, '--peer', 'alpha', '--json']))).toMatchObject({ id, stdout: 'later\n' });
    // Not a job of this machine.
    expect(json<ErrorDoc>(await onBravo(['jobs', 'show', id, '--json'])).error.code).toBe('job-not-found');

    await onAlpha(['peers', 'policy', 'bravo', 'read-only']);
    const denied = await onBravo(['context', 'set', 'x', '1', '--peer', 'alpha']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('[scope-denied]');
    expect(denied.stderr).toContain('alpha\'s policy does not allow this');
    expect(json<ErrorDoc>(await onBravo(['exec', 'alpha', '--json', '--', 'true'])).error.code).toBe('scope-denied');
  });

  it('rename, add and remove; mistakes are usage errors or the daemon\'s codes', async () => {
    expect((await onAlpha(['peers', 'rename', 'bravo', 'laptop'])).stdout).toContain('bravo is now called laptop');
    expect(json<{ items: PeerView[] }>(await onAlpha(['peers', '--json'])).items.map((p) => p.name)).toEqual(['laptop']);
    expect(await onAlpha(['peers', 'rename', 'laptop', 'bravo'])).toMatchObject({ code: 0 });

    const added = await onBravo(['peers', 'add', '127.0.0.1', '1']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added 127.0.0.1:1: nothing answers there yet');
    expect(json<{ items: PeerView[] }>(await onBravo(['peers', '--json'])).items.find((p) => p.source === 'manual')).toMatchObject({ paired: false, addresses: ['127.0.0.1'], port: 1 });
    expect((await onBravo(['peers', 'remove', '127.0.0.1:1'])).stdout).toContain('forgot 127.0.0.1:1');

    expect(json<ErrorDoc>(await onAlpha(['peers', 'policy', 'nobody', 'trusted', '--json'])).error.code).toBe('peer-not-found');
    expect((await onAlpha(['peers', 'policy', 'bravo', 'admin'])).code).toBe(2);
    expect(json<ErrorDoc>(await onAlpha(['unpair', 'nobody', '--json'])).error.code).toBe('peer-not-found');
    const twoTargets = await onBravo(['exec', 'alpha', 'bravo', '--', 'true']);
    expect(twoTargets.code).toBe(2);
    const relative = await onBravo(['exec', 'alpha', '--cwd', 'sub', '--', 'true']);
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain('absolute path');
  });
});
