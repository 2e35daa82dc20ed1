import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DB } from './db.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
  readonly code = 'database-migration-failed';
}

/** Numbered `NNN_name.sql` files, in order. A gap or a duplicate number is a packaging bug: refuse. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const migrations = files.map((f) => {
    const m = /^(\d+)_([\w-]+)\.sql$/.exec(f);
    if (!m) throw new MigrationError(`migration file name "${f}" is not NNN_name.sql`);
    return { version: Number(m[1]), name: m[2]!, sql: fs.readFileSync(`${dir}/${f}`, 'utf8') };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migrations must be numbered 1..n without gaps: found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

export function schemaVersion(db: DB): number {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasTable) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** The schema version of a migrated database, read with one statement prepared once. */
export function schemaVersionReader(db: DB): () => number {
  const stmt = db.prepare('SELECT max(version) AS v FROM schema_migrations');
  return () => (stmt.get() as { v: number | null }).v ?? 0;
}

/**
 * Bring the database to the newest schema. All pending migrations run in ONE transaction: an
 * upgrade either happens completely or not at all. A database newer than this code is refused,
 * because this code would not understand it and might damage it.
 */
export function migrate(db: DB, migrations: Migration[] = loadMigrations()): { from: number; to: number } {
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new MigrationError(
      `the database is at schema version ${from}, but this Ferry (knows up to ${latest}) is older: ` +
        'upgrade Ferry, or point FERRY_HOME at another data dir. Nothing was changed.',
    );
  }
  if (from === latest) return { from, to: latest };
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations.slice(from)) {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
    const problems = db.pragma('foreign_key_check') as unknown[];
    if (problems.length > 0) throw new MigrationError(`foreign key check failed after migrating: ${JSON.stringify(problems.slice(0, 5))}`);
  })();
  return { from, to: latest };
}
