import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Job } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { jobText } from './format.js';
import { at, PeerArg } from './peer.js';

export const JobIdArg = z.string().min(1).max(128).describe('The job id (from ferry_execute or ferry_list_jobs).');

export function registerGetJobTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_get_job',
    title: 'Show a command job',
    description:
      'Show one job run through Ferry: its command, status (running, succeeded, failed, timed-out, canceled, ' +
      'interrupted, lost), exit code, timings and output (stdout/stderr as kept by the daemon, with truncation ' +
      'flags). Use it to check on a job that is still running or to re-read an earlier result. A job that ran on a ' +
      'peer is shown with the same peer.',
    input: z.strictObject({ id: JobIdArg, peer: PeerArg.optional() }),
    output: { job: Job },
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run({ id, peer }, { client }) {
      const job = await at(client, peer).job(id);
      return { text: jobText(job, peer), data: { job } };
    },
  });
}
