import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AgentConfigError } from './errors.js';

export const BACKUP_SUFFIX = '.ferry-backup';

/** A config file's text, or null when it does not exist. */
export function readConfig(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Replace a config file with `text` so that a crash leaves either the old or the new file, never
 * half of one: a temp file beside it, fsync, rename, fsync of the directory. The previous content
 * is kept as `<file>.ferry-backup` first. `expected` is the text the edit was made from: if the
 * file changed since (the agent rewrote it meanwhile), nothing is written.
 */
export function writeConfigAtomic(file: string, text: string, expected: string | null): { backup: string | null } {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let mode = 0o600;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // a new file: private, as agents keep theirs
  }
  const backup = expected === null ? null : file + BACKUP_SUFFIX;
  if (backup !== null) writeDurably(backup, expected!, mode);

  const tmp = path.join(dir, `.${path.basename(file)}.ferry-${crypto.randomBytes(6).toString('hex')}.tmp`);
  try {
    writeDurably(tmp, text, mode);
    if (readConfig(file) !== expected) {
      throw new AgentConfigError('agent-config-changed', `${file} changed while ferry was editing it; nothing was written`, 'run the command again (and quit the agent first if it keeps rewriting the file)');
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dir);
  return { backup };
}

function writeDurably(file: string, text: string, mode: number): void {
  const fd = fs.openSync(file, 'w', mode);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(file, mode);
}

function syncDir(dir: string): void {
  // Makes the rename itself durable; not possible on every platform (Windows), where it is skipped.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort
  }
}
