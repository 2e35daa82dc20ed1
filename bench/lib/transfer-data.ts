import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MiB = 2 ** 20;
const CHUNK = 8 * MiB;

export interface SourceFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * A file of random bytes, written in 8 MiB chunks and hashed on the way. Not sparse: a sparse
 * file's holes read as zeros without touching the page cache, which would flatter every reader.
 * fsynced, so that its own writeback does not land in the timed runs; it stays in the page cache,
 * so every side reads it from memory alike.
 */
export function makeSource(file: string, size: number): SourceFile {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  try {
    for (let left = size; left > 0; ) {
      const chunk = crypto.randomBytes(Math.min(CHUNK, left));
      hash.update(chunk);
      for (let off = 0; off < chunk.length; ) off += fs.writeSync(fd, chunk, off);
      left -= chunk.length;
    }
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return { path: file, size, sha256: hash.digest('hex') };
}

export async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A copy must hold exactly the source's bytes (hashed here, by the bench, not taken from the
 * side's own answer), and no temporary file may be left beside it. Then it is removed, so the
 * next run starts on the same free space.
 */
export async function checkAndRemove(label: string, copy: string, src: SourceFile): Promise<void> {
  try {
    const st = fs.lstatSync(copy);
    if (!st.isFile() || st.size !== src.size) throw new Error(`${label}: ${copy} is ${st.isFile() ? `${st.size} bytes, not ${src.size}` : 'not a regular file'}`);
    const got = await sha256Of(copy);
    if (got !== src.sha256) throw new Error(`${label}: ${copy} has SHA-256 ${got}, not the source's ${src.sha256}`);
    const leftovers = fs.readdirSync(path.dirname(copy)).filter((n) => n.startsWith('.'));
    if (leftovers.length) throw new Error(`${label}: temporary files left in ${path.dirname(copy)}: ${leftovers.join(', ')}`);
  } finally {
    fs.rmSync(copy, { force: true });
  }
}
