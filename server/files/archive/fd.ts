// Promise forms of the fd calls both halves need. The fds come from openNoFollow (sync, so it can
// check /proc), and there is no public way to wrap a raw fd in a FileHandle.

import fs from 'node:fs';
import { promisify } from 'node:util';

export const fdRead = promisify(fs.read);
export const fdFstat = promisify(fs.fstat);
export const fdChmod = promisify(fs.fchmod);
export const fdUtimes = promisify(fs.futimes);
export const fdSync = promisify(fs.fsync);
export const fdClose = promisify(fs.close);
const fdWrite = promisify(fs.write);

export async function fdWriteAll(fd: number, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fdWrite(fd, buf, off, buf.length - off, null);
    off += bytesWritten;
  }
}

/** Close after a failure: the first error is the one worth reporting. */
export function closeQuietly(fd: number): void {
  fs.close(fd, () => {});
}

export const errnoCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;
