import type { ReceivedMessage, SentMessage } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { clip, formatTime, table } from './format.js';

/** A message body for people: text as it is, anything else as JSON. */
function bodyText(body: unknown, indent = false): string {
  return typeof body === 'string' ? body : JSON.stringify(body, null, indent ? 2 : undefined);
}

const recipientsSummary = (m: SentMessage) => m.recipients.map((r) => `${r.peer}:${r.status}`).join(',');

export function inboxTable(items: ReceivedMessage[], columns: number): string[] {
  const width = Math.max(20, columns - 70);
  return table([
    ['ID', 'FROM', 'TYPE', 'STATUS', 'RECEIVED', 'BODY'],
    ...items.map((m) => [m.id, m.from.name, m.type, m.status, formatTime(m.receivedAt), clip(bodyText(m.body), width)]),
  ]);
}

/** Piped: one message per line, tab-separated, the body as complete JSON (no tabs or newlines). */
export function inboxPlain(items: ReceivedMessage[]): string[] {
  return items.map((m) => [m.id, m.status, m.from.name, m.type, m.receivedAt, m.thread, JSON.stringify(m.body)].join('\t'));
}

export function outboxTable(items: SentMessage[], columns: number): string[] {
  const width = Math.max(20, columns - 80);
  return table([
    ['ID', 'TYPE', 'CREATED', 'TO', 'BODY'],
    ...items.map((m) => [m.id, m.type, formatTime(m.createdAt), recipientsSummary(m), clip(bodyText(m.body), width)]),
  ]);
}

export function outboxPlain(items: SentMessage[]): string[] {
  return items.map((m) => [m.id, m.type, m.createdAt, recipientsSummary(m), m.thread, JSON.stringify(m.body)].join('\t'));
}

/** One received message in full: a header line, then its body. */
export function messageLines(m: ReceivedMessage, paint: Painter): string[] {
  const reply = m.replyTo ? ` · reply to ${m.replyTo}` : '';
  const header = `${paint('bold', m.from.name)} ${paint('dim', `· ${m.type} · ${formatTime(m.receivedAt)} · ${m.status}${reply} · [${m.id}]`)}`;
  return [header, ...bodyText(m.body, true).split('\n').map((l) => `  ${l}`)];
}

/** A sent message and where it is with each recipient. */
export function sentLines(m: SentMessage, paint: Painter): string[] {
  const lines = [
    `${paint('bold', m.id)} ${paint('dim', `· ${m.type} · sent ${formatTime(m.createdAt)} · expires ${formatTime(m.expiresAt)}${m.replyTo ? ` · reply to ${m.replyTo}` : ''}`)}`,
    `  ${clip(bodyText(m.body), 200)}`,
    '',
  ];
  const rows = m.recipients.map((r) => [
    r.peer,
    r.status,
    String(r.attempts),
    formatTime(r.deliveredAt),
    formatTime(r.acknowledgedAt),
    r.reason ?? '',
  ]);
  const [header = '', ...body] = table([['TO', 'STATUS', 'ATTEMPTS', 'DELIVERED', 'ACKNOWLEDGED', 'REASON'], ...rows]);
  return [...lines, paint('bold', header), ...body];
}

/** Piped `msg status`: one recipient per line. */
export function recipientsPlain(m: SentMessage): string[] {
  return m.recipients.map((r) => [r.peer, r.status, r.attempts, r.deliveredAt ?? '', r.acknowledgedAt ?? '', r.reason ?? ''].join('\t'));
}
