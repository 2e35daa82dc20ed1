import type { Command } from 'commander';
import type { FerryClient } from '../../../server/client/index.js';
import type { ReceivedMessage } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { int } from '../../options.js';
import { seconds } from '../../lib/duration.js';
import { interruptible } from '../../lib/interrupt.js';
import { EXIT_TIMED_OUT } from '../../lib/job-exit.js';
import { spin } from '../../lib/spinner.js';

interface WaitOptions {
  from?: string;
  timeout?: number;
  after?: number;
  ack?: boolean;
}

/** The daemon holds one wait for at most this long; longer waits are several in a row. */
const MAX_POLL_S = 300;

export function registerMsgWait(group: Command): void {
  group
    .command('wait')
    .description('wait for a message: unread ones are printed at once, else the next to arrive (Ctrl-C to stop)')
    .option('--from <peer>', 'only a message from this machine (name or node id)')
    .option('-t, --timeout <duration>', 'give up after this long (90, 90s, 5m…; 0: only look); exit 124 with wait-timeout', seconds(0, 30 * 86_400))
    .option('--after <seq>', 'only messages after this inbox position (the `seq` of the last one handled)', int(0))
    .option('--ack', 'acknowledge what was printed (else the next wait returns it again)')
    .addHelpText(
      'after',
      [
        '',
        'An idle agent can block here: it returns as soon as a message arrives. Without --timeout it waits',
        'until one does. Exit code: 0 a message; 124 none before --timeout (wait-timeout); 130 Ctrl-C.',
        '',
        'Examples:',
        '  ferry msg wait --timeout 5m --ack --json',
        '  ferry msg wait --from laptop',
      ].join('\n'),
    )
    .action(action(wait));
}

async function wait(ctx: CliContext, opts: WaitOptions): Promise<number> {
  const client = ctx.client();
  const matches = opts.from === undefined ? () => true : await senderFilter(client, opts.from);
  const abort = new AbortController();
  return interruptible(ctx.out, async (stage) => {
    stage.cleanup = async () => abort.abort();
    stage.note = 'stopped waiting';
    const who = opts.from === undefined ? 'a message' : `a message from ${opts.from}`;
    const limit = opts.timeout === undefined ? '' : ` for up to ${opts.timeout} s`;
    stage.progress = await spin(ctx.out, `waiting for ${who}${limit}… (Ctrl-C to stop)`);
    const items = await poll(client, opts, matches, abort.signal);
    await stage.progress.stop();
    stage.progress = undefined;
    if (items.length === 0) {
      throw new CliError('wait-timeout', `no message${opts.from === undefined ? '' : ` from ${opts.from}`} arrived within ${opts.timeout ?? 0} s`, {
        exit: EXIT_TIMED_OUT, // as `timeout(1)` and `ferry exec --timeout`
        hint: 'wait longer with --timeout, or see what came before with `ferry msg inbox`',
        details: { timeout: opts.timeout ?? 0 },
      });
    }
    const shown = opts.ack ? await Promise.all(items.map((m) => client.ackMessage(m.id))) : items;
    await print(ctx, shown, opts.ack === true);
    return 0;
  });
}

/**
 * Long-poll the daemon until a matching message is there or the time is up ([] then). Messages
 * that do not match are stepped over (they stay unread in the inbox).
 */
async function poll(client: FerryClient, opts: WaitOptions, matches: (m: ReceivedMessage) => boolean, signal: AbortSignal): Promise<ReceivedMessage[]> {
  const deadline = opts.timeout === undefined ? Infinity : Date.now() + opts.timeout * 1000;
  let after = opts.after;
  for (;;) {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const { items } = await client.waitForMessages({ timeout: Math.min(MAX_POLL_S, left), ...(after !== undefined && { after }), signal });
    const found = items.filter(matches);
    if (found.length > 0) return found;
    if (items.length > 0) after = Math.max(after ?? 0, ...items.map((m) => m.seq));
    if (Date.now() >= deadline) return [];
  }
}

/** `--from laptop`: the paired machine's node id and name (a message keeps the name it came with). */
async function senderFilter(client: FerryClient, ref: string): Promise<(m: ReceivedMessage) => boolean> {
  const peer = (await client.peers()).items.find((p) => p.paired && (p.name === ref || p.nodeId === ref));
  if (!peer) {
    throw new CliError('peer-not-found', `no paired machine "${ref}"`, { details: { peer: ref } });
  }
  return (m) => m.from.nodeId === peer.nodeId || m.from.name === ref;
}

async function print(ctx: CliContext, items: ReceivedMessage[], acked: boolean): Promise<void> {
  if (ctx.json) {
    ctx.out.data({ items });
    return;
  }
  const { inboxPlain, messageLines } = await import('../../views/messages.js');
  if (!ctx.out.interactive) {
    for (const line of inboxPlain(items)) ctx.out.line(line);
  } else for (const m of items) for (const line of messageLines(m, ctx.out.paint)) ctx.out.line(line);
  if (!acked) {
    const ids = items.map((m) => m.id).join(' ');
    ctx.out.note(ctx.out.paintErr('dim', `acknowledge: ferry msg ack ${items.length === 1 ? ids : '<id>'} (or wait with --ack); until then \`msg wait\` shows ${items.length === 1 ? 'it' : 'them'} again`));
  }
}
