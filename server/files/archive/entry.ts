// What the extractor makes of one tar header before it touches the disk: a safe list of path
// components, a kind it can represent, a mode and an mtime.

import type { Header } from 'tar-stream';
import { ArchiveError } from './errors.js';

/** tar-stream's header as it really arrives: pax records as strings, and where the data starts. */
export type RawHeader = Omit<Header, 'pax'> & { pax?: Record<string, string> | null; byteOffset?: number };

export interface EntryPlan {
  /** Path components below the destination; empty for the destination itself (`./`). */
  parts: string[];
  kind: 'file' | 'directory' | 'symlink';
  size: number;
  mode: number;
  /** Seconds since the epoch, or undefined when the header has none usable. */
  mtime: number | undefined;
  linkname: string;
}

const MAX_NAME_BYTES = 4096;

const unsafe = (name: string, why: string): ArchiveError =>
  new ArchiveError('archive-unsafe-path', `the archive entry ${JSON.stringify(name)} ${why}`, { path: name });

const unsupported = (name: string, why: string): ArchiveError =>
  new ArchiveError('archive-unsupported-entry', `the archive entry ${JSON.stringify(name)} ${why}`, { path: name });

/** Splits an entry name into components, refusing anything that could land outside the destination. */
export function entryParts(name: string): string[] {
  if (name === '') throw unsafe(name, 'has an empty name');
  if (name.includes('\0')) throw unsafe(name, 'has a NUL byte in its name');
  if (name.startsWith('/')) throw unsafe(name, 'has an absolute path');
  // On Windows `\` separates and `C:` roots a path; a tar from elsewhere must not smuggle either.
  if (process.platform === 'win32' && /[\\:]/.test(name)) throw unsafe(name, 'has a Windows path separator or drive');
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw unsupported(name.slice(0, 64), `has a name longer than ${MAX_NAME_BYTES} bytes`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(name, 'has a .. component');
  return parts;
}

function kindOf(header: RawHeader): EntryPlan['kind'] {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      throw unsupported(header.name, `is a hard link (to ${JSON.stringify(header.linkname ?? '')}); hard links are not extracted`);
    case 'character-device':
    case 'block-device':
    case 'fifo':
      throw unsupported(header.name, `is a ${header.type}; only files, directories and symlinks are extracted`);
    default:
      throw unsupported(header.name, `has a tar entry type this extractor does not know (${String(header.type)})`);
  }
}

function checkPax(header: RawHeader): void {
  const pax = header.pax ?? {};
  for (const key of Object.keys(pax)) {
    // A sparse file's data is a map, not its bytes: written as is it would be wrong content.
    if (key.startsWith('GNU.sparse.')) throw unsupported(header.name, 'is a GNU sparse file');
  }
  const charset = pax.hdrcharset;
  if (charset !== undefined && charset !== 'ISO-IR 10646 2000 UTF-8') {
    throw unsupported(header.name, `has names in an undeclared encoding (hdrcharset ${charset})`);
  }
}

function mtimeOf(header: RawHeader): number | undefined {
  const fromPax = header.pax?.mtime;
  const seconds = fromPax !== undefined ? Number(fromPax) : (header.mtime?.getTime() ?? NaN) / 1000;
  return Number.isFinite(seconds) ? seconds : undefined;
}

export function planEntry(header: RawHeader): EntryPlan {
  const parts = entryParts(header.name);
  const kind = kindOf(header);
  checkPax(header);
  const size = header.size ?? 0;
  if (kind !== 'file' && size > 0) {
    throw new ArchiveError('archive-invalid', `the ${kind} entry ${JSON.stringify(header.name)} carries ${size} bytes of data`, {
      path: header.name,
    });
  }
  const linkname = header.linkname ?? '';
  if (kind === 'symlink') {
    if (linkname === '') throw new ArchiveError('archive-invalid', `the symlink ${JSON.stringify(header.name)} has no target`, { path: header.name });
    if (linkname.includes('\0')) throw unsafe(header.name, 'is a symlink whose target has a NUL byte');
  }
  if (parts.length === 0 && kind !== 'directory') throw unsafe(header.name, 'names the destination itself');
  return { parts, kind, size, mode: (header.mode ?? 0o644) & 0o777, mtime: mtimeOf(header), linkname };
}
