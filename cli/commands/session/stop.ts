import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { CliError, describeError } from '../../errors.js';
import { int } from '../../options.js';
import { checkSessionName, sessionExists, sessionNames, stopSession, type StopResult } from '../../lib/sessions.js';

interface StopOptions {
  timeout: number;
}

export function registerSessionStop(group: Command): void {
  group
    .command('stop')
    .description('stop a session\'s daemon and wait until its process is gone (SIGTERM; SIGKILL after --timeout)')
    .argument('<name>', 'the session')
    .option('-t, --timeout <seconds>', 'how long it may drain before it is killed', int(1, 3600), 10)
    .action(action(stopOne));

  group
    .command('stop-all')
    .description('stop every session of this data dir (the main daemon keeps running)')
    .option('-t, --timeout <seconds>', 'how long each may drain before it is killed', int(1, 3600), 10)
    .action(action(stopAll));
}

async function stopOne(ctx: CliContext, opts: StopOptions, name: string): Promise<number> {
  checkSessionName(name);
  if (!sessionExists(ctx.home, name)) throw notFound(name);
  const result = await stopSession(ctx.home, name, opts.timeout * 1000);
  if (ctx.json) ctx.out.data(result);
  else ctx.out.line(describeStop(result));
  return 0;
}

async function stopAll(ctx: CliContext, opts: StopOptions): Promise<number> {
  const names = sessionNames(ctx.home);
  const settled = await Promise.allSettled(names.map((n) => stopSession(ctx.home, n, opts.timeout * 1000)));
  const items: StopResult[] = [];
  const errors: { name: string; code: string; message: string }[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') items.push(r.value);
    else {
      const e = describeError(r.reason);
      errors.push({ name: names[i]!, code: e.code, message: e.message });
    }
  });
  if (ctx.json) ctx.out.data(errors.length > 0 ? { items, errors } : { items });
  else {
    if (names.length === 0) ctx.out.note('no sessions');
    else if (!items.some((r) => r.stopped) && errors.length === 0) ctx.out.note('no session was running');
    for (const r of items) if (r.stopped || r.reason === 'stale-pid-file') ctx.out.line(describeStop(r));
  }
  if (errors.length === 0) return 0;
  if (!ctx.json) {
    ctx.out.fail(
      new CliError('stop-failed', `could not stop ${errors.map((e) => `${e.name} (${e.code}: ${e.message})`).join('; ')}`, { details: { errors } }),
    );
  }
  return 1;
}

function describeStop(r: StopResult): string {
  if (!r.stopped) {
    return r.reason === 'stale-pid-file' ? `session ${r.name} was not running (removed a stale pid file naming pid ${r.pid})` : `session ${r.name} is not running`;
  }
  const how = r.killed ? ' (it did not drain in time: killed)' : '';
  return `stopped session ${r.name} (pid ${r.pid}) in ${((r.waitedMs ?? 0) / 1000).toFixed(1)} s${how}`;
}

export function notFound(name: string): CliError {
  return new CliError('session-not-found', `there is no session "${name}"`, { hint: 'see the sessions with `ferry session list --all`', details: { name } });
}
