// Decides whether a path a peer names is inside the roots it may touch. The parent directory
// is resolved with realpath (symlinks in the middle are followed, then checked), the final
// component is kept as written and later opened with O_NOFOLLOW, containment is decided by
// path components, and the daemon's data dir is always out of bounds.

import fs from 'node:fs';
import path from 'node:path';

export type PathDenial = 'outside-roots' | 'data-dir' | 'symlink' | 'not-found' | 'invalid';

export type PathVerdict =
  | { ok: true; /** realpath'd parent + final name */ real: string }
  | { ok: false; reason: PathDenial; message: string };

export interface CheckPathOptions {
  /** The daemon's data dir: denied, and everything inside it, even within a root. */
  dataDir: string;
  /** Directory that relative paths start from; without it a relative path is rejected. */
  base?: string;
  /** The target must exist (and must not be a symlink, since opening it would not follow it). */
  mustExist?: boolean;
}

const MAX_PATH = 4096;

const no = (reason: PathDenial, message: string): PathVerdict => ({ ok: false, reason, message });

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** True when `child` is `parent` or below it, compared by components after normalising both. */
export function isInside(child: string, parent: string): boolean {
  if (!path.isAbsolute(child) || !path.isAbsolute(parent)) return false;
  const c = path.resolve(child).split(path.sep).filter(Boolean);
  const p = path.resolve(parent).split(path.sep).filter(Boolean);
  return p.length <= c.length && p.every((part, i) => part === c[i]);
}

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return null;
  }
}

export function checkPath(requested: string, roots: readonly string[], opts: CheckPathOptions): PathVerdict {
  if (typeof requested !== 'string' || requested === '') return no('invalid', 'the path is empty');
  if (requested.includes('\0')) return no('invalid', 'the path contains a NUL byte');
  if (requested.length > MAX_PATH) return no('invalid', `the path is longer than ${MAX_PATH} characters`);
  let full = requested;
  if (!path.isAbsolute(full)) {
    if (opts.base === undefined) return no('invalid', 'the path must be absolute');
    if (!path.isAbsolute(opts.base)) return no('invalid', 'the base directory must be absolute');
    // Joined without normalising: `..` after a symlink must mean what the kernel makes of it.
    full = `${opts.base}/${requested}`;
  }
  const trimmed = full.replace(/\/+$/, '');
  if (trimmed === '') return inRoots('/', roots, opts);
  const name = path.posix.basename(trimmed);
  if (name === '.' || name === '..') return no('invalid', `the path may not end in ${name}`);
  const parentWritten = trimmed.slice(0, trimmed.length - name.length) || '/';

  let parent: string;
  try {
    parent = fs.realpathSync.native(parentWritten);
    if (!fs.statSync(parent).isDirectory()) return no('not-found', `${parentWritten} is not a directory`);
  } catch (err) {
    if (errCode(err) === 'ELOOP') return no('symlink', `${parentWritten} has a symlink loop`);
    return no('not-found', `the directory ${parentWritten} does not exist`);
  }
  let real = path.join(parent, name);

  let stat: fs.Stats | null = null;
  try {
    stat = fs.lstatSync(real);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') return no('not-found', `${real} cannot be read`);
  }
  if (stat?.isSymbolicLink()) {
    // A root given through a symlink may be named by that symlink.
    const target = realOrNull(real);
    const root = target && roots.map(realOrNull).find((r) => r === target);
    if (root) return inRoots(root, roots, opts);
    if (opts.mustExist) return no('symlink', `${real} is a symlink; it is not followed`);
  } else if (stat) {
    // On a case-insensitive file system this gives the name as stored, so `FERRY` is `ferry`.
    real = realOrNull(real) ?? real;
  } else if (opts.mustExist) {
    return no('not-found', `${real} does not exist`);
  }
  if (full.endsWith('/') && stat && !stat.isDirectory() && !stat.isSymbolicLink()) {
    return no('invalid', `${requested} ends in / but is not a directory`);
  }
  return inRoots(real, roots, opts);
}

function inRoots(real: string, roots: readonly string[], opts: CheckPathOptions): PathVerdict {
  const dataDir = realOrNull(opts.dataDir) ?? path.resolve(opts.dataDir);
  if (isInside(real, dataDir)) return no('data-dir', "the daemon's data directory is never shared");
  const realRoots = roots.filter((r) => path.isAbsolute(r)).map(realOrNull).filter((r): r is string => r !== null);
  if (!realRoots.some((r) => isInside(real, r))) return no('outside-roots', `${real} is outside the directories this peer may use`);
  return { ok: true, real };
}

const FLAGS = {
  read: fs.constants.O_RDONLY,
  'write-new': fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
  'write-truncate': fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC,
} as const;

const fail = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

/**
 * Opens a path from checkPath without following a symlink in its final component (ELOOP).
 * O_NONBLOCK keeps a FIFO from hanging the daemon; anything but a regular file (or, for
 * reading, a directory) is refused with EFTYPE. On Linux the opened file's path is read back
 * from /proc and must still be `real`: a parent swapped for a symlink after the check fails.
 */
export function openNoFollow(real: string, flags: keyof typeof FLAGS, mode = 0o666): number {
  let fd: number;
  try {
    fd = fs.openSync(real, FLAGS[flags] | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, mode);
  } catch (err) {
    // O_EXCL reports an existing symlink as EEXIST: say what it is.
    if (errCode(err) === 'EEXIST' && fs.lstatSync(real, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw fail('ELOOP', `${real} is a symlink; it is not followed`);
    }
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() && !(flags === 'read' && st.isDirectory())) throw fail('EFTYPE', `${real} is not a regular file`);
    let opened: string | null = null;
    try {
      opened = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      opened = null; // no /proc (macOS): the realpath'd parent is all we have
    }
    if (opened !== null && opened !== real) throw fail('ELOOP', `${real} moved while it was being opened (now ${opened})`);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
