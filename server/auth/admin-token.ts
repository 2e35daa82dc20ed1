import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();

export function newToken(): string {
  return `fy_${crypto.randomBytes(32).toString('base64url')}`;
}

/**
 * The local admin token. The file (0600) is how local clients get it; the daemon itself keeps
 * only its SHA-256 in memory and compares in constant time.
 */
export class AdminToken {
  private hash: Buffer;

  private constructor(
    private readonly file: string,
    token: string,
  ) {
    this.hash = sha256(token);
  }

  /** Read the token file, creating it (0600) on first start. */
  static loadOrCreate(file: string): { token: AdminToken; created: boolean } {
    let value: string | undefined;
    try {
      value = fs.readFileSync(file, 'utf8').trim();
      if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (value && value.length >= 32) return { token: new AdminToken(file, value), created: false };
    const fresh = newToken();
    writeFileAtomic(file, `${fresh}\n`, 0o600);
    return { token: new AdminToken(file, fresh), created: true };
  }

  verify(candidate: string): boolean {
    // Hashing first makes both sides 32 bytes, so timingSafeEqual never leaks the length.
    return crypto.timingSafeEqual(sha256(candidate), this.hash);
  }

  /** Make a new token, write it (atomically, 0600) and forget the old one. */
  rotate(): string {
    const fresh = newToken();
    writeFileAtomic(this.file, `${fresh}\n`, 0o600);
    this.hash = sha256(fresh);
    return fresh;
  }
}
