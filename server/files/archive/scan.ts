// Walks the directory to pack before a single byte goes out: the limits and the unsupported
// entries (FIFOs, sockets, devices) are refused up front, so a route can still answer with a
// status code instead of cutting a stream short.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { ArchiveError, tooLarge, tooManyEntries, type ArchiveLimits } from './errors.js';

export interface ScanItem {
  /** Path below the packed directory, `/`-separated. */
  rel: string;
  /** `rel` as UTF-8 bytes: the sort key. */
  key: Buffer;
  kind: 'file' | 'directory' | 'symlink';
  /** Permission bits only. */
  mode: number;
  size: number;
  mtimeMs: number;
  linkname?: string;
}

/** The name as text, refused if it is not valid UTF-8: sending a different name would be worse. */
function utf8(raw: Buffer, describe: () => string): string {
  const text = raw.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(raw)) {
    const where = describe();
    throw new ArchiveError('archive-unsupported-entry', `${where} is not valid UTF-8, which the archive cannot carry`, { path: where });
  }
  return text;
}

function kindOf(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file, directory or symlink';
}

/** Every entry below `root` (a realpath), sorted by path bytes, so the same tree always packs alike. */
export async function scanTree(root: string, limits: ArchiveLimits): Promise<ScanItem[]> {
  const items: ScanItem[] = [];
  let bytes = 0;
  const dirs = [''];
  for (let relDir = dirs.pop(); relDir !== undefined; relDir = dirs.pop()) {
    const names = await fsp.readdir(path.join(root, relDir), { encoding: 'buffer' });
    for (const raw of names) {
      const name = utf8(raw, () => (relDir === '' ? raw.toString() : `${relDir}/${raw.toString()}`));
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (items.length >= limits.maxEntries) throw tooManyEntries(limits.maxEntries);
      const full = path.join(root, rel);
      const st = await fsp.lstat(full);
      const base = { rel, key: Buffer.from(rel, 'utf8'), mode: st.mode & 0o777, mtimeMs: st.mtimeMs };
      if (st.isDirectory()) {
        items.push({ ...base, kind: 'directory', size: 0 });
        dirs.push(rel);
      } else if (st.isFile()) {
        // Hard links are not tracked: each name is stored as the regular file it is.
        bytes += st.size;
        if (bytes > limits.maxBytes) throw tooLarge(limits.maxBytes);
        items.push({ ...base, kind: 'file', size: st.size });
      } else if (st.isSymbolicLink()) {
        const linkname = utf8(await fsp.readlink(full, { encoding: 'buffer' }), () => `the target of ${rel}`);
        items.push({ ...base, kind: 'symlink', size: 0, linkname });
      } else {
        throw new ArchiveError('archive-unsupported-entry', `${rel} is ${kindOf(st)}; only files, directories and symlinks can be sent`, {
          path: rel,
        });
      }
    }
  }
  return items.sort((a, b) => Buffer.compare(a.key, b.key));
}
