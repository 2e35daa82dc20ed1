import { z } from 'zod';
import type { ReceivedMessage, SentMessage } from '../../server/protocol/index.js';
import { clip } from './format.js';

/** A message's text in a tool result; structuredContent has the whole body. */
const BODY_TEXT_LIMIT = 2000;

/** A message id as the daemon gives it (ferry_send_message, ferry_check_inbox, ferry_wait_for_message). */
export const MessageId = z.string().min(1).max(64);

function bodyText(body: unknown, where: string): string {
  return clip(typeof body === 'string' ? body : JSON.stringify(body, null, 2), BODY_TEXT_LIMIT, where);
}

function receivedText(m: ReceivedMessage, i: number, field: string): string {
  const reply = m.replyTo ? `, reply to ${m.replyTo}` : '';
  const thread = m.thread !== m.id ? `, thread ${m.thread}` : '';
  const status = m.status === 'unread' ? '' : ` [${m.status}]`;
  return `--- message ${m.id} (seq ${m.seq}) from ${m.from.name}: ${m.type}${reply}${thread}, sent ${m.createdAt}${status}\n${bodyText(m.body, `${field}[${i}].body`)}`;
}

export function receivedListText(items: ReceivedMessage[], field = 'structuredContent.items'): string {
  return items.map((m, i) => receivedText(m, i, field)).join('\n');
}

export function recipientsText(m: SentMessage): string {
  return m.recipients
    .map((r) => {
      const when = r.acknowledgedAt ? ` at ${r.acknowledgedAt}` : r.deliveredAt ? ` at ${r.deliveredAt}` : '';
      const reason = r.reason && r.status !== 'delivered' && r.status !== 'acknowledged' ? ` (${r.reason})` : '';
      const tries = r.status === 'queued' && r.attempts > 0 ? `, ${r.attempts} attempts so far` : '';
      return `- ${r.peer}: ${r.status}${when}${tries}${reason}`;
    })
    .join('\n');
}
