import type { AgentName, AiTaskEventType } from '../protocol/index.js';

/** What one line of an agent's structured output means, normalised across agents. */
export type AgentItem =
  | { kind: 'event'; type: AiTaskEventType; data: Record<string, unknown>; /** A piece of a longer text: joined with its neighbours. */ delta?: boolean }
  | { kind: 'session'; sessionId: string; model?: string }
  | { kind: 'result'; text: string; isError: boolean; costUsd: number | null; turns: number | null };

export interface AgentInvocation {
  args: string[];
  env: Record<string, string>;
}

/** The name Ferry's permission server has in the agent's MCP config, and its one tool. */
export const PERMISSION_SERVER = 'ferrytask';
export const PERMISSION_TOOL = 'approve';

export interface AgentAdapter {
  name: AgentName;
  /** Can Ferry answer this agent's tool permission requests (and so surface them to a person)? */
  permissionPrompts: boolean;
  /** The command line (no prompt in it: the prompt goes on stdin) and extra environment. */
  invocation(opts: { model: string | null; mcpConfigPath: string | null; permissionTimeoutMs: number }): AgentInvocation;
  /** One line of standard output → what it means (nothing for lines of no interest). */
  parse(line: string, state: ParseState): AgentItem[];
}

/** Per task: what an adapter remembers between lines. */
export interface ParseState {
  /** Text of the agent's messages so far (for agents whose final event carries no answer). */
  lastText: string;
}

const MAX_FIELD = 16 * 1024;
/** Long tool output is shortened in the event log: the agent has it, the log only shows it. */
export function clip(s: string, max = MAX_FIELD): string {
  return s.length > max ? `${s.slice(0, max)}… [${s.length - max} more characters]` : s;
}
/** A tool input or other structure, kept whole unless it is huge (then as clipped JSON text). */
function clipJson(v: unknown): unknown {
  const s = JSON.stringify(v ?? null);
  return s.length > MAX_FIELD ? { clipped: clip(s) } : v;
}
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function parseJsonLine(line: string): Record<string, unknown> | null {
  const t = line.trim();
  if (!t.startsWith('{')) return null;
  try {
    return obj(JSON.parse(t));
  } catch {
    return null;
  }
}

/** A line that is not the agent's JSON (a warning it printed): kept, as a notice. */
const plain = (line: string): AgentItem[] => (line.trim() ? [{ kind: 'event', type: 'notice', data: { message: clip(line.trim(), 4096) } }] : []);

/**
 * Claude Code, print mode with `--output-format stream-json`: system/init, assistant messages
 * (text and tool_use blocks), user messages (tool_result blocks), and a final result. Tool
 * permissions go to Ferry's MCP permission server (`--permission-prompt-tool`).
 */
const claude: AgentAdapter = {
  name: 'claude',
  permissionPrompts: true,
  invocation({ model, mcpConfigPath, permissionTimeoutMs }) {
    const args = ['-p', '--output-format', 'stream-json', '--verbose'];
    if (model) args.push('--model', model);
    if (mcpConfigPath) args.push('--mcp-config', mcpConfigPath, '--permission-prompt-tool', `mcp__${PERMISSION_SERVER}__${PERMISSION_TOOL}`);
    // A permission request waits for a person: Claude Code must not give up on the tool call first.
    return { args, env: { MCP_TOOL_TIMEOUT: String(permissionTimeoutMs + 30_000) } };
  },
  parse(line, state) {
    const m = parseJsonLine(line);
    if (!m) return plain(line);
    const out: AgentItem[] = [];
    switch (m.type) {
      case 'system':
        if (m.subtype === 'init' && typeof m.session_id === 'string') out.push({ kind: 'session', sessionId: m.session_id, ...(typeof m.model === 'string' ? { model: m.model } : {}) });
        break;
      case 'assistant':
      case 'user': {
        const content = obj(m.message).content;
        for (const block of Array.isArray(content) ? content : []) {
          const b = obj(block);
          if (b.type === 'text' && typeof b.text === 'string' && m.type === 'assistant') {
            state.lastText = b.text;
            out.push({ kind: 'event', type: 'text', data: { text: clip(b.text) } });
          } else if (b.type === 'tool_use') {
            out.push({ kind: 'event', type: 'tool-use', data: { id: str(b.id), name: str(b.name), input: clipJson(b.input) } });
          } else if (b.type === 'tool_result') {
            const c = Array.isArray(b.content) ? b.content.map((x) => str(obj(x).text ?? x)).join('\n') : str(b.content);
            out.push({ kind: 'event', type: 'tool-result', data: { toolUseId: str(b.tool_use_id), isError: b.is_error === true, content: clip(c, 4096) } });
          }
        }
        break;
      }
      case 'result':
        out.push({
          kind: 'result',
          text: typeof m.result === 'string' ? m.result : state.lastText,
          isError: m.is_error === true || (typeof m.subtype === 'string' && m.subtype !== 'success'),
          costUsd: num(m.total_cost_usd),
          turns: num(m.num_turns),
        });
        if (typeof m.session_id === 'string') out.push({ kind: 'session', sessionId: m.session_id });
        break;
      default:
        break;
    }
    return out;
  },
};

