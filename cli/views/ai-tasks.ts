import type { AiTask, AiTaskEvent, AiTaskSummary, PermissionRequest } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { clip, formatDuration, formatMs, formatTime, table } from './format.js';

/** `--peer <name>` to append to a suggested command, or nothing for this machine. */
export const onPeer = (peer: string | undefined) => (peer === undefined ? '' : ` --peer ${peer}`);

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

/**
 * What a tool call is about, in a few words: the command of a shell tool, the file of a file tool,
 * else its input as compact JSON.
 */
export function inputSummary(input: unknown, max = 120): string {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    for (const key of ['command', 'cmd', 'file_path', 'path', 'url', 'pattern', 'query']) {
      if (typeof o[key] === 'string') return clip(o[key], max);
    }
    if (Object.keys(o).length === 0) return '';
  }
  return clip(str(input), max);
}

/** `Bash ls -la`: a permission request (or tool use) in one line. */
export const toolLine = (tool: string, input: unknown) => `${tool} ${inputSummary(input)}`.trim();

/** The two commands that answer a pending request (for scripts and other terminals). */
export function decideCommands(taskId: string, permissionId: string, peer: string | undefined): { allow: string; deny: string } {
  return { allow: `ferry ai allow ${taskId} ${permissionId}${onPeer(peer)}`, deny: `ferry ai deny ${taskId} ${permissionId}${onPeer(peer)}` };
}

/** The lines that say an agent waits for a decision, and how to give it. */
export function permissionRequestLines(p: PermissionRequest, agent: string, peer: string | undefined, paint: Painter): string[] {
  const cmds = decideCommands(p.taskId, p.id, peer);
  return [
    `${paint('yellow', '?')} ${agent} asks to use ${paint('bold', toolLine(p.tool, p.input))}  ${paint('dim', `[permission ${p.id}, until ${formatTime(p.expiresAt)}]`)}`,
    `  allow: ${cmds.allow}`,
    `  deny:  ${cmds.deny} [--message <why>]`,
  ];
}

/** The question asked at a terminal. */
export const permissionQuestion = (p: PermissionRequest) => `Allow ${toolLine(p.tool, p.input)}? [y/N] `;

/** Why a request expired, by what the daemon records as its decider. */
const EXPIRED_BECAUSE: Record<string, string> = {
  timeout: 'nobody answered in time',
  'agent-gone': 'the agent stopped waiting',
  canceled: 'the task was canceled',
  'timed-out': 'the task timed out',
  interrupted: 'the daemon shut down',
  'task-ended': 'the task ended',
};

/** `allowed by local`, `expired (nobody answered in time)`. */
export function decidedHow(p: PermissionRequest): string {
  if (p.decidedBy === null) return p.status;
  if (p.status === 'expired') return `expired (${EXPIRED_BECAUSE[p.decidedBy] ?? p.decidedBy})`;
  return `${p.status} by ${p.decidedBy}`;
}

function decisionText(p: PermissionRequest): string {
  return `${decidedHow(p)}: ${toolLine(p.tool, p.input)}${p.message ? ` — ${p.message}` : ''}`;
}

/** How a finished (or ending) task ended, in words; null for a success. */
export function endNote(t: AiTaskSummary): string | null {
  switch (t.status) {
    case 'succeeded':
    case 'queued':
    case 'running':
      return null;
    case 'timed-out':
      return `the task timed out after ${formatDuration(t.timeoutMs / 1000)} and was stopped`;
    case 'canceled':
      return 'the task was canceled';
    case 'interrupted':
      return 'the daemon shut down while the task ran';
    case 'lost':
      return 'the daemon died while the task ran; its end is unknown';
    case 'failed':
      return t.error ? `${t.error.message} [${t.error.code}]` : 'the task failed';
  }
}

/** `succeeded in 2.31s · $0.0123`: the line that closes a followed task. */
export function doneLine(t: AiTaskSummary): string {
  const parts: string[] = [t.durationMs === null ? t.status : `${t.status} in ${formatMs(t.durationMs)}`];
  if (t.costUsd !== null) parts.push(`$${t.costUsd.toFixed(4)}`);
  return parts.join(' · ');
}

/**
 * A step of a task that is not the agent's text, as one line for stderr (null: nothing to show).
 * Text goes to stdout as it is; permission requests get their own lines (permissionRequestLines).
 */
export function stepLine(e: AiTaskEvent, paint: Painter): string | null {
  const d = e.data;
  switch (e.type) {
    case 'status': {
      const s = str(d.status);
      // Every task is recorded queued first; one that really waits is said so when it is dispatched.
      if (s === 'running') return paint('dim', `● running ${typeof d.agent === 'string' ? d.agent : ''}`.trimEnd());
      return null; // the end is said once, by the command, with the task's numbers
    }
    case 'tool-use':
      return paint('dim', `⚙ ${toolLine(str(d.name), d.input)}`);
    case 'tool-result': {
      const content = clip(str(d.content).trim(), 160);
      return paint('dim', `  ↳ ${d.isError === true ? 'error' : 'ok'}${content ? `: ${content}` : ''}`);
    }
    case 'permission-decision': {
      const p = d.permission as PermissionRequest | undefined;
      return p ? paint(p.status === 'allowed' ? 'dim' : 'yellow', `  ${decisionText(p)}`) : null;
    }
    case 'stderr': {
      const text = str(d.text).replace(/\n$/, '');
      return text ? paint('dim', text.split('\n').map((l) => `│ ${l}`).join('\n')) : null;
    }
    case 'notice':
      return paint('dim', `ferry: ${str(d.message)}`);
    default:
      // text is the agent's answer (stdout); a result repeats it, and a failure is said at the end.
      return null;
  }
}

