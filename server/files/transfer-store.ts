import type { Statement } from 'better-sqlite3';
import type { Transfer, TransferState } from '../protocol/index.js';
import type { DB } from '../store/db.js';
import { iso, isoOrNull } from '../util/time.js';

export interface TransferRow {
  seq: number;
  id: string;
  direction: 'push' | 'pull';
  peer_id: string | null;
  peer_name: string | null;
  source: string;
  destination: string;
  force: number;
  parents: number;
  kind: 'file' | 'archive' | null;
  state: TransferState;
  bytes: number;
  total: number | null;
  sha256: string | null;
  attempts: number;
  upload_id: string | null;
  final_path: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}


export function toTransfer(r: TransferRow, rate = 0): Transfer {
  return {
    id: r.id,
    direction: r.direction,
    peer: r.peer_name,
    source: r.source,
    destination: r.destination,
    kind: r.kind,
    state: r.state,
    bytes: r.bytes,
    total: r.total,
    rate,
    sha256: r.sha256,
    attempts: r.attempts,
    createdAt: iso(r.created_at),
    endedAt: isoOrNull(r.ended_at),
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    finalPath: r.final_path,
  };
}

type Patch = Partial<Omit<TransferRow, 'seq' | 'id' | 'created_at'>>;

export class TransferStore {
  private readonly s: Record<'insert' | 'get' | 'list' | 'listState' | 'running', Statement>;
  private readonly updates = new Map<string, Statement>();

  constructor(private readonly db: DB) {
    this.s = {
      insert: db.prepare(`INSERT INTO transfers (id, direction, peer_id, peer_name, source, destination, force, parents, state, created_at, updated_at)
        VALUES (@id, @direction, @peer_id, @peer_name, @source, @destination, @force, @parents, 'running', @created_at, @created_at) RETURNING *`),
      get: db.prepare('SELECT * FROM transfers WHERE id = ?'),
      list: db.prepare('SELECT * FROM transfers ORDER BY seq DESC LIMIT ?'),
      listState: db.prepare('SELECT * FROM transfers WHERE state = ? ORDER BY seq DESC LIMIT ?'),
      running: db.prepare("SELECT * FROM transfers WHERE state = 'running' ORDER BY seq"),
    };
  }

  insert(r: Pick<TransferRow, 'id' | 'direction' | 'peer_id' | 'peer_name' | 'source' | 'destination' | 'force' | 'parents' | 'created_at'>): TransferRow {
    return this.s.insert.get(r) as TransferRow;
  }
  get(id: string): TransferRow | undefined {
    return this.s.get.get(id) as TransferRow | undefined;
  }
  list(state: TransferState | undefined, limit: number): TransferRow[] {
    return (state ? this.s.listState.all(state, limit) : this.s.list.all(limit)) as TransferRow[];
  }
  running(): TransferRow[] {
    return this.s.running.all() as TransferRow[];
  }
  /** Update some columns (statements prepared once per column set). */
  update(id: string, patch: Patch): TransferRow {
    const cols = Object.keys(patch).sort();
    const key = cols.join(',');
    let stmt = this.updates.get(key);
    if (!stmt) {
      stmt = this.db.prepare(`UPDATE transfers SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id RETURNING *`);
      this.updates.set(key, stmt);
    }
    return stmt.get({ ...patch, id }) as TransferRow;
  }
}
