import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type DB = Database.Database;

/**
 * The one place the daemon's database is opened. WAL for concurrent readers, synchronous=NORMAL
 * (in WAL mode a committed transaction survives a process crash; only power loss can drop the
 * newest ones), foreign keys on, and a busy timeout so a checkpoint never fails a request.
 */
export function openDatabase(file: string): DB {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Checkpoint the WAL into the main file and close: a clean shutdown leaves one self-contained file. */
export function closeDatabase(db: DB): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
