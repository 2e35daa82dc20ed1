import type { Statement } from 'better-sqlite3';
import { EVENT_TOPIC, type EventPayload, type EventType, type FerryEvent, type Topic } from '../protocol/index.js';
import type { DB } from '../store/db.js';
import type { Logger } from '../log.js';

export type EventListener = (e: FerryEvent) => void;

interface EventRow {
  id: number;
  at: number;
  type: string;
  topic: string;
  data: string;
}

const toEvent = (r: EventRow): FerryEvent => ({ id: r.id, type: r.type, topic: r.topic, at: new Date(r.at).toISOString(), data: JSON.parse(r.data) }) as FerryEvent;

/**
 * The one typed in-process event bus. Every event is stored (ids come from an AUTOINCREMENT
 * column, so they only grow, even across restarts and pruning) and then handed to listeners.
 * Services record events inside their own transaction and dispatch after it commits, so nobody
 * is ever told about a change that was rolled back.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly insert: Statement;
  private readonly afterStmt: Statement;
  private readonly prune: Statement;
  private sincePrune = 0;

  constructor(
    private readonly db: DB,
    private readonly log: Logger,
    private readonly retain: number,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare('INSERT INTO events (at, type, topic, data) VALUES (?, ?, ?, ?) RETURNING id');
    this.afterStmt = db.prepare('SELECT id, at, type, topic, data FROM events WHERE id > ? ORDER BY id LIMIT ?');
    this.prune = db.prepare('DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?');
  }

  /** Store an event (inside the caller's transaction, if any) without telling anyone yet. */
  record<T extends EventType>(type: T, data: EventPayload<T>): FerryEvent {
    const at = this.now();
    const topic = EVENT_TOPIC[type];
    const { id } = this.insert.get(at, type, topic, JSON.stringify(data)) as { id: number };
    if (++this.sincePrune >= 500) {
      this.sincePrune = 0;
      this.prune.run(this.retain);
    }
    return { id, type, topic, at: new Date(at).toISOString(), data } as FerryEvent;
  }

  /** Tell listeners about events that are committed. */
  dispatch(...events: FerryEvent[]): void {
    for (const e of events) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          this.log.error('event listener failed', { type: e.type, err });
        }
      }
    }
  }

  /** Record and dispatch in one step, for events that are not part of a larger transaction. */
  publish<T extends EventType>(type: T, data: EventPayload<T>): FerryEvent {
    const e = this.record(type, data);
    this.dispatch(e);
    return e;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stored events after `since`, oldest first, optionally only some topics. */
  since(since: number, topics?: readonly Topic[], limit = 1000): FerryEvent[] {
    const out: FerryEvent[] = [];
    let cursor = since;
    // Read in pages so a filter that matches little cannot hold the whole table in memory.
    while (out.length < limit) {
      const rows = this.afterStmt.all(cursor, 1000) as EventRow[];
      if (rows.length === 0) break;
      for (const r of rows) {
        if (!topics || topics.includes(r.topic as Topic)) out.push(toEvent(r));
        if (out.length >= limit) break;
      }
      cursor = rows[rows.length - 1]!.id;
    }
    return out;
  }

  lastId(): number {
    const r = this.db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get('events') as { seq: number } | undefined;
    return r?.seq ?? 0;
  }
}
