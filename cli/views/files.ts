import type { DirEntry } from '../../server/protocol/index.js';
import type { Painter } from '../style.js';
import { formatBytes, formatTime, table } from './format.js';

const TYPE_CHAR: Record<DirEntry['type'], string> = { file: '-', dir: 'd', symlink: 'l', other: '?' };

/** `drwxr-xr-x`, with set-uid/set-gid/sticky shown the way ls does (s, S, t, T). */
export function modeString(type: DirEntry['type'], mode: number): string {
  const rwx = (bits: number, special: boolean, on: string) => {
    const x = bits & 1 ? (special ? on : 'x') : special ? on.toUpperCase() : '-';
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${x}`;
  };
  return TYPE_CHAR[type] + rwx(mode >> 6, (mode & 0o4000) !== 0, 's') + rwx(mode >> 3, (mode & 0o2000) !== 0, 's') + rwx(mode, (mode & 0o1000) !== 0, 't');
}

/** `dir/`, `link@ -> target`, `file`: the type at a glance, as `ls -F` shows it. */
function entryName(e: DirEntry): string {
  if (e.type === 'dir') return `${e.name}/`;
  if (e.type === 'symlink') return `${e.name}@ -> ${e.target ?? '?'}`;
  return e.name;
}

const byName = (a: DirEntry, b: DirEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Terminal: aligned columns, sizes for people, directories and links in colour. */
export function entriesTable(entries: DirEntry[], long: boolean, paint: Painter): string[] {
  const sorted = [...entries].sort(byName);
  const rows = sorted.map((e) => {
    const size = e.type === 'dir' ? '-' : formatBytes(e.size);
    return long ? [modeString(e.type, e.mode), size, formatTime(e.mtime), entryName(e)] : [size, entryName(e)];
  });
  // Sizes read best right-aligned; the name column stays last so long names need no padding.
  const sizeCol = long ? 1 : 0;
  const width = Math.max(0, ...rows.map((r) => r[sizeCol]!.length));
  for (const r of rows) r[sizeCol] = r[sizeCol]!.padStart(width);
  return table(rows).map((line, i) => {
    const e = sorted[i]!;
    const name = entryName(e);
    const head = line.slice(0, line.length - name.length);
    return head + (e.type === 'dir' ? paint('blue', paint('bold', name)) : e.type === 'symlink' ? paint('cyan', name) : name);
  });
}

/** Piped: tab-separated, exact sizes, ISO times, the name (with its marker) last. */
export function entriesPlain(entries: DirEntry[], long: boolean): string[] {
  return [...entries].sort(byName).map((e) => (long ? [modeString(e.type, e.mode), e.size, e.mtime, entryName(e)] : [e.size, entryName(e)]).join('\t'));
}
