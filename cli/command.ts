import path from 'node:path';
import type { Command } from 'commander';
import type { FerryClient } from '../server/client/index.js';
import { localClient } from '../server/client/local.js';
import { homePaths, resolveHome, type HomePaths } from '../server/protocol/home.js';
import { explainPeerError } from './lib/peer.js';
import { Output } from './output.js';

/** The options every command inherits from the root program. */
export interface GlobalOptions {
  home?: string;
  json?: boolean;
  color?: boolean;
}

/** What a command's action gets instead of reaching for process-wide state. */
export interface CliContext {
  home: string;
  paths: HomePaths;
  json: boolean;
  out: Output;
  /**
   * A client for the local daemon (reads daemon.json and admin.token; throws if not initialised),
   * or, given a peer's name, one whose capability calls the local daemon forwards to that peer.
   */
  client(peer?: string): FerryClient;
  /** The user's arguments as typed, before commander took them apart (`exec` needs to see `--`). */
  rawArgs: readonly string[];
}

export function createContext(
  globals: GlobalOptions,
  opts: { stdoutReserved?: boolean; rawArgs?: readonly string[] } = {},
): CliContext {
  const home = globals.home ? path.resolve(globals.home) : resolveHome();
  const json = globals.json === true;
  const out = new Output({ json, noColor: globals.color === false, stdoutReserved: opts.stdoutReserved ?? false });
  let client: FerryClient | undefined;
  return {
    home,
    paths: homePaths(home),
    json,
    out,
    client: (peer) => {
      client ??= localClient({ home });
      return peer === undefined ? client : client.forPeer(peer);
    },
    rawArgs: opts.rawArgs ?? [],
  };
}

const typedArgs = new WeakMap<Command, readonly string[]>();

/** Keep the arguments a program is about to parse, for the handlers that need them verbatim. */
export function rememberArgs(program: Command, argv: readonly string[]): void {
  typedArgs.set(program, argv);
}

type Handler<O, A extends unknown[]> = (ctx: CliContext, opts: O, ...args: A) => Promise<number>;

/**
 * Wrap a command handler for commander: build the context from the global options, run it, and
 * turn any failure into the mode's error output and exit code. The code lands in process.exitCode,
 * which main.ts exits with once output has drained.
 */
export function action<O = Record<string, never>, A extends unknown[] = []>(
  handler: Handler<O, A>,
  /** inherit: the parent's options too (a parent takes its own options even after a subcommand's name). */
  opts: { stdoutReserved?: boolean; inherit?: boolean } = {},
): (...raw: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const cmd = raw[raw.length - 1] as Command;
    let root = cmd;
    while (root.parent) root = root.parent;
    const ctx = createContext(cmd.optsWithGlobals<GlobalOptions>(), { stdoutReserved: opts.stdoutReserved ?? false, rawArgs: typedArgs.get(root) ?? [] });
    const local = (opts.inherit ? cmd.optsWithGlobals() : cmd.opts()) as O;
    const args = raw.slice(0, -2) as A;
    // A command aimed at a peer (`--peer <name>`) explains failures in terms of that peer.
    const peer = (local as { peer?: unknown }).peer;
    try {
      process.exitCode = await handler(ctx, local, ...args);
    } catch (err) {
      process.exitCode = ctx.out.fail(typeof peer === 'string' ? explainPeerError(err, peer) : err);
    }
  };
}
