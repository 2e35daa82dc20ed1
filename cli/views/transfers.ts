import type { Transfer } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { formatBytes, formatDuration, formatMs, formatTime, table } from './format.js';

const rateText = (bytesPerSecond: number) => `${formatBytes(Math.round(bytesPerSecond))}/s`;

/** `/here/a.txt → bravo:/there/a.txt` (push) or `bravo:/there/a.txt → /here/a.txt` (pull). */
export function route(t: Transfer): string {
  const remote = (p: string) => (t.peer === null ? p : `${t.peer}:${p}`);
  // Once known, where it lands: a destination that is a directory means "inside it".
  const to = t.finalPath ?? t.destination;
  return t.direction === 'push' ? `${t.source} → ${remote(to)}` : `${remote(t.source)} → ${to}`;
}

/** Where it ended up (a destination directory means "inside it"), on the machine it is on. */
function landedAt(t: Transfer): string {
  const p = t.finalPath ?? t.destination;
  return t.direction === 'push' && t.peer !== null ? `${t.peer}:${p}` : p;
}

/** Whole percent, never 100 before the end. */
export function percent(t: Transfer): number | null {
  if (t.total === null || t.total === 0) return null;
  return t.state === 'done' ? 100 : Math.min(99, Math.floor((t.bytes / t.total) * 100));
}

function etaSeconds(t: Transfer): number | null {
  if (t.total === null || t.rate <= 0 || t.state !== 'running') return null;
  return Math.max(0, (t.total - t.bytes) / t.rate);
}

/** `████████░░░░` for a fraction in [0, 1]. */
export function bar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** `45.0 MiB / 100.0 MiB  45%  38.5 MiB/s  ETA 2s`; a directory's size is known only at its end. */
export function progressText(t: Transfer): string {
  if (t.kind === null && t.bytes === 0) return 'starting…';
  const pct = percent(t);
  const eta = etaSeconds(t);
  const parts = [t.total === null ? `${formatBytes(t.bytes)} so far` : `${formatBytes(t.bytes)} / ${formatBytes(t.total)}`];
  if (pct !== null) parts.push(`${pct}%`);
  parts.push(rateText(t.rate));
  if (eta !== null) parts.push(`ETA ${formatDuration(Math.ceil(eta))}`);
  return parts.join('  ');
}

function elapsedSeconds(t: Transfer, now = Date.now()): number {
  const end = t.endedAt ? Date.parse(t.endedAt) : now;
  return Math.max(0, (end - Date.parse(t.createdAt)) / 1000);
}

/** `100.0 MiB in 2s (48.0 MiB/s)`: what a finished transfer moved. */
export function summary(t: Transfer): string {
  const secs = elapsedSeconds(t);
  const avg = secs > 0 ? ` (${rateText(t.bytes / secs)})` : '';
  return `${formatBytes(t.bytes)} in ${took(secs)}${avg}`;
}

/** `2.14s` for a quick one, `3m 20s` for a long one. */
const took = (secs: number) => (secs < 60 ? formatMs(Math.round(secs * 1000)) : formatDuration(secs));

const verb = (t: Transfer) => (t.direction === 'push' ? 'sent' : 'fetched');

/** The line a piped `ferry send|pull` prints on stdout when it is done. */
export function doneLine(t: Transfer): string {
  return `${verb(t)} ${route(t)} (${t.bytes} bytes, sha256 ${t.sha256 ?? '-'})`;
}

const moved = (t: Transfer) => `${formatBytes(t.bytes)}${t.total !== null ? ` of ${formatBytes(t.total)}` : ''}`;

/** A line on stderr for a transfer that ended without its bytes in place. */
export function endNote(t: Transfer): string {
  if (t.state === 'canceled') return `canceled after ${moved(t)}: nothing was put at the destination`;
  return `failed after ${moved(t)} and ${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`;
}

/** All of it once done; otherwise how far it got. */
const sizeOf = (t: Transfer) => (t.total === null || t.state === 'done' ? formatBytes(t.bytes) : `${formatBytes(t.bytes)}/${formatBytes(t.total)}`);

export function transfersTable(items: Transfer[]): string[] {
  return table([['ID', 'STATE', 'SIZE', 'STARTED', 'WHAT'], ...items.map((t) => [t.id, t.state, sizeOf(t), formatTime(t.createdAt), route(t)])]);
}

/** Piped: tab-separated, complete values, ISO times. */
export function transfersPlain(items: Transfer[]): string[] {
  return items.map((t) => [t.id, t.state, t.direction, t.peer ?? '-', t.bytes, t.total ?? '-', t.createdAt, t.source, t.destination].join('\t'));
}

export function transferDetails(t: Transfer, paint: Painter): string[] {
  const rows: [string, string][] = [
    ['id', t.id],
    ['what', `${t.direction} ${route(t)}`],
    ['state', t.state],
    ['progress', t.state === 'running' ? progressText(t) : t.state === 'done' ? summary(t) : moved(t)],
  ];
  if (t.finalPath) rows.push(['path', landedAt(t)]);
  if (t.sha256) rows.push(['sha256', t.sha256]);
  rows.push(['attempts', String(t.attempts)], ['started', formatTime(t.createdAt)], ['ended', formatTime(t.endedAt)]);
  if (t.error) rows.push(['error', `${t.error.message} [${t.error.code}]`]);
  return rows.map(([k, v]) => `${paint('dim', k.padEnd(9))} ${v}`);
}
