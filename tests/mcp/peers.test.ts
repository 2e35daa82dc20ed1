import type { ResourceUpdatedNotification } from '@modelcontextprotocol/sdk/types.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval, ContextEntry, Job, PeerStatus, PeerView } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { connectMcp, errorOf, structured, textOf, type Connected } from './connect.js';

// alpha runs the agent's MCP server; bravo is the other machine. Each grants the other "trusted"
// unless a test changes what alpha grants bravo (bravo's requests to alpha, for approvals).
let alpha: SpawnedDaemon;
let bravo: SpawnedDaemon;
let onAlpha: Connected;
let onBravo: Connected;
let bravoName: string;

beforeAll(async () => {
  alpha = await spawnDaemon({ env: { FERRY_NAME: 'alpha', FERRY_PEER_ASK_TIMEOUT_MS: '20000' } });
  bravo = await spawnDaemon({ env: { FERRY_NAME: 'bravo' } });
  const paired = await pair(alpha, bravo, { inviter: 'trusted', joiner: 'trusted' });
  bravoName = paired.joinerOnInviter;
  onAlpha = await connectMcp(alpha.client);
  onBravo = await connectMcp(bravo.client);
});
afterAll(async () => {
  await onAlpha?.close();
  await onBravo?.close();
  await alpha?.stop();
  await bravo?.stop();
});

const call = (c: Connected, name: string, args: Record<string, unknown>) => c.mcp.callTool({ name, arguments: args });

