import type { DirEntry, DirListing, Transfer } from '../../server/protocol/index.js';

/** A listing's text shows this many entries; structuredContent has them all (the daemon caps at 10,000). */
export const TEXT_ENTRIES = 200;

export function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** "laptop:/srv/x" for a peer's path, the path alone for this machine's. */
function spot(peer: string | null, p: string): string {
  return peer === null ? p : `${peer}:${p}`;
}

/** Where from and where to, as the user would write it: push `here → peer:there`, pull `peer:there → here`. */
export function route(t: Transfer): string {
  const to = t.finalPath ?? t.destination;
  return t.direction === 'push' ? `${t.source} → ${spot(t.peer, to)}` : `${spot(t.peer, t.source)} → ${to}`;
}

export function progressLine(t: Transfer): string {
  const of = t.total !== null ? ` of ${size(t.total)}` : '';
  const rate = t.rate > 0 ? ` at ${size(t.rate)}/s` : '';
  const retry = t.attempts > 1 ? ` (attempt ${t.attempts})` : '';
  return `${size(t.bytes)}${of}${rate}${retry}`;
}

export function transferText(t: Transfer): string {
  const what = t.kind === 'archive' ? `a directory (${size(t.bytes)} as tar)` : `${size(t.bytes)}`;
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
