import { formatBytes } from '../../cli/views/format.js';
import { route } from '../../cli/views/transfers.js';
import type { DirEntry, DirListing, Transfer } from '../../server/protocol/index.js';

/** A listing's text shows this many entries; structuredContent has them all (the daemon caps at 10,000). */
const TEXT_ENTRIES = 200;

export function progressLine(t: Transfer): string {
  const of = t.total !== null ? ` of ${formatBytes(t.total)}` : '';
  const rate = t.rate > 0 ? ` at ${formatBytes(t.rate)}/s` : '';
  const retry = t.attempts > 1 ? ` (attempt ${t.attempts})` : '';
  return `${formatBytes(t.bytes)}${of}${rate}${retry}`;
}

export function transferText(t: Transfer): string {
  const what = t.kind === 'archive' ? `a directory (${formatBytes(t.bytes)} as tar)` : formatBytes(t.bytes);
  const took = t.endedAt ? ` in ${((Date.parse(t.endedAt) - Date.parse(t.createdAt)) / 1000).toFixed(1)} s` : '';
  const retries = t.attempts > 1 ? ` after ${t.attempts} attempts` : '';
  return `Transfer ${t.id} done: ${route(t)}, ${what}${took}${retries}. SHA-256 ${t.sha256 ?? '(none)'}, verified by the receiver.`;
}

function entryLine(e: DirEntry): string {
  const type = e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : e.type === 'file' ? '-' : '?';
  const name = e.type === 'dir' ? `${e.name}/` : e.type === 'symlink' ? `${e.name} -> ${e.target ?? '?'}` : e.name;
  return `${type} ${(e.mode & 0o7777).toString(8).padStart(4, '0')} ${String(e.size).padStart(12)} ${e.mtime} ${name}`;
}

export function listingText(l: DirListing, where: string): string {
  const head = `${l.path}${where}: ${l.entries.length} entries${l.truncated ? ' (the daemon listed only the first ones: the directory has more)' : ''}`;
  const lines = l.entries.slice(0, TEXT_ENTRIES).map(entryLine);
  const more = l.entries.length > TEXT_ENTRIES ? [`[… ${l.entries.length - TEXT_ENTRIES} more in structuredContent.entries …]`] : [];
  return [head, ...lines, ...more].join('\n');
}
