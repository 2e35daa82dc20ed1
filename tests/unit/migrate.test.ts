import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../server/store/db.js';
import { loadMigrations, migrate, MigrationError, schemaVersion, type Migration } from '../../server/store/migrate.js';
import { tempHome } from '../helpers/daemon.js';

const dbFile = () => path.join(tempHome('ferry-db-'), 'ferry.db');

describe('migrations', () => {
  it('migrates a fresh database to the newest version, kept inside the database', () => {
    const db = openDatabase(dbFile());
    const latest = loadMigrations().length;
    expect(migrate(db)).toEqual({ from: 0, to: latest });
    expect(schemaVersion(db)).toBe(latest);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['context', 'jobs', 'audit', 'events', 'sessions', 'schema_migrations']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    closeDatabase(db);
  });

  it('is a no-op when run again', () => {
    const file = dbFile();
    const db = openDatabase(file);
    migrate(db);
    db.prepare("INSERT INTO context (key, value, version, created_at, updated_at, updated_by) VALUES ('k', '1', 1, 0, 0, 'x')").run();
    const latest = loadMigrations().length;
    expect(migrate(db)).toEqual({ from: latest, to: latest });
    closeDatabase(db);
    const again = openDatabase(file);
    expect(migrate(again)).toEqual({ from: latest, to: latest });
    expect(again.prepare('SELECT count(*) AS n FROM context').get()).toEqual({ n: 1 });
    closeDatabase(again);
  });

  it('refuses a database newer than the code, and changes nothing', () => {
    const db = openDatabase(dbFile());
    migrate(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('from-the-future');
    expect(() => migrate(db)).toThrow(MigrationError);
    expect(() => migrate(db)).toThrow(/schema version 999.*older.*upgrade Ferry/s);
    expect(schemaVersion(db)).toBe(999);
    closeDatabase(db);
  });

  it('applies pending migrations in one transaction: a failing one leaves nothing behind', () => {
    const db = openDatabase(dbFile());
    const broken: Migration[] = [...loadMigrations(), { version: loadMigrations().length + 1, name: 'broken', sql: 'CREATE TABLE ok_one (x); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, broken)).toThrow(/no such table/);
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('context', 'ok_one')").get()).toEqual({ n: 0 });
    closeDatabase(db);
  });

  it('refuses migration files with gaps or bad names', () => {
    const dir = tempHome('ferry-mig-');
    fs.writeFileSync(path.join(dir, '001_a.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(dir, '003_c.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/without gaps/);
    fs.writeFileSync(path.join(dir, 'oops.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/NNN_name\.sql/);
  });
});
