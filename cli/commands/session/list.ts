import type { Command } from 'commander';
import { localClient } from '../../../server/client/local.js';
import type { PeerView, Status } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { checkSessionName, inspectSession, sessionExists, sessionNames, type SessionInfo } from '../../lib/sessions.js';
import { formatDuration, formatTime, table } from '../../views/format.js';
import { notFound } from './stop.js';

export function registerSessionList(group: Command): void {
  group
    .command('list')
    .alias('ls')
    .description('the running sessions (--all: the stopped ones too)')
    .option('-a, --all', 'also the sessions that are stopped (their data dirs are kept)')
    .action(action(list));

  group
    .command('status')
    .description('one session: its state, addresses, and the daemons it trusts (online or not)')
    .argument('<name>', 'the session')
    .action(action(status));
}

async function list(ctx: CliContext, opts: { all?: boolean }): Promise<number> {
  const all = await Promise.all(sessionNames(ctx.home).map((n) => inspectSession(ctx.home, n)));
  const items = opts.all ? all : all.filter((s) => s.state !== 'stopped');
  if (ctx.json) {
    ctx.out.data({ items });
    return 0;
  }
  if (items.length === 0) {
    const stopped = all.length > 0 ? ` (${all.length} stopped: --all lists them)` : '';
    ctx.out.note(`no session is running${stopped}; start some with \`ferry session start-fleet -c 3\``);
    return 0;
  }
  if (!ctx.out.interactive) {
    // Piped: name, state, pid, API URL, peer port, started, data dir ('-' when not running).
    for (const s of items) ctx.out.line([s.name, s.state, s.pid ?? '-', s.url ?? '-', s.peerPort ?? '-', s.startedAt ?? '-', s.home].join('\t'));
    return 0;
  }
  const rows = items.map((s) => [s.name, s.state, s.pid === null ? '-' : String(s.pid), s.url ?? '-', s.peerPort === null ? '-' : String(s.peerPort), formatTime(s.startedAt)]);
  const [header = '', ...body] = table([['NAME', 'STATE', 'PID', 'API', 'PEER PORT', 'STARTED'], ...rows]);
  ctx.out.line(ctx.out.paint('bold', header));
  for (const line of body) ctx.out.line(line);
  return 0;
}

interface SessionStatus extends SessionInfo {
  /** The session daemon's own status, when it runs. */
  status: Status | null;
  /** The daemons it trusts (the main one and other sessions, or machines it was paired with). */
  peers: PeerView[] | null;
}

async function status(ctx: CliContext, _opts: object, name: string): Promise<number> {
  checkSessionName(name);
  if (!sessionExists(ctx.home, name)) throw notFound(name);
  const info = await inspectSession(ctx.home, name);
  let result: SessionStatus = { ...info, status: null, peers: null };
  if (info.state === 'running') {
    const client = localClient({ home: info.home });
    const [st, peers] = await Promise.all([client.status(), client.peers()]);
    result = { ...info, status: st, peers: peers.items.filter((p) => p.paired) };
  }
  if (ctx.json) {
    ctx.out.data(result);
    return 0;
  }
  const p = ctx.out.paint;
  const state = info.state === 'running' ? p('green', info.state) : info.state === 'stopped' ? p('dim', info.state) : p('red', info.state);
  const lines: [string, string][] = [
    ['state', state],
    ['data dir', info.home],
  ];
  if (result.status) {
    lines.push(
      ['pid', String(info.pid)],
      ['node id', result.status.nodeId],
      ['uptime', formatDuration(result.status.uptimeSeconds)],
      ['api', info.url ?? '-'],
      ['peer port', result.status.peerListen ? `${result.status.peerListen.host}:${result.status.peerListen.port}` : 'off'],
      ['jobs', `${result.status.jobs.running} running`],
    );
  } else if (info.pid !== null) lines.push(['pid', String(info.pid)]);
  ctx.out.line(`session ${p('bold', name)}`);
  for (const [label, value] of lines) ctx.out.line(`  ${label.padEnd(10)} ${value}`);
  if (result.peers) {
    const trusts = result.peers.map((peer) => `${peer.name} (${peer.online === true ? 'online' : peer.online === false ? 'offline' : 'unknown'}, ${peer.preset ?? 'custom'})`);
    ctx.out.line(`  ${'trusts'.padEnd(10)} ${trusts.length > 0 ? trusts.join(', ') : 'nobody'}`);
  }
  return 0;
}
