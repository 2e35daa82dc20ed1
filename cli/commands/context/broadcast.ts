import { InvalidArgumentError, type Command } from 'commander';
import type { BroadcastResult, ContextBroadcast } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { int } from '../../options.js';
import { argOrStdin } from '../../lib/stdin.js';
import { table } from '../../views/format.js';
import { parseValue } from './set.js';

interface BroadcastOptions {
  peers?: string[];
  self?: boolean;
  string?: boolean;
  ttl?: number;
}

export function registerContextBroadcast(group: Command): void {
  group
    .command('broadcast')
    .description('set a key on every paired machine (or those of --peers) at once, with a result per machine')
    .argument('<key>', 'the key')
    .argument('<value>', 'the value (JSON if it parses as JSON, else a string); - reads it from stdin')
    .option('--peers <names>', 'only these machines, comma-separated (repeatable); default: every paired machine', collectNames)
    .option('--self', 'also set it here')
    .option('-s, --string', 'store the value as a string even if it parses as JSON')
    .option('--ttl <seconds>', 'expire the entries after this many seconds', int(1))
    .addHelpText(
      'after',
      [
        '',
        'Each machine applies its own policy for this one (context.write). The result per machine is ok',
        '(with the version), denied, offline or error, with the error code. Exit code: 0 when every',
        'machine took it, 1 when any did not (broadcast-incomplete; --json still prints every result).',
        '',
        'Examples:',
        '  ferry context broadcast release 1.4.2',
        '  ferry context broadcast build/status \'{"ok":true}\' --peers laptop,desk --self',
      ].join('\n'),
    )
    .action(action(broadcast));
}

function collectNames(value: string, previous: string[] | undefined): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected comma-separated machine names, got "${value}"`);
  return [...new Set([...(previous ?? []), ...names])];
}

async function broadcast(ctx: CliContext, opts: BroadcastOptions, key: string, value: string): Promise<number> {
  const text = await argOrStdin(value, 'value', 'echo 42 | ferry context broadcast n -');
  const result = await ctx.client().broadcastContext({
    key,
    value: parseValue(text, opts.string === true) as ContextBroadcast['value'],
    ...(opts.peers !== undefined && { peers: opts.peers }),
    ...(opts.self && { includeSelf: true }),
    ...(opts.ttl !== undefined && { ttlSeconds: opts.ttl }),
  });
  const failed = result.results.filter((r) => r.status !== 'ok');
  if (result.results.length === 0) {
    throw new CliError('no-peers', 'there is no paired machine to broadcast to', { hint: 'pair one with `ferry pair`, or add --self to set it here too' });
  }
  if (ctx.json) ctx.out.data(result);
  else printResults(ctx, result.results);
  if (failed.length === 0) return 0;
  if (!ctx.json) {
    const summary = failed.map((r) => `${r.peer} ${r.status}${r.error ? ` (${r.error.code})` : ''}`).join(', ');
    ctx.out.fail(
      new CliError('broadcast-incomplete', `${failed.length} of ${result.results.length} did not take ${key}: ${summary}`, {
        hint: hintFor(failed),
        details: { key, results: result.results },
      }),
    );
  }
  return 1;
}

function printResults(ctx: CliContext, results: BroadcastResult[]): void {
  if (!ctx.out.interactive) {
    // Piped: machine, status, version (or -), error code (or -), error message, tab-separated.
    for (const r of results) ctx.out.line([r.peer, r.status, r.version ?? '-', r.error?.code ?? '-', r.error?.message ?? ''].join('\t'));
    return;
  }
  const paint = ctx.out.paint;
  const colour = (s: BroadcastResult['status']) => (s === 'ok' ? paint('green', s) : s === 'offline' ? paint('yellow', s) : paint('red', s));
  const rows = results.map((r) => [r.peer, r.status, r.version === null ? '-' : `v${r.version}`, r.error ? `${r.error.code}: ${r.error.message}` : '']);
  const [header = '', ...body] = table([['MACHINE', 'STATUS', 'VERSION', 'ERROR'], ...rows]);
  ctx.out.line(paint('bold', header));
  // Colour after padding, so the escape codes do not upset the columns.
  body.forEach((line, i) => {
    const r = results[i]!;
    const at = line.indexOf(r.status, r.peer.length);
    ctx.out.line(at < 0 ? line : `${line.slice(0, at)}${colour(r.status)}${line.slice(at + r.status.length)}`);
  });
}

function hintFor(failed: BroadcastResult[]): string {
  if (failed.some((r) => r.status === 'denied')) {
    return 'a denied machine\'s policy does not let this one write its context: its owner can change it (`ferry peers policy <this machine> collaborator` there)';
  }
  if (failed.some((r) => r.status === 'offline')) return 'an offline machine did not answer: run the broadcast again (with --peers) once it is back; `ferry peers` shows who is online';
  return 'see each machine\'s error code; `ferry logs` here says more';
}
