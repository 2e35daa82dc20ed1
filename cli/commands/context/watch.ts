import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { CliError, usageError } from '../../errors.js';
import { peerOption } from '../../options.js';
import { watchContext, type ContextChange } from '../../lib/context-watch.js';
import { interruptible } from '../../lib/interrupt.js';
import { clip, formatTime } from '../../views/format.js';

interface WatchOptions {
  key?: string;
  peer?: string;
}

export function registerContextWatch(group: Command): void {
  group
    .command('watch')
    .description('print every change of the keys under a prefix (or of one --key) as it happens, until Ctrl-C')
    .argument('[prefix]', 'only keys starting with this (default: every key)')
    .option('--key <key>', 'only this one key')
    .addOption(peerOption())
    .addHelpText(
      'after',
      [
        '',
        'One line per change: time, put/delete/expire, key, version and the new value. Piped: the same,',
        'tab-separated, the value as JSON. --json: one JSON object per line (the daemon\'s context.changed',
        'event: {id, type, topic, at, data: {op, key, version, entry}}). Ctrl-C stops it (exit 130).',
        '',
        'Examples:',
        '  ferry context watch build/',
        '  ferry context watch --key release --peer laptop --json',
      ].join('\n'),
    )
    .action(action(watch));
}

async function watch(ctx: CliContext, opts: WatchOptions, prefix: string | undefined): Promise<number> {
  if (prefix !== undefined && opts.key !== undefined) throw usageError('give a prefix or --key, not both');
  const abort = new AbortController();
  const what = opts.key !== undefined ? `"${opts.key}"` : prefix ? `keys under "${prefix}"` : 'every key';
  const where = opts.peer === undefined ? '' : ` on ${opts.peer}`;
  return interruptible(ctx.out, async (stage) => {
    stage.cleanup = async () => abort.abort();
    stage.note = 'stopped watching';
    const changes = watchContext({ home: ctx.home, peer: opts.peer, prefix, key: opts.key }, abort.signal, () =>
      ctx.out.note(ctx.out.paintErr('dim', `watching ${what}${where}… (Ctrl-C to stop)`)),
    );
    for await (const change of changes) print(ctx, change);
    if (abort.signal.aborted) return 130;
    throw new CliError('stream-ended', `the daemon${where ? ` (or ${opts.peer})` : ''} closed the stream (did it stop?)`, {
      hint: opts.peer === undefined ? 'see `ferry status`' : `see \`ferry status\` and \`ferry peers\``,
    });
  });
}

function print(ctx: CliContext, change: ContextChange): void {
  const { op, key, version, entry } = change.data;
  if (ctx.json) {
    ctx.out.line(JSON.stringify(change));
    return;
  }
  const value = op === 'put' && entry ? JSON.stringify(entry.value) : '';
  if (!ctx.out.interactive) {
    ctx.out.line([change.at, op, key, version, value].join('\t'));
    return;
  }
  const p = ctx.out.paint;
  const colour = op === 'put' ? 'green' : op === 'delete' ? 'red' : 'yellow';
  const head = `${p('dim', formatTime(change.at))}  ${p(colour, op.padEnd(6))}  ${p('bold', key)}  ${p('dim', `v${version}`)}`;
  ctx.out.line(value ? `${head}  ${clip(value, Math.max(20, ctx.out.columns - key.length - 40))}` : head);
}
