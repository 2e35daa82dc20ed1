import type { Logger } from '../log.js';
import type { AuditPage } from '../protocol/index.js';
import type { AuditFilter, AuditRecord, AuditStore } from '../store/audit-store.js';
import type { Clock } from './clock.js';

const DAY = 24 * 3600_000;

/**
 * Every request and decision, kept in SQLite. Records are written in one transaction per turn of
 * the event loop (not one per request), which keeps audit off the hot path; `flush()` runs on
 * shutdown and before every read so a reader always sees what happened before it asked.
 */
export class AuditService {
  private queue: AuditRecord[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retentionDays: number,
  ) {}

  record(r: Omit<AuditRecord, 'at'> & { at?: number }): void {
    this.queue.push({ ...r, at: r.at ?? this.clock.now() });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.store.insertMany(batch);
    } catch (err) {
      this.log.error('could not write audit records', { count: batch.length, err });
    }
  }

  list(filter: AuditFilter, limit: number): AuditPage & { lastId: number | null } {
    this.flush();
    const rows = this.store.list(filter, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page, nextCursor: null, lastId: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  /** Delete records older than the retention period (audit.retentionDays). */
  prune(): number {
    this.flush();
    return this.store.prune(this.clock.now() - this.retentionDays * DAY);
  }

  startRetention(intervalMs = 3600_000): void {
    this.prune();
    this.timer = setInterval(() => this.prune(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}