/** One event of the log (`ai show --events`): seq, time, type and what it says, on one line. */
export function eventLogLine(e: AiTaskEvent, paint: Painter, width = 100): string {
  const d = e.data;
  let what: string;
  switch (e.type) {
    case 'status':
      what = [str(d.status), d.error ? `${(d.error as { message?: string }).message ?? ''}` : ''].filter(Boolean).join(': ');
      break;
    case 'text':
    case 'stderr':
      what = str(d.text);
      break;
    case 'tool-use':
      what = toolLine(str(d.name), d.input);
      break;
    case 'tool-result':
      what = `${d.isError === true ? 'error' : 'ok'}: ${str(d.content)}`;
      break;
    case 'permission-request': {
      const p = d.permission as PermissionRequest;
      what = `${p.id} ${toolLine(p.tool, p.input)}`;
      break;
    }
    case 'permission-decision': {
      const p = d.permission as PermissionRequest;
      what = `${p.id} ${decisionText(p)}`;
      break;
    }
    case 'result':
      what = `${d.isError === true ? 'error: ' : ''}${str(d.text)}`;
      break;
    case 'notice':
      what = str(d.message);
      break;
  }
  const time = formatTime(e.at).slice(11);
  return `${paint('dim', `${String(e.seq).padStart(4)}  ${time}`)}  ${e.type.padEnd(19)} ${clip(what, width)}`;
}

/** How long ago, or how long it took: `3m 4s`. */
function age(t: AiTaskSummary, now: number): string {
  return formatDuration((now - Date.parse(t.createdAt)) / 1000);
}
function took(t: AiTaskSummary, now: number): string {
  if (t.durationMs !== null) return formatMs(t.durationMs);
  if (t.startedAt !== null) return `${formatDuration((now - Date.parse(t.startedAt)) / 1000)}…`;
  return '-';
}

export function aiTasksTable(items: AiTaskSummary[], columns: number, now = Date.now()): string[] {
  const width = Math.max(20, columns - 72);
  return table([
    ['ID', 'AGENT', 'STATUS', 'ASKS', 'AGE', 'DURATION', 'TITLE'],
    ...items.map((t) => [t.id, t.agent, t.status, t.pendingPermissions > 0 ? String(t.pendingPermissions) : '-', age(t, now), took(t, now), clip(t.title, width)]),
  ]);
}

/** Piped: tab-separated, complete values, ISO times: id, agent, status, pending permissions, duration ms, createdAt, title. */
export function aiTasksPlain(items: AiTaskSummary[]): string[] {
  return items.map((t) => [t.id, t.agent, t.status, t.pendingPermissions, t.durationMs ?? '-', t.createdAt, t.title].join('\t'));
}

export function aiTaskDetails(t: AiTask, paint: Painter, peer: string | undefined): string[] {
  const rows: [string, string][] = [
    ['id', t.id],
    ['agent', t.model ? `${t.agent} (${t.model})` : t.agent],
    ['status', t.status],
    ['cwd', t.cwd],
    ['created', formatTime(t.createdAt)],
    ['started', formatTime(t.startedAt)],
    ['ended', formatTime(t.endedAt)],
    ['duration', formatMs(t.durationMs)],
    ['timeout', formatDuration(t.timeoutMs / 1000)],
    ['by', t.principal],
  ];
  if (t.exitCode !== null) rows.push(['exit', String(t.exitCode)]);
  if (t.costUsd !== null) rows.push(['cost', `$${t.costUsd.toFixed(4)}`]);
  if (t.sessionId) rows.push(['session', t.sessionId]);
  if (t.error) rows.push(['error', `${t.error.message} [${t.error.code}]`]);
  rows.push(['events', String(t.eventCount)]);
  const lines = rows.map(([k, v]) => `${paint('dim', k.padEnd(9))} ${v}`);
  lines.push('', paint('bold', '── prompt ──'), t.prompt.replace(/\n$/, ''));
  if (t.permissions.length > 0) {
    lines.push('', paint('bold', '── permissions ──'));
    for (const p of t.permissions) {
      const when = p.status === 'pending' ? `until ${formatTime(p.expiresAt)}` : formatTime(p.decidedAt);
      const how = p.status === 'pending' ? '' : paint('dim', `  (${decidedHow(p)})`);
      lines.push(`${p.id}  ${p.status.padEnd(7)}  ${paint('dim', when)}  ${toolLine(p.tool, p.input)}${p.message ? ` — ${p.message}` : ''}${how}`);
      if (p.status === 'pending') {
        const cmds = decideCommands(t.id, p.id, peer);
        lines.push(`  allow: ${cmds.allow} · deny: ${cmds.deny}`);
      }
    }
  }
  if (t.result !== null) lines.push('', paint('bold', '── result ──'), t.result.replace(/\n$/, ''));
  return lines;
}

/** Said when a dispatched task has to wait for a slot. */
export const QUEUED_NOTE = '… queued: waiting for a free slot (aiTasks.maxConcurrent)';