/**
 * Gemini CLI with `--output-format stream-json`: init, message (assistant text arrives in deltas),
 * tool_use, tool_result, error, result. Non-interactive Gemini does not ask for tool permissions:
 * tools its own settings do not allow are refused, and the event log shows it.
 */
const gemini: AgentAdapter = {
  name: 'gemini',
  permissionPrompts: false,
  invocation({ model }) {
    const args = ['--output-format', 'stream-json'];
    if (model) args.push('--model', model);
    return { args, env: {} };
  },
  parse(line, state) {
    const m = parseJsonLine(line);
    if (!m) return plain(line);
    switch (m.type) {
      case 'init':
        return typeof m.session_id === 'string' ? [{ kind: 'session', sessionId: m.session_id, ...(typeof m.model === 'string' ? { model: m.model } : {}) }] : [];
      case 'message':
        if (m.role !== 'assistant' || typeof m.content !== 'string') return [];
        state.lastText = m.delta === true ? state.lastText + m.content : m.content;
        return [{ kind: 'event', type: 'text', data: { text: clip(m.content) }, delta: m.delta === true }];
      case 'tool_use':
        return [{ kind: 'event', type: 'tool-use', data: { id: str(m.tool_id), name: str(m.tool_name), input: clipJson(m.parameters) } }];
      case 'tool_result':
        return [{ kind: 'event', type: 'tool-result', data: { toolUseId: str(m.tool_id), isError: m.status === 'error', content: clip(str(m.output ?? obj(m.error).message), 4096) } }];
      case 'error':
        return [{ kind: 'event', type: 'notice', data: { message: clip(str(m.message), 4096), severity: str(m.severity) || 'error' } }];
      case 'result': {
        const stats = obj(m.stats);
        return [{ kind: 'result', text: state.lastText, isError: m.status !== 'success', costUsd: null, turns: num(stats.turns) ?? num(stats.tool_calls) }];
      }
      default:
        return [];
    }
  },
};

/**
 * Codex CLI, `codex exec --json -` (the prompt from stdin): thread.started, item.* (agent
 * messages, commands it ran, file changes), turn.completed / turn.failed. `codex exec` runs in its
 * own sandbox and does not ask for approvals; it keeps its defaults (read-only unless configured).
 */
const codex: AgentAdapter = {
  name: 'codex',
  permissionPrompts: false,
  invocation({ model }) {
    const args = ['exec', '--json'];
    if (model) args.push('--model', model);
    args.push('-');
    return { args, env: {} };
  },
  parse(line, state) {
    const m = parseJsonLine(line);
    if (!m) return plain(line);
    switch (m.type) {
      case 'thread.started':
        return typeof m.thread_id === 'string' ? [{ kind: 'session', sessionId: m.thread_id }] : [];
      case 'item.started':
      case 'item.completed': {
        const item = obj(m.item);
        const done = m.type === 'item.completed';
        switch (item.type) {
          case 'agent_message':
            if (!done) return [];
            state.lastText = str(item.text);
            return [{ kind: 'event', type: 'text', data: { text: clip(str(item.text)) } }];
          case 'command_execution':
            return done
              ? [{ kind: 'event', type: 'tool-result', data: { toolUseId: str(item.id), isError: item.status === 'failed' || (num(item.exit_code) ?? 0) !== 0, content: clip(str(item.aggregated_output), 4096) } }]
              : [{ kind: 'event', type: 'tool-use', data: { id: str(item.id), name: 'command', input: { command: str(item.command) } } }];
          case 'file_change':
            return done ? [{ kind: 'event', type: 'tool-use', data: { id: str(item.id), name: 'file_change', input: clipJson(item.changes) } }] : [];
          case 'mcp_tool_call':
            return done ? [{ kind: 'event', type: 'tool-use', data: { id: str(item.id), name: `${str(item.server)}.${str(item.tool)}`, input: clipJson(item.arguments) } }] : [];
          case 'error':
            return [{ kind: 'event', type: 'notice', data: { message: clip(str(item.message), 4096), severity: 'error' } }];
          default:
            return [];
        }
      }
      case 'turn.completed':
        return [{ kind: 'result', text: state.lastText, isError: false, costUsd: null, turns: null }];
      case 'turn.failed':
        return [{ kind: 'result', text: str(obj(m.error).message) || state.lastText, isError: true, costUsd: null, turns: null }];
      case 'error':
        return [{ kind: 'event', type: 'notice', data: { message: clip(str(m.message), 4096), severity: 'error' } }];
      default:
        return [];
    }
  },
};

export const ADAPTERS: Record<AgentName, AgentAdapter> = { claude, gemini, codex };
