import type { Statement } from 'better-sqlite3';
import type { Policy } from '../protocol/index.js';
import type { DB } from './db.js';

export interface PeerRow {
  node_id: string;
  name: string;
  fingerprint: string;
  certificate: string;
  addresses: string;
  port: number;
  policy: string;
  paired_at: number;
  last_seen: number | null;
  local_only: number;
}

/** A paired peer, decoded. */
export interface Peer {
  nodeId: string;
  name: string;
  fingerprint: string;
  certificate: string;
  addresses: string[];
  port: number;
  policy: Policy;
  pairedAt: number;
  lastSeen: number | null;
  /** Trusted without a ceremony (a session on this machine): accepted over loopback only. */
  localOnly: boolean;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const decode = (r: PeerRow): Peer => ({
  nodeId: r.node_id,
  name: r.name,
  fingerprint: r.fingerprint,
  certificate: r.certificate,
  addresses: JSON.parse(r.addresses) as string[],
  port: r.port,
  policy: JSON.parse(r.policy) as Policy,
  pairedAt: r.paired_at,
  lastSeen: r.last_seen,
  localOnly: r.local_only === 1,
});

/**
 * The peers table. Every peer request looks its caller up (by fingerprint, then by id for its
 * policy), so rows are kept in memory; the daemon is the only writer, and every write here drops
 * the copy, so it is never stale.
 */
export class PeerStore {
  private cache: { byId: Map<string, Peer>; byName: Map<string, Peer>; byFp: Map<string, Peer>; all: Peer[] } | null = null;
  private readonly s: Record<
    'all' | 'insert' | 'remove' | 'setPolicy' | 'setName' | 'seen' | 'manualAll' | 'manualAdd' | 'manualRemove',
    Statement
  >;

  constructor(private readonly db: DB) {
    this.s = {
      all: db.prepare('SELECT * FROM peers ORDER BY name'),
      insert: db.prepare(`INSERT INTO peers (node_id, name, fingerprint, certificate, addresses, port, policy, paired_at, last_seen, local_only)
        VALUES (@node_id, @name, @fingerprint, @certificate, @addresses, @port, @policy, @paired_at, @last_seen, @local_only)`),
      remove: db.prepare('DELETE FROM peers WHERE node_id = ?'),
      setPolicy: db.prepare('UPDATE peers SET policy = ? WHERE node_id = ?'),
      setName: db.prepare('UPDATE peers SET name = ? WHERE node_id = ?'),
      seen: db.prepare('UPDATE peers SET last_seen = ?, addresses = ? WHERE node_id = ?'),
      manualAll: db.prepare('SELECT address, port, added_at FROM manual_peers ORDER BY added_at'),
      manualAdd: db.prepare('INSERT OR IGNORE INTO manual_peers (address, port, added_at) VALUES (?, ?, ?)'),
      manualRemove: db.prepare('DELETE FROM manual_peers WHERE address = ? AND port = ?'),
    };
  }

  private rows() {
    if (!this.cache) {
      const all = (this.s.all.all() as PeerRow[]).map((r) => deepFreeze(decode(r)));
      this.cache = { all, byId: new Map(all.map((p) => [p.nodeId, p])), byName: new Map(all.map((p) => [p.name, p])), byFp: new Map(all.map((p) => [p.fingerprint, p])) };
    }
    return this.cache;
  }
  /** Frozen: a change goes through the methods below, never by editing what was read. */
  all(): readonly Peer[] {
    return this.rows().all;
  }
  byId(nodeId: string): Peer | undefined {
    return this.rows().byId.get(nodeId);
  }
  byName(name: string): Peer | undefined {
    return this.rows().byName.get(name);
  }
  /** The pin lookup: who, if anyone, owns this certificate. */
  byFingerprint(fp: string): Peer | undefined {
    return this.rows().byFp.get(fp);
  }
  /** By name first, then node id (what people type). */
  find(ref: string): Peer | undefined {
    return this.byName(ref) ?? this.byId(ref);
  }
  /** A name not yet taken: `laptop`, else `laptop-2`, `laptop-3`… */
  freeName(wanted: string): string {
    const base = wanted.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 56) || 'peer';
    let name = base;
    for (let i = 2; this.byName(name); i++) name = `${base}-${i}`;
    return name;
  }
  insert(p: Peer): void {
    this.cache = null;
    this.s.insert.run({
      node_id: p.nodeId,
      name: p.name,
      fingerprint: p.fingerprint,
      certificate: p.certificate,
      addresses: JSON.stringify(p.addresses),
      port: p.port,
      policy: JSON.stringify(p.policy),
      paired_at: p.pairedAt,
      last_seen: p.lastSeen,
      local_only: p.localOnly ? 1 : 0,
    });
  }
  remove(nodeId: string): boolean {
    this.cache = null;
    return this.s.remove.run(nodeId).changes > 0;
  }
  setPolicy(nodeId: string, policy: Policy): void {
    this.cache = null;
    this.s.setPolicy.run(JSON.stringify(policy), nodeId);
  }
  setName(nodeId: string, name: string): void {
    this.cache = null;
    this.s.setName.run(name, nodeId);
  }
  seen(nodeId: string, at: number, addresses: string[]): void {
    this.cache = null;
    this.s.seen.run(at, JSON.stringify(addresses), nodeId);
  }
  manual(): { address: string; port: number; addedAt: number }[] {
    return (this.s.manualAll.all() as { address: string; port: number; added_at: number }[]).map((r) => ({ address: r.address, port: r.port, addedAt: r.added_at }));
  }
  addManual(address: string, port: number, at: number): void {
    this.s.manualAdd.run(address, port, at);
  }
  removeManual(address: string, port: number): boolean {
    return this.s.manualRemove.run(address, port).changes > 0;
  }
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
