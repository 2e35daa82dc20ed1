import type { Command } from 'commander';
import { MessageType, type SendMessage } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { usageError } from '../../errors.js';
import { seconds } from '../../lib/duration.js';
import { argOrStdin } from '../../lib/stdin.js';

interface SendOptions {
  type?: string;
  thread?: string;
  replyTo?: string;
  ttl?: number;
}

export function registerMsgSend(group: Command): void {
  group
    .command('send')
    .description('send a text message to a paired machine: stored here at once, delivered (and retried) until it is received or expires')
    .argument('<peer>', 'the paired machine (name or node id); several as a,b; * for every paired machine')
    .argument('<text>', 'the message; - reads it from stdin')
    .option('--type <type>', `chat (default), ${MessageType.options.filter((t) => t !== 'chat').join(', ')}`)
    .option('--reply-to <id>', 'the id of the message this answers (it joins that message\'s thread)')
    .option('--thread <id>', 'post into this thread (its first message\'s id): the same as --reply-to that message')
    .option('--ttl <duration>', 'give up if nobody acknowledged it by then: 90s, 15m, 2h, 7d (default 24h, at most 30d)', seconds(1, 30 * 86_400))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  ferry msg send laptop "the build is green"',
        '  ferry msg send laptop,desk "release at 5" --ttl 2h',
        '  git log -1 | ferry msg send laptop - --type request',
        '  ferry msg send laptop "done" --reply-to Ux8…',
        '',
        'It prints the message id; `ferry msg status <id>` shows whether it was delivered and acknowledged.',
      ].join('\n'),
    )
    .action(action(send));
}

async function send(ctx: CliContext, opts: SendOptions, peer: string, text: string): Promise<number> {
  const type = opts.type === undefined ? undefined : MessageType.safeParse(opts.type);
  if (type && !type.success) throw usageError(`--type must be one of ${MessageType.options.join(', ')}, not "${opts.type}"`);
  if (opts.thread !== undefined && opts.replyTo !== undefined && opts.thread !== opts.replyTo) {
    throw usageError('give --reply-to or --thread, not both', '--thread <id> is --reply-to the first message of that thread');
  }
  const to = recipients(peer);
  const body = await argOrStdin(text, 'text', 'echo hello | ferry msg send laptop -');
  if (body.trim() === '') throw usageError('the message is empty', 'give the text as an argument, or pipe it in with `-`');

  const replyTo = opts.replyTo ?? opts.thread;
  const req: SendMessage = {
    to,
    body,
    ...(type?.success && { type: type.data }),
    ...(replyTo !== undefined && { replyTo }),
    ...(opts.ttl !== undefined && { ttl: opts.ttl }),
  };
  const sent = await ctx.client().sendMessage(req);
  if (ctx.json) {
    ctx.out.data(sent);
    return 0;
  }
  const names = sent.recipients.map((r) => r.peer).join(', ');
  ctx.out.line(`queued ${sent.id} for ${names}`);
  ctx.out.note(ctx.out.paintErr('dim', `it is delivered as soon as the recipient answers: \`ferry msg status ${sent.id}\``));
  return 0;
}

/** `laptop`, `laptop,desk` or `*`. */
function recipients(peer: string): SendMessage['to'] {
  if (peer === '*') return '*';
  const names = peer.split(',').map((p) => p.trim());
  if (names.some((n) => n === '')) throw usageError(`"${peer}" is not a peer name (or a comma-separated list of them)`, 'see the paired machines with `ferry peers`');
  return names.length === 1 ? names[0]! : [...new Set(names)];
}
