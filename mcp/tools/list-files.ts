import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DirListing, PathQuery } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { listingText } from './files-format.js';
import { at, PeerArg, where } from './peer.js';

export function registerListFilesTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_list_remote_files',
    title: 'List a directory on a peer (or here)',
    description:
      'List one directory of a paired machine (or, without peer, of this one): each entry\'s name, type (file, dir, ' +
      'symlink, other), size, permission bits and modification time, and a symlink\'s target. At most 10,000 ' +
      'entries (truncated says when there are more). Paths are absolute, or ~/… for the daemon user\'s home on ' +
      'that machine. What this machine may read on a peer is that peer\'s decision: scope-denied outside the ' +
      'roots its policy allows. Use it before ferry_transfer_file to find the exact source path.',
    input: z.strictObject({
      path: PathQuery.shape.path.describe('The directory to list: absolute, or ~/… (the daemon user\'s home on that machine).'),
      peer: PeerArg.describe('List a paired machine\'s directory (its name from ferry_list_peers). Omit for this machine.').optional(),
    }),
    output: DirListing.shape,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ path, peer }, { client }) {
      const listing = await at(client, peer).fileList(path);
      return { text: listingText(listing, where(peer)), data: listing };
    },
  });
}
