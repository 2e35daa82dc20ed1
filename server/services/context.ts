import type { Config } from '../config.js';
import { type EventBus } from '../events/bus.js';
import { ApiError } from '../http/errors.js';
import type { ContextDeleted, ContextEntry, ContextPage, ContextPut, FerryEvent } from '../protocol/index.js';
import { type ContextStore, type ContextRow } from '../store/context-store.js';
import type { Clock } from './clock.js';
import { iso, isoOrNull } from '../util/time.js';


export function toEntry(r: ContextRow): ContextEntry {
  return {
    key: r.key,
    value: JSON.parse(r.value) as unknown,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    expiresAt: isoOrNull(r.expires_at),
    updatedBy: r.updated_by,
  };
}

const live = (r: ContextRow | undefined, now: number): r is ContextRow => r !== undefined && (r.expires_at === null || r.expires_at > now);

/** The key-value context: versions with compare-and-set, TTLs, limits, change events. */
export class ContextService {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ContextStore,
    private readonly bus: EventBus,
    private readonly config: Config['context'],
    private readonly clock: Clock,
  ) {}

  get(key: string): ContextEntry {
    const row = this.store.get(key);
    if (!live(row, this.clock.now())) throw new ApiError('key-not-found', `no context entry "${key}"`, { key });
    return toEntry(row);
  }

  put(key: string, put: ContextPut, principal: string): { entry: ContextEntry; created: boolean } {
    const value = JSON.stringify(put.value);
    const size = Buffer.byteLength(value, 'utf8');
    if (size > this.config.maxValueBytes) {
      throw new ApiError('value-too-large', `the value is ${size} bytes as JSON; the limit is ${this.config.maxValueBytes} (context.maxValueBytes)`, {
        size,
        limit: this.config.maxValueBytes,
      });
    }
    const events: FerryEvent[] = [];
    const result = this.store.transaction(() => {
      const now = this.clock.now();
      const current = this.store.get(key);
      const existing = live(current, now) ? current : undefined;
      const actual = existing?.version ?? 0;
      if (put.ifVersion !== undefined && put.ifVersion !== actual) {
        throw new ApiError(
          'version-conflict',
          actual === 0 ? `"${key}" does not exist (expected version ${put.ifVersion})` : `"${key}" is at version ${actual}, not ${put.ifVersion}`,
          { key, expected: put.ifVersion, actual },
        );
      }
      if (!existing && this.store.countLive(now) >= this.config.maxEntries) {
        throw new ApiError('context-full', `the context holds ${this.config.maxEntries} entries, its limit (context.maxEntries); delete some first`, {
          limit: this.config.maxEntries,
        });
      }
      const row: ContextRow = {
        key,
        value,
        version: actual + 1,
        created_at: existing?.created_at ?? now,
        updated_at: now,
        expires_at: put.ttlSeconds !== undefined ? now + put.ttlSeconds * 1000 : null,
        updated_by: principal,
      };
      this.store.upsert(row);
      const entry = toEntry(row);
      events.push(this.bus.record('context.changed', { op: 'put', key, version: row.version, entry }));
      return { entry, created: !existing };
    });
    this.bus.dispatch(...events);
    return result;
  }

  delete(key: string, ifVersion: number | undefined): ContextDeleted {
    const events: FerryEvent[] = [];
    const result = this.store.transaction(() => {
      const row = this.store.get(key);
      if (!live(row, this.clock.now())) throw new ApiError('key-not-found', `no context entry "${key}"`, { key });
      if (ifVersion !== undefined && ifVersion !== row.version) {
        throw new ApiError('version-conflict', `"${key}" is at version ${row.version}, not ${ifVersion}`, { key, expected: ifVersion, actual: row.version });
      }
      this.store.delete(key);
      events.push(this.bus.record('context.changed', { op: 'delete', key, version: row.version, entry: null }));
      return { key, deleted: true as const, version: row.version };
    });
    this.bus.dispatch(...events);
    return result;
  }

  list(opts: { prefix?: string | undefined; limit?: number | undefined; after?: string | undefined }): ContextPage {
    const limit = opts.limit ?? 100;
    const rows = this.store.list(opts.prefix ?? '', opts.after ?? '', limit + 1, this.clock.now());
    const page = rows.slice(0, limit);
    return { items: page.map(toEntry), nextCursor: rows.length > limit ? page[page.length - 1]!.key : null };
  }

  count(): number {
    return this.store.countLive(this.clock.now());
  }

  /** Remove expired entries and announce each one (reads already hide them). */
  sweep(batch = 500): number {
    const now = this.clock.now();
    const events: FerryEvent[] = [];
    this.store.transaction(() => {
      for (const r of this.store.expired(now, batch)) {
        if (this.store.deleteExpired(r.key, now)) {
          events.push(this.bus.record('context.changed', { op: 'expire', key: r.key, version: r.version, entry: null }));
        }
      }
    });
    this.bus.dispatch(...events);
    return events.length;
  }

  startSweeper(intervalMs: number): void {
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
