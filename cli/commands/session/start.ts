import type { Command } from 'commander';
import type { PresetName } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { CliError, usageError } from '../../errors.js';
import { int } from '../../options.js';
import { localClient } from '../../../server/client/local.js';
import { spin } from '../../lib/spinner.js';
import { checkSessionName, inspectSession, launchSession, mainMember, stopSession, type SessionInfo } from '../../lib/sessions.js';
import { DEFAULT_FLEET_POLICY, namesOf, policyOption, settleFleet, type Settled } from './fleet.js';

/** A session once started and introduced. */
export interface StartedSession extends SessionInfo {
  nodeId: string;
  /** false: it was running already (start-fleet keeps it, and refreshes the pins). */
  started: boolean;
  /** The name the main daemon gives it (`ferry msg send <knownAs> …` there). */
  knownAs: string;
  /** The names it gives the daemons it was introduced to in this run (the main daemon first). */
  peers: string[];
}

const MAX_FLEET = 64;
const STOP_GRACE_MS = 10_000;

export function registerSessionStart(group: Command): void {
  group
    .command('start')
    .description('start a session: another daemon on this machine with its own data dir, ports and name, trusted both ways with the main daemon and the running sessions')
    .argument('<name>', 'the session\'s name: lower-case letters, digits, "-" and "_" (its data dir is <home>/sessions/<name>)')
    .addOption(policyOption())
    .addHelpText('after', '\nThe main daemon must be running. Use the session like any daemon: `ferry --home <its data dir> …`.')
    .action(action((ctx: CliContext, opts: { policy?: PresetName }, name: string) => startOne(ctx, name, opts.policy ?? DEFAULT_FLEET_POLICY)));

  group
    .command('start-fleet')
    .description('start sessions <prefix>-1 … <prefix>-N (those running already are kept) that all trust each other and the main daemon')
    .requiredOption('-c, --count <n>', `how many sessions (1-${MAX_FLEET})`, int(1, MAX_FLEET))
    .option('--prefix <name>', 'their names\' prefix (default: session)', 'session')
    .addOption(policyOption())
    .action(action((ctx: CliContext, opts: { count: number; prefix: string; policy?: PresetName }) => startFleet(ctx, opts.count, opts.prefix, opts.policy ?? DEFAULT_FLEET_POLICY)));
}

async function startOne(ctx: CliContext, name: string, policy: PresetName): Promise<number> {
  checkSessionName(name);
  await mainMember(ctx.client()); // the main daemon is running and has a peer listener: else nothing starts
  const before = await inspectSession(ctx.home, name);
  if (before.state !== 'stopped') {
    throw new CliError('already-running', `session ${name} is ${before.state === 'running' ? 'running already' : 'running but does not answer'} (pid ${before.pid})`, {
      hint: `see it with \`ferry session status ${name}\`; restart it with \`ferry session stop ${name}\` then \`ferry session start ${name}\``,
      details: { name, pid: before.pid, state: before.state },
    });
  }
  const progress = await spin(ctx.out, `starting session ${name}…`);
  let items: StartedSession[];
  try {
    items = await launchAndSettle(ctx, [name], policy);
  } finally {
    await progress.stop();
  }
  await report(ctx, items, policy, true);
  return 0;
}

async function startFleet(ctx: CliContext, count: number, prefix: string, policy: PresetName): Promise<number> {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(prefix)) throw usageError(`"${prefix}" is not a valid prefix`, 'use lower-case letters, digits, "-" and "_", starting with a letter or digit');
  const names = Array.from({ length: count }, (_, i) => checkSessionName(`${prefix}-${i + 1}`));
  await mainMember(ctx.client());
  const states = await Promise.all(names.map((n) => inspectSession(ctx.home, n)));
  const stuck = states.find((s) => s.state === 'not-responding');
  if (stuck) {
    throw new CliError('session-not-responding', `session ${stuck.name} has a live process (pid ${stuck.pid}) that does not answer`, {
      hint: `stop it with \`ferry session stop ${stuck.name}\`, then start the fleet again`,
      details: { name: stuck.name, pid: stuck.pid },
    });
  }
  const toStart = states.filter((s) => s.state === 'stopped').map((s) => s.name);
  const progress = await spin(ctx.out, toStart.length > 0 ? `starting ${toStart.join(', ')}…` : 'all running already: refreshing trust…');
  let items: StartedSession[];
  try {
    items = await launchAndSettle(ctx, toStart, policy, names);
  } finally {
    await progress.stop();
  }
  await report(ctx, items, policy, false);
  return 0;
}

/**
 * Launch the stopped ones (in parallel), then introduce everyone. If anything fails, the sessions
 * this run launched are stopped again: a failed start leaves no daemon behind.
 */
async function launchAndSettle(ctx: CliContext, toStart: string[], policy: PresetName, wanted: string[] = toStart): Promise<StartedSession[]> {
  const launched: string[] = [];
  try {
    const results = await Promise.allSettled(
      toStart.map(async (name) => {
        await launchSession(ctx.home, name);
        launched.push(name);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const settled = await settleFleet(ctx, new Set(toStart), policy);
    return await Promise.all(wanted.map((name) => describe(ctx, name, toStart.includes(name), settled)));
  } catch (err) {
    await Promise.allSettled(launched.map((name) => stopSession(ctx.home, name, STOP_GRACE_MS)));
    throw err;
  }
}

async function describe(ctx: CliContext, name: string, started: boolean, settled: Settled): Promise<StartedSession> {
  const info = await inspectSession(ctx.home, name);
  const identity = await localClient({ home: info.home }).identity();
  return { ...info, nodeId: identity.nodeId, started, ...namesOf(name, settled) };
}

/** `start`: --json prints the session; `start-fleet`: {items}. */
async function report(ctx: CliContext, items: StartedSession[], policy: PresetName, one: boolean): Promise<void> {
  if (ctx.json) {
    ctx.out.data(one ? items[0] : { items });
    return;
  }
  const p = ctx.out.paint;
  for (const s of items) {
    ctx.out.line(`${p('green', '✔')} session ${p('bold', s.name)} ${s.started ? 'started' : 'was running already'} (pid ${s.pid})`);
    ctx.out.line(`    api        ${s.url}`);
    ctx.out.line(`    peer port  127.0.0.1:${s.peerPort}`);
    ctx.out.line(`    data dir   ${s.home}`);
    ctx.out.line(`    trusts     ${s.peers.join(', ')}`);
    if (s.knownAs !== s.name) {
      ctx.out.note(ctx.out.paintErr('yellow', `note: the main daemon already knows another machine as "${s.name}": it calls this session "${s.knownAs}"`));
    }
  }
  ctx.out.note(
    ctx.out.paintErr(
      'dim',
      `policy on first introduction: ${policy} (change it with \`ferry peers policy <name> <preset>\` on the daemon concerned)\n` +
        `use a session: ferry --home ${items[0]?.home ?? '<data dir>'} status · stop them: ferry session stop-all`,
    ),
  );
}
