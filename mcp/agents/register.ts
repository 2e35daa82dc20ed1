import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readConfig, writeConfigAtomic, BACKUP_SUFFIX } from './atomic.js';
import { compareEntry, type StdioEntry } from './entry.js';
import { AgentConfigError } from './errors.js';
import { AGENTS, type AgentConfig, type AgentEnv, type AgentId, type AgentSpec } from './specs.js';
import { ConfigSyntaxError } from './syntax-error.js';

export interface RegisterContext extends AgentEnv {
  /** What the agents should start (ferryEntry()). */
  expected: StdioEntry;
}

export interface AgentStatus {
  agent: AgentId;
  name: string;
  file: string;
  /** The agent's own CLI on PATH, or null. */
  cli: string | null;
  /** Its CLI is on PATH or its config exists. */
  installed: boolean;
  registered: boolean;
  /** Registered, and it starts this installation with this data dir. */
  current: boolean;
  entry: { command: string; args: string[] } | null;
  reason?: string;
  error?: { code: string; message: string };
}

export interface ChangeResult {
  agent: AgentId;
  name: string;
  action: 'added' | 'updated' | 'unchanged' | 'removed' | 'absent';
  via: 'cli' | 'file';
  file: string;
  /** The previous file, kept when ferry wrote it itself. */
  backup: string | null;
}

/** Find a program on PATH the way a shell would (executable files only). */
export function onPath(bin: string, env: NodeJS.ProcessEnv): string | null {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, bin + ext);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Read and parse an agent's config ('' for a file that does not exist yet). Malformed: a clear error, nothing written. */
function load(spec: AgentSpec, file: string): { text: string | null; cfg: AgentConfig } {
  const text = readConfig(file);
  try {
    return { text, cfg: spec.open(text ?? '', file) };
  } catch (err) {
    if (err instanceof ConfigSyntaxError) {
      throw new AgentConfigError(
        'agent-config-invalid',
        `${file}:${err.line}:${err.column}: ${err.message}`,
        `fix that line (the agent cannot read the file either), then run the command again; ferry did not change the file`,
      );
    }
    throw err;
  }
}

function entryView(e: unknown): AgentStatus['entry'] {
  const x = e as { command?: unknown; args?: unknown } | undefined;
  if (!x || typeof x !== 'object') return null;
  return { command: typeof x.command === 'string' ? x.command : '', args: Array.isArray(x.args) ? x.args.map(String) : [] };
}

export function agentStatus(id: AgentId, ctx: RegisterContext): AgentStatus {
  const spec = AGENTS[id];
  const file = spec.file(ctx);
  const cli = onPath(spec.bin, ctx.env);
  const base = { agent: id, name: spec.name, file, cli, installed: cli !== null || spec.traces(ctx).some((p) => fs.existsSync(p)) };
  try {
    const found = load(spec, file).cfg.entry();
    if (found === undefined) return { ...base, registered: false, current: false, entry: null };
    const cmp = compareEntry(found, ctx.expected);
    return { ...base, registered: true, current: cmp.current, entry: entryView(found), ...(cmp.reason ? { reason: cmp.reason } : {}) };
  } catch (err) {
    if (!(err instanceof AgentConfigError)) throw err;
    return { ...base, registered: false, current: false, entry: null, error: { code: err.code, message: err.message } };
  }
}

function runCli(cli: string, args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cli, args, { env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    const said = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-3).join(' / ');
    throw new AgentConfigError(
      'agent-cli-failed',
      `\`${path.basename(cli)} ${args.join(' ')}\` failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`})${said ? `: ${said}` : ''}`,
      'run that command yourself to see why, or register by hand (docs/mcp.md)',
    );
  }
}

/** Register (or re-point) the ferry server with one agent. */
export function addAgent(id: AgentId, ctx: RegisterContext): ChangeResult {
  const spec = AGENTS[id];
  const file = spec.file(ctx);
  const cli = onPath(spec.bin, ctx.env);
  const { text, cfg } = load(spec, file);
  const found = cfg.entry();
  const result = { agent: id, name: spec.name, file, via: cli ? ('cli' as const) : ('file' as const), backup: null as string | null };
  if (found !== undefined && compareEntry(found, ctx.expected).current) return { ...result, action: 'unchanged' };
  const action = found === undefined ? ('added' as const) : ('updated' as const);
  if (cli) {
    // The agents' `mcp add` refuses (claude) or half-merges an existing name: remove it first.
    if (found !== undefined) runCli(cli, spec.cliRemove(), ctx.env);
    runCli(cli, spec.cliAdd(ctx.expected), ctx.env);
    const after = load(spec, file).cfg.entry();
    if (after === undefined || !compareEntry(after, ctx.expected).current) {
      throw new AgentConfigError('agent-cli-failed', `\`${spec.bin} mcp add\` succeeded, but ${file} does not show the new entry`, 'check `ferry mcp status`; the agent may keep its settings elsewhere');
    }
    return { ...result, action };
  }
  const next = cfg.withEntry(ctx.expected);
  // Never write what would not read back as intended.
  const check = spec.open(next, file).entry();
  if (check === undefined || !compareEntry(check, ctx.expected).current) throw new Error(`internal error: the edited ${file} does not read back as registered`);
  const { backup } = writeConfigAtomic(file, next, text);
  return { ...result, action, backup };
}

/** Take the ferry server out of one agent's config. */
export function removeAgent(id: AgentId, ctx: RegisterContext): ChangeResult {
  const spec = AGENTS[id];
  const file = spec.file(ctx);
  const cli = onPath(spec.bin, ctx.env);
  const { text, cfg } = load(spec, file);
  const result = { agent: id, name: spec.name, file, via: cli ? ('cli' as const) : ('file' as const), backup: null as string | null };
  if (text === null || cfg.entry() === undefined) return { ...result, action: 'absent' };
  if (cli) {
    runCli(cli, spec.cliRemove(), ctx.env);
    if (load(spec, file).cfg.entry() !== undefined) {
      throw new AgentConfigError('agent-cli-failed', `\`${spec.bin} mcp remove\` succeeded, but ${file} still has the ferry entry`, 'remove it by hand');
    }
    return { ...result, action: 'removed' };
  }
  const next = cfg.withoutEntry();
  if (spec.open(next, file).entry() !== undefined) throw new Error(`internal error: the edited ${file} still has the entry`);
  const { backup } = writeConfigAtomic(file, next, text);
  return { ...result, action: 'removed', backup };
}

export { BACKUP_SUFFIX };
