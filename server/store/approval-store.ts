import type { Statement } from 'better-sqlite3';
import type { Approval, ApprovalStatus } from '../protocol/index.js';
import type { DB } from './db.js';
import { iso, isoOrNull } from '../util/time.js';

interface ApprovalRow {
  id: string;
  peer_id: string;
  peer_name: string;
  scope: string;
  summary: string;
  detail: string;
  programs: string;
  status: ApprovalStatus;
  remember: number;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
}

const decode = (r: ApprovalRow): Approval => ({
  id: r.id,
  peer: { nodeId: r.peer_id, name: r.peer_name },
  scope: r.scope,
  summary: r.summary,
  detail: JSON.parse(r.detail) as unknown,
  programs: JSON.parse(r.programs) as string[],
  status: r.status,
  createdAt: iso(r.created_at),
  expiresAt: iso(r.expires_at),
  decidedAt: isoOrNull(r.decided_at),
  remember: r.remember === 1,
});

export class ApprovalStore {
  private readonly s: Record<'insert' | 'get' | 'list' | 'listAll' | 'decide' | 'expirePending', Statement>;

  constructor(db: DB) {
    this.s = {
      insert: db.prepare(`INSERT INTO approvals (id, peer_id, peer_name, scope, summary, detail, programs, status, created_at, expires_at)
        VALUES (@id, @peer_id, @peer_name, @scope, @summary, @detail, @programs, 'pending', @created_at, @expires_at)`),
      get: db.prepare('SELECT * FROM approvals WHERE id = ?'),
      list: db.prepare('SELECT * FROM approvals WHERE status = ? ORDER BY created_at DESC LIMIT 500'),
      listAll: db.prepare('SELECT * FROM approvals ORDER BY created_at DESC LIMIT 500'),
      decide: db.prepare(`UPDATE approvals SET status = @status, decided_at = @at, remember = @remember WHERE id = @id AND status = 'pending'`),
      expirePending: db.prepare(`UPDATE approvals SET status = 'expired', decided_at = ? WHERE status = 'pending'`),
    };
  }

  insert(a: { id: string; peerId: string; peerName: string; scope: string; summary: string; detail: unknown; programs: string[]; createdAt: number; expiresAt: number }): Approval {
    this.s.insert.run({
      id: a.id,
      peer_id: a.peerId,
      peer_name: a.peerName,
      scope: a.scope,
      summary: a.summary,
      detail: JSON.stringify(a.detail),
      programs: JSON.stringify(a.programs),
      created_at: a.createdAt,
      expires_at: a.expiresAt,
    });
    return this.get(a.id)!;
  }
  get(id: string): Approval | undefined {
    const r = this.s.get.get(id) as ApprovalRow | undefined;
    return r && decode(r);
  }
  list(status?: ApprovalStatus): Approval[] {
    return ((status ? this.s.list.all(status) : this.s.listAll.all()) as ApprovalRow[]).map(decode);
  }
  /** Decide a pending approval; false if it was no longer pending. */
  decide(id: string, status: Exclude<ApprovalStatus, 'pending'>, at: number, remember: boolean): boolean {
    return this.s.decide.run({ id, status, at, remember: remember ? 1 : 0 }).changes > 0;
  }
  /** On start: whoever was waiting for these is gone. */
  expirePending(at: number): number {
    return this.s.expirePending.run(at).changes;
  }
}
