import type { Statement } from 'better-sqlite3';
import type { DB } from '../store/db.js';

export interface UploadRow {
  id: string;
  principal: string;
  kind: 'file' | 'archive';
  target: string;
  temp: string;
  size: number | null;
  force: number;
  mode: number | null;
  mtime: number | null;
  state: 'open' | 'done' | 'failed';
  created_at: number;
  updated_at: number;
}

/** Uploads survive a restart (row + temporary file), so a sender can resume after either side died. */
export class UploadStore {
  private readonly s: Record<'insert' | 'get' | 'setState' | 'touch' | 'stale' | 'open', Statement>;

  constructor(db: DB) {
    this.s = {
      insert: db.prepare(`INSERT INTO uploads (id, principal, kind, target, temp, size, force, mode, mtime, state, created_at, updated_at)
        VALUES (@id, @principal, @kind, @target, @temp, @size, @force, @mode, @mtime, 'open', @created_at, @updated_at)`),
      get: db.prepare('SELECT * FROM uploads WHERE id = ?'),
      setState: db.prepare('UPDATE uploads SET state = ?, updated_at = ? WHERE id = ?'),
      touch: db.prepare('UPDATE uploads SET updated_at = ? WHERE id = ?'),
      stale: db.prepare("SELECT * FROM uploads WHERE state = 'open' AND updated_at < ?"),
      open: db.prepare("SELECT * FROM uploads WHERE state = 'open'"),
    };
  }

  insert(r: Omit<UploadRow, 'state'>): void {
    this.s.insert.run(r);
  }
  get(id: string): UploadRow | undefined {
    return this.s.get.get(id) as UploadRow | undefined;
  }
  setState(id: string, state: UploadRow['state'], at: number): void {
    this.s.setState.run(state, at, id);
  }
  touch(id: string, at: number): void {
    this.s.touch.run(at, id);
  }
  staleBefore(at: number): UploadRow[] {
    return this.s.stale.all(at) as UploadRow[];
  }
  open(): UploadRow[] {
    return this.s.open.all() as UploadRow[];
  }
}
