import type { Statement } from 'better-sqlite3';
import type { DB } from './db.js';

export interface ContextRow {
  key: string;
  value: string;
  version: number;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  updated_by: string;
}

/** Highest code point: a bound above every key that starts with a given prefix (see list()). */
const MAX_CHAR = '\u{10FFFF}';

/** SQL for the context table; prepared once, reused for every request. */
export class ContextStore {
  private readonly s: Record<'get' | 'upsert' | 'delete' | 'count' | 'list' | 'expired' | 'deleteExpired', Statement>;

  constructor(private readonly db: DB) {
    this.s = {
      get: db.prepare('SELECT * FROM context WHERE key = ?'),
      upsert: db.prepare(`INSERT INTO context (key, value, version, created_at, updated_at, expires_at, updated_by)
        VALUES (@key, @value, @version, @created_at, @updated_at, @expires_at, @updated_by)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at,
          expires_at = excluded.expires_at, updated_by = excluded.updated_by, created_at = excluded.created_at`),
      delete: db.prepare('DELETE FROM context WHERE key = ?'),
      count: db.prepare('SELECT count(*) AS n FROM context WHERE expires_at IS NULL OR expires_at > ?'),
      // The range uses the primary key; the substr() check keeps the result exact.
      list: db.prepare(`SELECT * FROM context
        WHERE key >= @prefix AND key < @upper AND substr(key, 1, length(@prefix)) = @prefix AND key > @after
          AND (expires_at IS NULL OR expires_at > @now)
        ORDER BY key LIMIT @limit`),
      expired: db.prepare('SELECT * FROM context WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?'),
      deleteExpired: db.prepare('DELETE FROM context WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?'),
    };
  }

  get(key: string): ContextRow | undefined {
    return this.s.get.get(key) as ContextRow | undefined;
  }
  upsert(row: ContextRow): void {
    this.s.upsert.run(row);
  }
  delete(key: string): void {
    this.s.delete.run(key);
  }
  countLive(now: number): number {
    return (this.s.count.get(now) as { n: number }).n;
  }
  list(prefix: string, after: string, limit: number, now: number): ContextRow[] {
    return this.s.list.all({ prefix, upper: prefix + MAX_CHAR, after, limit, now }) as ContextRow[];
  }
  expired(now: number, limit: number): ContextRow[] {
    return this.s.expired.all(now, limit) as ContextRow[];
  }
  deleteExpired(key: string, now: number): boolean {
    return this.s.deleteExpired.run(key, now).changes > 0;
  }
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
