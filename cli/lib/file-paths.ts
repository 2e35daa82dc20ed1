import os from 'node:os';
import path from 'node:path';
import { usageError } from '../errors.js';

/**
 * A path on this machine, made absolute the way the user meant it: against the current directory
 * (the daemon has a working directory of its own, so it only takes absolute paths). A leading `~`
 * that reached us quoted is the user's home, as the shell would have made it.
 */
export function localPath(p: string): string {
  if (p.includes('\0')) throw usageError('a path cannot contain a NUL character');
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return path.resolve(p);
}

/**
 * A path on a peer goes as typed: absolute, or `~/…` for the home of the user its daemon runs as.
 * A relative one has nothing to be relative to over there.
 */
export function remotePath(p: string, peer: string): string {
  if (p.includes('\0')) throw usageError('a path cannot contain a NUL character');
  if (p.startsWith('/') || p === '~' || p.startsWith('~/')) return p;
  throw usageError(
    `"${p}" is a relative path, and ${peer} cannot know what it is relative to`,
    `give an absolute path on ${peer} (/srv/share/${p}) or one in its daemon user's home ('~/${p}', quoted so your own shell leaves the ~ alone)`,
  );
}
