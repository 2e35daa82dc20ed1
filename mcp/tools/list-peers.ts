import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PeerView, type Policy } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';

const Self = z.object({ nodeId: z.string(), name: z.string(), version: z.string() });

export function registerListPeersTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_list_peers',
    title: 'List the machines Ferry can reach',
    description:
      'List the machines paired with this one (their names are what the peer argument of the other tools takes), ' +
      'whether each is online, when it was last seen, and the policy this machine grants it. Machines found on the ' +
      'network but not paired are listed with paired: false; only a person can pair them (`ferry pair`). Also ' +
      'returns this machine\'s own name as self. What a peer lets THIS machine do is decided on that peer: try, and ' +
      'read scope-denied as a no.',
    input: z.strictObject({}),
    output: { self: Self, items: z.array(PeerView) },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(_args, { client }) {
      const [status, { items }] = await Promise.all([client.status(), client.peers()]);
      const self = { nodeId: status.nodeId, name: status.name, version: status.version };
      const paired = items.filter((p) => p.paired);
      const found = items.filter((p) => !p.paired);
      const lines = [`This machine is "${self.name}" (Ferry ${self.version}).`];
      lines.push(paired.length === 0 ? 'No paired machines yet: a person pairs them with `ferry pair`.' : `${paired.length} paired:`);
      for (const p of paired) lines.push(`- ${peerLine(p)}`);
      if (found.length > 0) {
        lines.push(`${found.length} found on the network, not paired (a person must pair them first):`);
        for (const p of found) lines.push(`- ${p.name} at ${p.addresses.join(', ') || 'unknown address'}`);
      }
      return { text: lines.join('\n'), data: { self, items } };
    },
  });
}

function peerLine(p: PeerView): string {
  const state = p.online === true ? 'online' : p.online === false ? 'offline' : 'not checked yet';
  const seen = p.lastSeen ? `, last seen ${p.lastSeen}` : '';
  const grant = p.preset ? `; this machine grants it "${p.preset}"` : p.policy ? `; this machine grants it a custom policy (${grantSummary(p.policy)})` : '';
  return `${p.name} (${state}${seen}${p.version ? `, Ferry ${p.version}` : ''})${grant}`;
}

export function grantSummary(policy: Policy): string {
  return `exec ${policy.exec.mode}, shell ${policy.exec.shell}, context ${policy.context.write ? 'read+write' : policy.context.read ? 'read' : 'off'}`;
}
