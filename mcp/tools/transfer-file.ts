import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { route } from '../../cli/views/transfers.js';
import { FerryError } from '../../server/client/index.js';
import { Transfer, TransferCreate } from '../../server/protocol/index.js';
import type { ToolDeps } from '../deps.js';
import { progressFor } from '../progress.js';
import { cancelOnAbort } from './cancel-on-abort.js';
import { defineTool } from './define.js';
import { progressLine, transferText } from './files-format.js';
import { PeerName } from './peer.js';
import { watchTransfers } from './transfer-watch.js';

/** While nothing moves (the daemon retries an unreachable peer), a note this often keeps the caller informed. */
const STALLED_NOTE_MS = 15_000;

const f = TransferCreate.shape;
const TransferInput = z.strictObject({
  direction: f.direction.describe('push: send a file or directory of THIS machine to the peer. pull: fetch one of the peer\'s to this machine.'),
  peer: PeerName.describe('The paired machine on the other end, by the name ferry_list_peers shows.'),
  source: f.source.describe(
    'The file or directory to copy: on this machine for push, on the peer for pull. Absolute, or ~/… for that machine\'s daemon user\'s home.',
  ),
  destination: f.destination.describe(
    'Where it goes: on the peer for push, on this machine for pull. Absolute or ~/…. An existing directory means "inside it", as cp does.',
  ),
  force: f.force.describe('Replace what is already at the destination (without it: destination-exists).'),
  parents: f.parents.describe('Create missing parent directories of the destination.'),
});

export function registerTransferFileTool(server: McpServer, deps: ToolDeps): void {
  defineTool(server, deps, {
    name: 'ferry_transfer_file',
    title: 'Copy a file or directory to or from a peer',
    description:
      'Copy a file or a whole directory between this machine and a paired one, and wait until it is in place. ' +
      'push sends a path of this machine to the peer; pull fetches a path of the peer to this machine. The daemon ' +
      'moves the bytes itself: streamed, verified with SHA-256 by the receiver, put in place atomically (never a ' +
      'partial file), resumed after a broken connection. Directories keep their symlinks and modes. The peer\'s ' +
      'policy decides which of its paths this machine may read or write (scope-denied otherwise). Returns the ' +
      'final transfer: state, bytes, sha256, finalPath. While the peer is unreachable the daemon keeps retrying ' +
      '(for up to 10 minutes without progress, by default) and the call keeps waiting. Sends progress ' +
      'notifications (bytes of total) when the caller asks for them; cancelling the call cancels the transfer. ' +
      'Use ferry_list_remote_files to look first.',
    input: TransferInput,
    output: { transfer: Transfer },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run(args, { client, extra, log }) {
      const progress = progressFor(extra);
      // Subscribed before the transfer starts: a small file is done before a later subscription would be live.
      const watch = await watchTransfers(client, log);
      try {
        // Cancelled while the subscription was opened: nothing was started, nothing to undo.
        if (extra.signal.aborted) throw new FerryError(0, 'canceled', 'the call was cancelled before the transfer started');
        // No abort signal on this POST: aborted mid-flight, it could leave a transfer we have no id for.
        // A cancel that comes during it is seen just below, and cancels the transfer it started.
        const started = await client.startTransfer(args);
        await progress.report(0, `transfer ${started.id} started: ${route(started)}`, { force: true, total: started.total });

        const cancel = cancelOnAbort(extra.signal, () => client.cancelTransfer(started.id), (err) => log('transfer cancel failed', { transfer: started.id, err: String(err) }));
        // MCP wants `progress` to grow with every notification, and while the daemon retries, the
        // bytes do not: then a thousandth is added, so a new attempt (or a note while stalled) is
        // still news. Otherwise it is the bytes; the message carries the exact figures.
        let sent = 0;
        const next = (bytes: number) => (sent = bytes > sent ? bytes : sent + 0.001);
        let current: Transfer = started;
        let lastNoteAt = Date.now();
        const note = (t: Transfer, message: string) => {
          lastNoteAt = Date.now();
          void progress.report(next(t.bytes), message, { total: t.total });
        };
        const stalled = setInterval(() => {
          if (Date.now() - lastNoteAt >= STALLED_NOTE_MS) note(current, `still running: ${progressLine(current)}${current.attempts > 1 ? ', the daemon keeps retrying' : ''}`);
        }, STALLED_NOTE_MS / 3);
        let final: Transfer;
        try {
          final = await watch.follow(
            started,
            (t) => {
              current = t;
              note(t, progressLine(t));
            },
            extra.signal,
          );
        } finally {
          clearInterval(stalled);
          cancel.stop();
        }
        // The SDK sends no response to a cancelled request; getting the cancel to the daemon is what matters.
        if (cancel.canceling) {
          const answer = await cancel.canceling;
          throw new FerryError(0, 'canceled', 'the call was cancelled, and the transfer with it', { transfer: answer ?? final });
        }
        if (final.state !== 'done') {
          throw new FerryError(0, final.error?.code ?? final.state, final.error?.message ?? `the transfer ended ${final.state}`, { transfer: final });
        }
        await progress.report(next(final.bytes), `done: ${route(final)}`, { force: true, total: final.total });
        return { text: transferText(final), data: { transfer: final } };
      } finally {
        watch.close();
      }
    },
  });
}
