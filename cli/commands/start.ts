import type { Command } from 'commander';
import { action, type CliContext } from '../command.js';
import { CliError } from '../errors.js';
import { collectKeyValue, int } from '../options.js';
import { inspectDaemon } from '../lib/daemon.js';
import { startDetached } from '../lib/detach.js';
import { adminUrl, startedLines, type StartedInfo } from '../views/started-lines.js';

interface StartOptions {
  port?: number;
  host?: string;
  name?: string;
  set?: string[];
  detach?: boolean;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the daemon in the foreground (Ctrl-C stops it), or in the background with --detach')
    .option('-p, --port <port>', 'port for the local API and admin (default 7717, or FERRY_PORT; 0 picks a free one)', int(0, 65535))
    .option('--host <address>', 'address to listen on (default 127.0.0.1, or FERRY_HOST)')
    .option('--name <name>', 'human-friendly name of this node')
    .option('--set <key=value>', 'override a config.yaml setting (repeatable)', collectKeyValue)
    .option('-d, --detach', 'start in the background, wait until it answers, and return')
    .action(action(start));
}

async function start(ctx: CliContext, opts: StartOptions): Promise<number> {
  const state = await inspectDaemon(ctx.home, ctx.paths);
  if (state.health && state.runtime) {
    throw new CliError('already-running', `a daemon is already running for ${ctx.home} (pid ${state.runtime.pid}, ${state.runtime.url})`, {
      hint: 'use it as it is, stop it with `ferry stop`, or give another data dir with --home',
      details: { pid: state.runtime.pid, url: state.runtime.url },
    });
  }
  return opts.detach ? startInBackground(ctx, opts) : startInForeground(ctx, opts);
}

async function startInForeground(ctx: CliContext, opts: StartOptions): Promise<number> {
  const { runDaemon } = await import('../../server/main.js');
  const flags = {
    ...(opts.port !== undefined && { port: opts.port }),
    ...(opts.host !== undefined && { host: opts.host }),
    ...(opts.name !== undefined && { name: opts.name }),
    ...(opts.set !== undefined && { set: opts.set }),
  };
  // The daemon installs its own SIGINT/SIGTERM handlers (drain, then exit): none are added here.
  const daemon = await runDaemon({ home: ctx.home, flags });
  await printStarted(ctx, { url: daemon.url, pid: process.pid, home: daemon.home, tokenPath: ctx.paths.token, detached: false });
  await daemon.closed;
  return 0;
}

async function startInBackground(ctx: CliContext, opts: StartOptions): Promise<number> {
  const args = [
    ...(opts.port !== undefined ? ['--port', String(opts.port)] : []),
    ...(opts.host !== undefined ? ['--host', opts.host] : []),
    ...(opts.name !== undefined ? ['--name', opts.name] : []),
    ...(opts.set ?? []).flatMap((kv) => ['--set', kv]),
  ];
  if (!ctx.out.interactive) {
    const { pid, url } = await startDetached(ctx.paths, args);
    await printStarted(ctx, { url, pid, home: ctx.home, tokenPath: ctx.paths.token, detached: true });
    return 0;
  }
  const { render } = await import('ink');
  const { DetachProgress } = await import('../views/DaemonStarted.js');
  const { createElement } = await import('react');
  const ink = render(createElement(DetachProgress, { state: 'waiting' }), { patchConsole: false, exitOnCtrlC: false });
  try {
    const { pid, url } = await startDetached(ctx.paths, args);
    ink.rerender(createElement(DetachProgress, { state: { url, pid, home: ctx.home, tokenPath: ctx.paths.token, detached: true } }));
    return 0;
  } catch (err) {
    ink.rerender(createElement(DetachProgress, { state: 'failed' }));
    throw err;
  } finally {
    ink.unmount();
    await ink.waitUntilExit();
  }
}

async function printStarted(ctx: CliContext, info: StartedInfo): Promise<void> {
  if (ctx.json) {
    ctx.out.data({ url: info.url, adminUrl: adminUrl(info.url), pid: info.pid, home: info.home, tokenPath: info.tokenPath });
  } else if (ctx.out.interactive) {
    // Ink and React load only here: a daemon started in the background never carries them.
    const { DaemonStarted } = await import('../views/DaemonStarted.js');
    const { createElement } = await import('react');
    await ctx.out.view(createElement(DaemonStarted, { info }));
  } else {
    ctx.out.line(`Ferry daemon running${info.detached ? ' in the background' : ''}`);
    for (const [label, value] of startedLines(info)) ctx.out.line(`  ${label.padEnd(9)} ${value}`);
  }
}
