import type { Statement } from 'better-sqlite3';
import type { AuditEntry, AuditResult } from '../protocol/index.js';
import type { DB } from './db.js';

export interface AuditRecord {
  at: number;
  principal: string;
  action: string;
  target: string | null;
  result: AuditResult;
  status: number;
  code: string | null;
  duration_ms: number;
  ip: string | null;
}
interface AuditRow extends AuditRecord {
  id: number;
}

export interface AuditFilter {
  principal?: string | undefined;
  action?: string | undefined;
  result?: AuditResult | undefined;
  since?: number | undefined;
  until?: number | undefined;
  before?: number | undefined;
}

export const toAuditEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: new Date(r.at).toISOString(),
  principal: r.principal,
  action: r.action,
  target: r.target,
  result: r.result,
  status: r.status,
  code: r.code,
  durationMs: r.duration_ms,
  ip: r.ip,
});

export class AuditStore {
  private readonly insertStmt: Statement;
  private readonly listStmt: Statement;
  private readonly pruneStmt: Statement;

  constructor(private readonly db: DB) {
    this.insertStmt = db.prepare(`INSERT INTO audit (at, principal, action, target, result, status, code, duration_ms, ip)
      VALUES (@at, @principal, @action, @target, @result, @status, @code, @duration_ms, @ip)`);
    this.listStmt = db.prepare(`SELECT * FROM audit
      WHERE (@principal IS NULL OR principal = @principal) AND (@action IS NULL OR action = @action)
        AND (@result IS NULL OR result = @result) AND (@since IS NULL OR at >= @since) AND (@until IS NULL OR at < @until)
        AND id < @before
      ORDER BY id DESC LIMIT @limit`);
    this.pruneStmt = db.prepare('DELETE FROM audit WHERE at < ?');
  }

  insertMany(records: AuditRecord[]): void {
    this.db.transaction(() => {
      for (const r of records) this.insertStmt.run(r);
    })();
  }

  list(f: AuditFilter, limit: number): AuditEntry[] {
    const rows = this.listStmt.all({
      principal: f.principal ?? null,
      action: f.action ?? null,
      result: f.result ?? null,
      since: f.since ?? null,
      until: f.until ?? null,
      before: f.before ?? Number.MAX_SAFE_INTEGER,
      limit,
    }) as AuditRow[];
    return rows.map(toAuditEntry);
  }

  prune(olderThan: number): number {
    return this.pruneStmt.run(olderThan).changes;
  }
}
