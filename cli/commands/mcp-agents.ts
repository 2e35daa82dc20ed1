import os from 'node:os';
import { Option, type Command } from 'commander';
import { AgentConfigError } from '../../mcp/agents/errors.js';
import { ferryEntry } from '../../mcp/agents/entry.js';
import { addAgent, agentStatus, removeAgent, type AgentStatus, type ChangeResult, type RegisterContext } from '../../mcp/agents/register.js';
import { AGENT_IDS, AGENTS, type AgentId } from '../../mcp/agents/specs.js';
import { action, type CliContext } from '../command.js';
import { CliError, EXIT } from '../errors.js';

interface AgentOptions {
  agent?: AgentId;
}

const agentOption = () =>
  new Option('--agent <agent>', 'only this agent (default: every one found on this machine)').choices([...AGENT_IDS]);

/** `ferry mcp add | remove | status`: the stdio server in Claude Code, Gemini CLI and Codex CLI. */
export function registerMcpAgents(mcp: Command): void {
  mcp
    .command('add')
    .description("register this installation's MCP server with the agents (their own `mcp add` when installed, else their config file)")
    .addOption(agentOption())
    .action(action((ctx: CliContext, opts: AgentOptions) => change(ctx, opts, 'add')));
  mcp
    .command('remove')
    .description('take the ferry MCP server out of the agents')
    .addOption(agentOption())
    .action(action((ctx: CliContext, opts: AgentOptions) => change(ctx, opts, 'remove')));
  mcp
    .command('status')
    .description('what each agent has registered, and whether it starts this installation')
    .addOption(agentOption())
    .action(action(status));
}

function registerContext(ctx: CliContext): RegisterContext {
  return { homedir: os.homedir(), env: process.env, expected: ferryEntry({ home: ctx.home }) };
}

const tilde = (p: string) => {
  const home = os.homedir();
  return home && (p === home || p.startsWith(`${home}/`)) ? `~${p.slice(home.length)}` : p;
};

type Outcome = ChangeResult | { agent: AgentId; name: string; error: { code: string; message: string; hint?: string } };

async function change(ctx: CliContext, opts: AgentOptions, verb: 'add' | 'remove'): Promise<number> {
  const rc = registerContext(ctx);
  const targets = opts.agent ? [opts.agent] : AGENT_IDS.filter((id) => agentStatus(id, rc).installed);
  if (targets.length === 0) {
    throw new CliError('no-agents-found', 'none of Claude Code, Gemini CLI or Codex CLI was found here (no `claude`, `gemini` or `codex` on PATH, no config of theirs)', {
      hint: `${verb} one anyway with \`ferry mcp ${verb} --agent claude|gemini|codex\``,
    });
  }
  const outcomes: Outcome[] = [];
  for (const id of targets) {
    try {
      outcomes.push(verb === 'add' ? addAgent(id, rc) : removeAgent(id, rc));
    } catch (err) {
      if (!(err instanceof AgentConfigError)) throw err;
      // One agent asked for: its failure is the command's failure, printed as such.
      if (opts.agent) throw new CliError(err.code, err.message, err.hint ? { hint: err.hint } : {});
      outcomes.push({ agent: id, name: AGENTS[id].name, error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
    }
  }
  const failed = outcomes.some((o) => 'error' in o);
  if (ctx.json) {
    ctx.out.data({ entry: rc.expected, results: outcomes });
    return failed ? EXIT.failed : EXIT.ok;
  }
  const p = ctx.out.paint;
  for (const o of outcomes) {
    if ('error' in o) {
      ctx.out.line(`${o.name}: ${p('red', 'failed')}: ${o.error.message} ${p('gray', `[${o.error.code}]`)}`);
      if (o.error.hint) ctx.out.line(`  hint: ${o.error.hint}`);
      continue;
    }
    const how = o.via === 'cli' ? `with \`${AGENTS[o.agent].bin} mcp ${verb}\`` : `in ${tilde(o.file)}`;
    const words: Record<ChangeResult['action'], string> = {
      added: p('green', `added ${how}`),
      updated: p('green', `updated ${how}`),
      removed: p('green', `removed ${how}`),
      unchanged: `already registered in ${tilde(o.file)}`,
      absent: `not registered in ${tilde(o.file)}`,
    };
    ctx.out.line(`${o.name}: ${words[o.action]}${o.backup ? p('gray', ` (previous file kept as ${tilde(o.backup)})`) : ''}`);
  }
  if (verb === 'add' && outcomes.some((o) => 'action' in o && (o.action === 'added' || o.action === 'updated'))) {
    ctx.out.note(p('dim', `restart the agent to load it; it starts: ${[rc.expected.command, ...rc.expected.args].join(' ')}`));
  }
  return failed ? EXIT.failed : EXIT.ok;
}

async function status(ctx: CliContext, opts: AgentOptions): Promise<number> {
  const rc = registerContext(ctx);
  const agents: AgentStatus[] = (opts.agent ? [opts.agent] : [...AGENT_IDS]).map((id) => agentStatus(id, rc));
  if (ctx.json) {
    ctx.out.data({ entry: rc.expected, agents });
    return EXIT.ok;
  }
  const p = ctx.out.paint;
  const width = Math.max(...agents.map((a) => a.name.length));
  for (const a of agents) {
    const state = a.error
      ? p('red', `config unreadable: ${a.error.message}`)
      : a.current
        ? p('green', 'registered, starts this installation')
        : a.registered
          ? p('yellow', `registered, but ${a.reason ?? 'it differs'}`)
          : a.installed
            ? 'not registered'
            : p('gray', 'not registered (not installed here)');
    ctx.out.line(`${a.name.padEnd(width)}  ${state}  ${p('gray', tilde(a.file))}`);
  }
  if (agents.some((a) => !a.current && !a.error && (a.installed || a.registered))) ctx.out.note(p('dim', '`ferry mcp add` registers (or re-points) it'));
  return EXIT.ok;
}