describe('peers through MCP', () => {
  it('lists the paired machine by name, with this machine as self', async () => {
    const result = await call(onAlpha, 'ferry_list_peers', {});
    const data = structured<{ self: { name: string }; items: PeerView[] }>(result);
    expect(data.self.name).toBe('alpha');
    const b = data.items.find((p) => p.name === bravoName);
    expect(b).toMatchObject({ paired: true, preset: 'trusted' });
    expect(textOf(result)).toContain(`${bravoName} (`);
  });

  it("shows a peer's status, and answers peer-not-found for a name that is not paired", async () => {
    const result = await call(onAlpha, 'ferry_peer_status', { peer: bravoName });
    const data = structured<{ peer: PeerView; status: PeerStatus }>(result);
    expect(data.status.name).toBe('bravo');
    expect(data.status.jobs.maxConcurrent).toBeGreaterThan(0);
    expect(data.peer.nodeId).toBe((await bravo.client.identity()).nodeId);

    const missing = await call(onAlpha, 'ferry_peer_status', { peer: 'nobody-here' });
    expect(errorOf(missing).code).toBe('peer-not-found');
    expect(errorOf(missing).hint).toContain('ferry_list_peers');
  });

  it("runs ferry_execute on the peer by name and returns the peer's output", async () => {
    const result = await call(onAlpha, 'ferry_execute', { peer: bravoName, shell: 'echo "from $FERRY_HOME"', env: {} });
    expect(result.isError).toBeFalsy();
    const job = structured<{ job: Job }>(result).job;
    expect(job).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: `from ${bravo.home}\n` });
    expect(textOf(result)).toContain(`on ${bravoName}`);
    // The job is bravo's: recorded there, unknown on alpha.
    expect((await bravo.client.job(job.id)).stdout).toBe(`from ${bravo.home}\n`);
    await expect(alpha.client.job(job.id)).rejects.toMatchObject({ code: 'job-not-found' });

    const listed = structured<{ items: Job[] }>(await call(onAlpha, 'ferry_list_jobs', { peer: bravoName }));
    expect(listed.items.map((j) => j.id)).toContain(job.id);
    const shown = structured<{ job: Job }>(await call(onAlpha, 'ferry_get_job', { peer: bravoName, id: job.id }));
    expect(shown.job.stdout).toBe(job.stdout);
  });

  it('cancels a job on the peer', async () => {
    const started = await alpha.client.forPeer(bravoName).exec({ argv: ['sleep', '30'], wait: false });
    const canceled = await call(onAlpha, 'ferry_cancel_job', { peer: bravoName, id: started.id });
    expect(canceled.isError).toBeFalsy();
    let final: Job | undefined;
    for await (const item of bravo.client.jobStream(started.id)) if (item.type === 'exit') final = item.job;
    expect(final?.status).toBe('canceled');
  });

  it('cancelling a ferry_execute call on the peer cancels the job there', async () => {
    const abort = new AbortController();
    let id: string | undefined;
    const pending = onAlpha.mcp.callTool({ name: 'ferry_execute', arguments: { peer: bravoName, argv: ['sleep', '30'] } }, undefined, {
      signal: abort.signal,
      onprogress: (p) => {
        id ??= /^job (\S+) started on /.exec(p.message ?? '')?.[1];
        if (id) abort.abort();
      },
    });
    await expect(pending).rejects.toThrow();
    let final: Job | undefined;
    for await (const item of bravo.client.jobStream(id!)) if (item.type === 'exit') final = item.job;
    expect(final?.status).toBe('canceled');
  });

  it("reads and writes the peer's context", async () => {
    const set = await call(onAlpha, 'ferry_context_set', { peer: bravoName, key: 'mcp/peer', value: { from: 'alpha' } });
    expect(structured<{ entry: ContextEntry }>(set).entry.version).toBe(1);
    expect((await bravo.client.contextGet('mcp/peer')).value).toEqual({ from: 'alpha' });
    await expect(alpha.client.contextGet('mcp/peer')).rejects.toMatchObject({ code: 'key-not-found' });
    const got = await call(onAlpha, 'ferry_context_get', { peer: bravoName, key: 'mcp/peer' });
    expect(structured<{ entry: ContextEntry }>(got).entry.value).toEqual({ from: 'alpha' });
    const list = structured<{ items: ContextEntry[] }>(await call(onAlpha, 'ferry_context_list', { peer: bravoName, prefix: 'mcp/' }));
    expect(list.items.map((e) => e.key)).toEqual(['mcp/peer']);
    const del = await call(onAlpha, 'ferry_context_delete', { peer: bravoName, key: 'mcp/peer' });
    expect(del.isError).toBeFalsy();
    await expect(bravo.client.contextGet('mcp/peer')).rejects.toMatchObject({ code: 'key-not-found' });
  });

  it("answers scope-denied, with a hint, when the peer's policy says no", async () => {
    await alpha.client.updatePeer(bravoName, { policy: 'read-only' });
    try {
      const result = await call(onBravo, 'ferry_execute', { peer: 'alpha', argv: ['echo', 'no'] });
      const error = errorOf(result);
      expect(error.code).toBe('scope-denied');
      expect(error.hint).toMatch(/do not retry/i);
      const write = await call(onBravo, 'ferry_context_set', { peer: 'alpha', key: 'k', value: 1 });
      expect(errorOf(write).code).toBe('scope-denied');
    } finally {
      await alpha.client.updatePeer(bravoName, { policy: 'trusted' });
    }
  });

  it('lists an "ask" request from the peer and approves it, so the waiting command runs', async () => {
    await alpha.client.updatePeer(bravoName, { policy: 'collaborator' });
    try {
      // bravo's agent asks to run a command on alpha; alpha's policy asks a person.
      const notes: string[] = [];
      const waiting = onBravo.mcp.callTool({ name: 'ferry_execute', arguments: { peer: 'alpha', argv: ['echo', 'approved'] } }, undefined, {
        onprogress: (p) => void notes.push(p.message ?? ''),
      });
      let pending: Approval | undefined;
      await waitFor(async () => {
        pending = structured<{ items: Approval[] }>(await call(onAlpha, 'ferry_list_approvals', {})).items.find((a) => a.peer.name === bravoName);
        return pending !== undefined;
      }, 15_000, 'the approval to show on alpha');
      expect(pending).toMatchObject({ status: 'pending', scope: 'exec', programs: ['echo'] });
      // The agent is told why nothing happens yet.
      await waitFor(() => notes.some((n) => n.startsWith('waiting for alpha')), 10_000, 'the waiting note');

      const decided = await call(onAlpha, 'ferry_decide_approval', { id: pending!.id, decision: 'approve' });
      expect(structured<{ approval: Approval }>(decided).approval.status).toBe('approved');
      const ran = await waiting;
      expect(structured<{ job: Job }>(ran).job.stdout).toBe('approved\n');
      expect(notes.findIndex((n) => n.startsWith('waiting for alpha'))).toBeLessThan(notes.findIndex((n) => / started on alpha: echo approved$/.test(n)));

      const again = await call(onAlpha, 'ferry_decide_approval', { id: pending!.id, decision: 'deny' });
      expect(errorOf(again).code).toBe('approval-already-decided');
      const all = structured<{ items: Approval[] }>(await call(onAlpha, 'ferry_list_approvals', { status: 'all' }));
      expect(all.items.find((a) => a.id === pending!.id)?.status).toBe('approved');
    } finally {
      await alpha.client.updatePeer(bravoName, { policy: 'trusted' });
    }
  });

  it('denying an "ask" request ends the waiting call with scope-denied', async () => {
    await alpha.client.updatePeer(bravoName, { policy: 'collaborator' });
    try {
      const waiting = call(onBravo, 'ferry_execute', { peer: 'alpha', argv: ['echo', 'denied'] });
      let id: string | undefined;
      await waitFor(async () => {
        id = (await alpha.client.approvals('pending')).items.find((a) => a.peer.name === bravoName)?.id;
        return id !== undefined;
      }, 15_000, 'the approval to show on alpha');
      await call(onAlpha, 'ferry_decide_approval', { id: id!, decision: 'deny' });
      expect(errorOf(await waiting).code).toBe('scope-denied');
    } finally {
      await alpha.client.updatePeer(bravoName, { policy: 'trusted' });
    }
  });

  it('refuses a bad peer argument before asking anyone', async () => {
    for (const peer of ['', 'a b', '../x', 'x'.repeat(200)]) {
      const result = await call(onAlpha, 'ferry_execute', { peer, argv: ['true'] });
      expect(result.isError, peer).toBe(true);
      expect(textOf(result)).toMatch(/invalid arguments/i);
    }
  });

  it('notifies ferry://peers subscribers when a peer changes', async () => {
    const updates: ResourceUpdatedNotification['params'][] = [];
    onAlpha.mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params));
    await onAlpha.mcp.subscribeResource({ uri: 'ferry://peers' });
    await alpha.client.updatePeer(bravoName, { policy: 'read-only' });
    await waitFor(() => updates.some((u) => u.uri === 'ferry://peers'), 10_000, 'a ferry://peers update');
    await alpha.client.updatePeer(bravoName, { policy: 'trusted' });
    const read = await onAlpha.mcp.readResource({ uri: 'ferry://peers' });
    const list = JSON.parse((read.contents[0] as { text: string }).text) as { items: PeerView[] };
    expect(list.items.find((p) => p.name === bravoName)?.paired).toBe(true);
    await onAlpha.mcp.unsubscribeResource({ uri: 'ferry://peers' });
  });
});
