import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { localClient } from '../../server/client/local.js';
import { spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/proc.js';
import { connectMcp, type Connected } from './connect.js';

let daemon: SpawnedDaemon | undefined;
let c: Connected | undefined;
afterAll(async () => {
  await c?.close();
  await daemon?.stop();
});

describe('resource subscriptions across a daemon restart', () => {
  it('keeps a subscription made while the daemon was down, and announces the resource once the daemon is back', async () => {
    const home = tempHome('ferry-mcp-restart-');
    // As in the stdio server: a client made per call from the data dir finds a daemon restarted on another port.
    c = await connectMcp(() => localClient({ home }));
    const updates: string[] = [];
    c.mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    const uri = 'ferry://context/restart';

    // No daemon yet: the subscription is accepted (the event stream keeps trying) instead of failing.
    await c.mcp.subscribeResource({ uri });
    daemon = await spawnDaemon({ home });
    await waitFor(() => updates.includes(uri), 20_000, 'the update sent once the daemon is reachable');

    // Restarted on another port (the stream drops and is opened again), then a write: both are announced.
    await daemon.stop();
    const before = updates.length;
    daemon = await spawnDaemon({ home });
    await waitFor(() => updates.length > before, 20_000, 'the update after the restart');
    const afterRestart = updates.length;
    await daemon.client.contextPut('restart', { value: 1 });
    await waitFor(() => updates.length > afterRestart, 10_000, 'the update after the write');
    expect(updates.every((u) => u === uri)).toBe(true);
  });
});
