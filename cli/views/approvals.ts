import type { Approval } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { clip, formatTime, table } from './format.js';

/** The commands that answer a pending request. */
export function approvalHint(a: Approval): string {
  const remember = a.programs.length > 0 ? ` (add --remember to allow ${a.programs.join(', ')} from now on)` : '';
  return `approve: ferry approve ${a.id}${remember} · deny: ferry deny ${a.id}`;
}

const when = (a: Approval) => (a.status === 'pending' ? `until ${formatTime(a.expiresAt)}` : formatTime(a.decidedAt ?? a.expiresAt));

export function approvalsTable(items: Approval[], columns: number): string[] {
  const width = Math.max(20, columns - 60);
  return table([['ID', 'PEER', 'STATUS', 'WHEN', 'REQUEST'], ...items.map((a) => [a.id, a.peer.name, a.status, when(a), clip(a.summary, width)])]);
}

/** Piped: tab-separated, ISO times, the whole request. */
export function approvalsPlain(items: Approval[]): string[] {
  return items.map((a) => [a.id, a.peer.name, a.status, a.createdAt, a.expiresAt, a.summary].join('\t'));
}

/** `--watch`: a request with the commands that answer it, or a decision. */
export function approvalLines(type: 'approval.requested' | 'approval.decided', a: Approval, paint: Painter): string[] {
  const at = formatTime(type === 'approval.requested' ? a.createdAt : (a.decidedAt ?? a.expiresAt));
  if (type === 'approval.decided') return [`${paint('dim', at)}  ${a.id} ${a.status}${a.remember ? ' (remembered)' : ''}`];
  return [`${paint('dim', at)}  ${paint('bold', a.peer.name)} asks: ${a.summary}  ${paint('dim', `[${a.id}]`)}`, `  ${approvalHint(a)}`];
}
