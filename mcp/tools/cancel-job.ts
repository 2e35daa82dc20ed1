import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Job } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { defineTool } from './define.js';
import { commandLine, jobHeadline } from './format.js';
import { JobIdArg } from './get-job.js';
import { at, PeerArg, where } from './peer.js';

export function registerCancelJobTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_cancel_job',
    title: 'Cancel a running command job',
    description:
      'Stop a running job (the daemon that runs it signals its process and marks it canceled). Use it for a command ' +
      'started elsewhere or one that hangs; give peer for a job that runs on a paired machine. Fails with ' +
      'job-not-running if the job already ended. (Cancelling an in-progress ferry_execute call also cancels its job.)',
    input: z.strictObject({ id: JobIdArg, peer: PeerArg.optional() }),
    output: { job: Job },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ id, peer }, { client }) {
      const job = await at(client, peer).cancelJob(id);
      // The daemon answers at once, while the process group is still being stopped.
      const text =
        job.status === 'running'
          ? `Cancelling job ${job.id}${where(peer)} (${commandLine(job)}): the daemon is stopping it; ferry_get_job shows when it has ended.`
          : jobHeadline(job, peer);
      return { text, data: { job } };
    },
  });
}
