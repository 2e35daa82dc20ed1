import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FerryError } from '../../server/client/index.js';
import { PeerStatus, PeerView } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { PeerArg } from './peer.js';

export function registerPeerStatusTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_peer_status',
    title: "Check a paired machine's status",
    description:
      'Ask a paired machine how it is: its Ferry version, uptime, whether it is shutting down, and how many commands ' +
      'it runs now out of its limit (to see if it has room for more work). Also returns what this machine knows of ' +
      'it (online state, last seen, the policy this machine grants it). Fails with peer-unreachable when it does ' +
      'not answer and peer-not-found for a name that is not paired.',
    input: z.strictObject({ peer: PeerArg.describe('The paired machine, by the name ferry_list_peers shows.') }),
    output: { peer: PeerView, status: PeerStatus },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ peer }, { client }) {
      const [{ items }, status] = await Promise.all([client.peers(), client.forPeer(peer).peerStatus()]);
      const view = items.find((p) => p.paired && (p.name === peer || p.nodeId === peer));
      // The daemon found it a moment ago to forward the status request; a rename in between is the only way here.
      if (!view) throw new FerryError(404, 'peer-not-found', `no paired peer "${peer}"`, { peer });
      const load = `${status.jobs.running} of at most ${status.jobs.maxConcurrent} commands running`;
      const state = status.draining ? 'is shutting down' : `is up (${load})`;
      const text = `${view.name} ${state}; Ferry ${status.version}, up ${Math.round(status.uptimeSeconds)} s.` + (view.preset ? ` This machine grants it "${view.preset}".` : '');
      return { text, data: { peer: view, status } };
    },
  });
}
