// The daemon's context SQL, without the daemon: the same pragmas as server/store/db.ts, the same
// table as migration 001, the same statements as server/store/context-store.ts, and a PUT that
// reads the current version and writes the next in one transaction, like ContextService.put.
// Shared by the baseline servers so that they differ only in the HTTP layer around it.
import Database from 'better-sqlite3';

export function openContext(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS context (
    key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL CHECK (version > 0),
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER, updated_by TEXT NOT NULL
  ) WITHOUT ROWID`);

  const get = db.prepare('SELECT * FROM context WHERE key = ?');
  const count = db.prepare('SELECT count(*) AS n FROM context WHERE expires_at IS NULL OR expires_at > ?');
  const upsert = db.prepare(`INSERT INTO context (key, value, version, created_at, updated_at, expires_at, updated_by)
    VALUES (@key, @value, @version, @created_at, @updated_at, @expires_at, @updated_by)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at,
      expires_at = excluded.expires_at, updated_by = excluded.updated_by, created_at = excluded.created_at`);

  const iso = (ms) => new Date(ms).toISOString();
  const toEntry = (r) => ({
    key: r.key,
    value: JSON.parse(r.value),
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    expiresAt: r.expires_at === null ? null : iso(r.expires_at),
    updatedBy: r.updated_by,
  });

  const put = db.transaction((key, value) => {
    const now = Date.now();
    const current = get.get(key);
    const row = {
      key,
      value,
      version: (current?.version ?? 0) + 1,
      created_at: current?.created_at ?? now,
      updated_at: now,
      expires_at: null,
      updated_by: 'local',
    };
    upsert.run(row);
    return { entry: toEntry(row), created: current === undefined };
  });

  return {
    db,
    /** The entry, or undefined. */
    get: (key) => {
      const row = get.get(key);
      return row && toEntry(row);
    },
    /** value: the JSON text to store. */
    put,
    count: () => count.get(Date.now()).n,
  };
}

/** The body check both baselines make: an object with a value (the daemon's zod schema does more). */
export const validPut = (body) => body !== null && typeof body === 'object' && !Array.isArray(body) && body.value !== undefined;
