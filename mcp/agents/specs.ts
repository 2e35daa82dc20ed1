import path from 'node:path';
import { jsonConfig } from './json-config.js';
import { tomlConfig, type StdioEntry } from './toml-config.js';

export const AGENT_IDS = ['claude', 'gemini', 'codex'] as const;
export type AgentId = (typeof AGENT_IDS)[number];

/** Where an agent keeps things, from the user's home dir and environment (tests point both elsewhere). */
export interface AgentEnv {
  homedir: string;
  env: NodeJS.ProcessEnv;
}

/** One agent's config file, in its own format, reduced to the three things ferry does with it. */
export interface AgentConfig {
  entry(): unknown;
  withEntry(entry: StdioEntry): string;
  withoutEntry(): string;
}

export interface AgentSpec {
  id: AgentId;
  name: string;
  /** The agent's own CLI, used when it is on PATH. */
  bin: string;
  /** The user-level config file the server is registered in. */
  file(e: AgentEnv): string;
  /** Paths whose existence says the agent is used on this machine. */
  traces(e: AgentEnv): string[];
  open(text: string, file: string): AgentConfig;
  cliAdd(entry: StdioEntry): string[];
  cliRemove(): string[];
}

export const SERVER_NAME = 'ferry';

/** Keys of another transport that would contradict a stdio entry. */
const FOREIGN = ['url', 'httpUrl', 'headers', 'transport'];

function merged(existing: unknown, entry: StdioEntry, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? { ...(existing as Record<string, unknown>) } : {};
  for (const k of FOREIGN) delete base[k];
  // Other keys the user set on our entry (env, timeout, trust…) stay.
  return { ...base, ...extra, command: entry.command, args: entry.args };
}

function jsonAgent(file: string, text: string, comments: boolean, extra: Record<string, unknown>): AgentConfig {
  const cfg = jsonConfig(text, { file, name: SERVER_NAME, comments });
  return { entry: () => cfg.entry(), withEntry: (e) => cfg.withEntry(merged(cfg.entry(), e, extra)), withoutEntry: () => cfg.withoutEntry() };
}

export const AGENTS: Record<AgentId, AgentSpec> = {
  claude: {
    id: 'claude',
    name: 'Claude Code',
    bin: 'claude',
    // User scope: the top-level mcpServers of ~/.claude.json (in CLAUDE_CONFIG_DIR when that is set).
    file: ({ homedir, env }) => path.join(env.CLAUDE_CONFIG_DIR || homedir, '.claude.json'),
    traces: ({ homedir, env }) => [path.join(env.CLAUDE_CONFIG_DIR || homedir, '.claude.json'), path.join(homedir, '.claude')],
    open: (text, file) => jsonAgent(file, text, false, { type: 'stdio' }),
    cliAdd: (e) => ['mcp', 'add', '--scope', 'user', SERVER_NAME, '--', e.command, ...e.args],
    cliRemove: () => ['mcp', 'remove', '--scope', 'user', SERVER_NAME],
  },
  gemini: {
    id: 'gemini',
    name: 'Gemini CLI',
    bin: 'gemini',
    file: ({ homedir }) => path.join(homedir, '.gemini', 'settings.json'),
    traces: ({ homedir }) => [path.join(homedir, '.gemini')],
    // Gemini CLI reads its settings with comments allowed.
    open: (text, file) => jsonAgent(file, text, true, {}),
    // `--` keeps our `--home` from being read as an option of `gemini mcp add`.
    cliAdd: (e) => ['mcp', 'add', '--scope', 'user', SERVER_NAME, e.command, '--', ...e.args],
    cliRemove: () => ['mcp', 'remove', '--scope', 'user', SERVER_NAME],
  },
  codex: {
    id: 'codex',
    name: 'Codex CLI',
    bin: 'codex',
    file: ({ homedir, env }) => path.join(env.CODEX_HOME || path.join(homedir, '.codex'), 'config.toml'),
    traces: ({ homedir, env }) => [env.CODEX_HOME || path.join(homedir, '.codex')],
    open: (text, file) => tomlConfig(text, { file, name: SERVER_NAME }),
    cliAdd: (e) => ['mcp', 'add', SERVER_NAME, '--', e.command, ...e.args],
    cliRemove: () => ['mcp', 'remove', SERVER_NAME],
  },
};
