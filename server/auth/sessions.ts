import crypto from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { DB } from '../store/db.js';
import type { Clock } from '../services/clock.js';

const hash = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

export interface Session {
  csrfToken: string;
  expiresAt: number;
}

/**
 * Admin UI sessions: the cookie value is random and only its hash is stored, so a copy of the
 * database cannot be turned into a login. Each session has its own CSRF token.
 */
export class SessionStore {
  private readonly s: Record<'insert' | 'get' | 'delete' | 'deleteAll' | 'prune', Statement>;

  constructor(
    db: DB,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.s = {
      insert: db.prepare('INSERT INTO sessions (id_hash, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      get: db.prepare('SELECT csrf_token, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?'),
      delete: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
      deleteAll: db.prepare('DELETE FROM sessions'),
      prune: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    };
  }

  create(): { id: string; session: Session } {
    const id = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    this.s.prune.run(now);
    this.s.insert.run(hash(id), csrfToken, now, expiresAt);
    return { id, session: { csrfToken, expiresAt } };
  }

  get(id: string): Session | undefined {
    const row = this.s.get.get(hash(id), this.clock.now()) as { csrf_token: string; expires_at: number } | undefined;
    return row && { csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  delete(id: string): void {
    this.s.delete.run(hash(id));
  }

  /** Token rotation ends every session. */
  deleteAll(): void {
    this.s.deleteAll.run();
  }
}
