import type { Painter, StyleName } from '../style.js';

const LEVEL_STYLE: Record<string, StyleName> = { debug: 'gray', info: 'green', warn: 'yellow', error: 'red' };
const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * One daemon log record (a JSON line: time, level, msg, fields) as a line for people:
 * `11:04:05.120 INFO  listening url=http://127.0.0.1:7717`. Lines that are not JSON pass as they are.
 */
export function prettyLogLine(line: string, paint: Painter): string {
  let rec: Record<string, unknown>;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    rec = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, err, ...fields } = rec;
  const levelText = String(level ?? '').toLowerCase();
  const parts = [
    paint('dim', formatClock(time)),
    paint(LEVEL_STYLE[levelText] ?? 'bold', levelText.toUpperCase().padEnd(5)),
    String(msg ?? ''),
    ...Object.entries(fields).map(([k, v]) => paint('dim', `${k}=`) + formatValue(v)),
  ];
  let out = parts.join(' ');
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown; stack?: unknown };
    out += ` ${paint('dim', 'err=')}${formatValue(e.message)}${e.code ? ` [${String(e.code)}]` : ''}`;
    if (typeof e.stack === 'string') out += `\n${paint('dim', e.stack.split('\n').slice(1).join('\n'))}`;
  } else if (err !== undefined) {
    out += ` ${paint('dim', 'err=')}${formatValue(err)}`;
  }
  return out;
}

function formatClock(time: unknown): string {
  const d = new Date(typeof time === 'string' || typeof time === 'number' ? time : NaN);
  if (Number.isNaN(d.getTime())) return String(time ?? '');
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}
