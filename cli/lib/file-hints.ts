import { FerryError } from '../../server/client/index.js';
import { CliError, EXIT } from '../errors.js';
import { explainPeerError } from './peer.js';

/** What a files failure is about: which machine, which way, and how far it got. */
export interface FilesSituation {
  /** The paired machine on the other end; null: this machine alone. */
  peer: string | null;
  /** push: we write there; pull and ls: we read there. */
  direction: 'push' | 'pull' | 'ls';
  /** The transfer had found where its destination is (so a missing path is the destination's parent). */
  destinationKnown?: boolean;
}

type Hint = (s: FilesSituation) => string;

const there = (s: FilesSituation) => s.peer ?? 'this machine';
const ARCHIVE_ENTRIES = 'a directory travels with regular files, directories and symlinks inside it only: hard links, devices, FIFOs and escaping paths are refused';

const HINTS: Record<string, Hint> = {
  'scope-denied': (s) =>
    `${there(s)}'s policy for this machine does not let it ${s.direction === 'push' ? 'write' : 'read'} there: the path must be inside the files ${s.direction === 'push' ? 'write' : 'read'} roots of that policy ` +
    `(the "trusted" preset gives its daemon user's home). Its owner can change them (admin page → Peers), or approve the request with \`ferry approvals\` on ${there(s)}`,
  'destination-exists': () => 'add --force to replace it (a directory as the destination means "inside it", as with cp)',
  'path-not-found': (s) => {
    if (s.destinationKnown) return 'the destination\'s parent directory does not exist: add --parents to create it';
    // What was read and is missing: ours for a push or a local listing, the peer's otherwise.
    if (s.direction === 'push' || s.peer === null) return 'check the path on this machine (a relative one is resolved against the current directory)';
    return `see what is there with \`ferry ls ${s.peer} <directory>\``;
  },
  'not-a-directory': () => 'a part of the path is a file, not a directory',
  'not-a-file': () => 'only regular files and directories travel (not devices, sockets or FIFOs)',
  'path-invalid': () => 'Ferry never follows a symlink at the end of a path: name the path it points to',
  'path-denied': (s) => `the daemon's own data dir is never reachable through Ferry, nor anything outside ${there(s)}'s allowed roots`,
  'hash-mismatch': () => 'what arrived did not match what was sent (the source changed while it was read, or bytes were damaged on the way): nothing was put in place; run the same command again',
  'peer-unreachable': (s) =>
    `${there(s)} stopped answering; the transfer was retried (1 s doubling to 30 s) until files.retryForMs passed without progress. Is its daemon running and its peer port reachable? ` +
    '`ferry peers` shows when it was last seen; `ferry logs` here shows each retry',
  'file-too-large': () => 'larger than the receiving daemon allows (its files.maxBytes)',
  'archive-too-large': () => 'the directory is larger than the receiving daemon allows (its files.maxBytes)',
  'archive-too-many-entries': () => 'the directory has more entries than the receiving daemon allows (its files.maxEntries)',
  'archive-unsafe-path': () => ARCHIVE_ENTRIES,
  'archive-unsupported-entry': () => ARCHIVE_ENTRIES,
  'archive-source-changed': () => 'the directory changed while it was being sent: run the same command again',
  'transfer-not-found': () => 'list recent transfers with `ferry transfers`',
};

export function filesHint(code: string, s: FilesSituation): string | undefined {
  return HINTS[code]?.(s);
}

/**
 * A failed files request explained in terms of what was asked; peer link failures (unknown peer,
 * unreachable, no longer paired) in terms of that peer. Codes and details stay the daemon's.
 */
export function explainFilesError(err: unknown, s: FilesSituation): unknown {
  if (!(err instanceof FerryError)) return err;
  // A request that could not reach the peer is the link's failure, not a transfer that gave up.
  const hint = err.code === 'peer-unreachable' ? undefined : filesHint(err.code, s);
  if (hint) return new CliError(err.code, err.message, { exit: EXIT.failed, hint, details: err.details });
  return s.peer === null ? err : explainPeerError(err, s.peer);
}
