import type { Logger } from '../log.js';

export interface HealthTarget {
  nodeId: string;
  name: string;
}

/** Timer functions, injectable so tests (and vitest's fake timers) control time. */
export interface HealthTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HealthMonitorDeps {
  /** The peers to watch (paired peers). Read again on start, on `sync()`, on `checkNow()` and every `syncIntervalMs`. */
  targets: () => HealthTarget[];
  /** Resolve true if the peer answered. A rejection counts as "offline". */
  check: (nodeId: string) => Promise<boolean>;
  /** Called on changes only: unknown→online, online→offline, offline→online. */
  onChange: (nodeId: string, online: boolean) => void;
  /** Between checks while online, and the first backoff step while offline. */
  intervalMs: number;
  /** The backoff never waits longer than this. */
  maxIntervalMs: number;
  /** A check still pending after this long is a failure (the caller's own timeout should fire first). Default: min(intervalMs, 30 s). */
  checkTimeoutMs?: number;
  /** How often the target list is re-read. Default: min(intervalMs, 5 s). */
  syncIntervalMs?: number;
  timers?: HealthTimers;
  now?: () => number;
  /** In [0, 1): the jitter source (tests pin it). */
  random?: () => number;
  log?: Logger;
}

export interface HealthState {
  online: boolean | null;
  lastCheck: number | null;
  nextCheck: number | null;
  failures: number;
}

/** Offline delays lose up to this fraction, so peers that went down together do not stay in step. */
export const BACKOFF_JITTER = 0.1;

/** The wait after `failures` consecutive failed checks, before jitter: interval, ×2, ×4 … capped. */
export function backoffDelay(failures: number, intervalMs: number, maxIntervalMs: number): number {
  if (failures <= 0) return intervalMs;
  // Math.min first on the exponent keeps 2^n finite however long a peer stays away.
  return Math.min(intervalMs * 2 ** Math.min(failures - 1, 40), maxIntervalMs);
}

interface Entry extends HealthState {
  name: string;
  timer: unknown;
  /** The check in flight, shared by every caller that asks meanwhile. */
  running: Promise<boolean> | null;
}

const realTimers: HealthTimers = {
  // Looked up at call time, so fake timers installed after construction still apply.
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Health checks alone must not keep a process alive that is otherwise done.
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Watches peers: every `intervalMs` while online; while offline it backs off (doubling, capped,
 * jittered) and never gives up, so a peer that comes back is noticed without anyone asking.
 */
export class HealthMonitor {
  private readonly entries = new Map<string, Entry>();
  private readonly timers: HealthTimers;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly checkTimeoutMs: number;
  private readonly syncIntervalMs: number;
  private syncTimer: unknown = null;
  private running = false;

  constructor(private readonly deps: HealthMonitorDeps) {
    if (!(deps.intervalMs > 0) || !(deps.maxIntervalMs >= deps.intervalMs)) {
      throw new RangeError(`health intervals must satisfy 0 < intervalMs <= maxIntervalMs (got ${deps.intervalMs}, ${deps.maxIntervalMs})`);
    }
    this.timers = deps.timers ?? realTimers;
    this.now = deps.now ?? (() => Date.now());
    this.random = deps.random ?? Math.random;
    this.checkTimeoutMs = deps.checkTimeoutMs ?? Math.min(deps.intervalMs, 30_000);
    this.syncIntervalMs = deps.syncIntervalMs ?? Math.min(deps.intervalMs, 5_000);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sync();
    this.scheduleSync();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.syncTimer !== null) this.timers.clearTimeout(this.syncTimer);
    this.syncTimer = null;
    for (const e of this.entries.values()) this.clearTimer(e);
    this.entries.clear();
  }

  /** Re-read the targets now: new ones are checked at once, removed ones are forgotten. */
  sync(): void {
    if (!this.running) return;
    let targets: HealthTarget[];
    try {
      targets = this.deps.targets();
    } catch (err) {
      this.deps.log?.warn('health: reading the peer list failed', { err });
      return;
    }
    const wanted = new Map(targets.map((t) => [t.nodeId, t]));
    for (const [nodeId, e] of this.entries) {
      if (wanted.has(nodeId)) continue;
      this.clearTimer(e);
      this.entries.delete(nodeId);
    }
    for (const t of wanted.values()) {
      const e = this.entries.get(t.nodeId);
      if (e) {
        e.name = t.name;
        continue;
      }
      const entry: Entry = { name: t.name, online: null, lastCheck: null, nextCheck: null, failures: 0, timer: null, running: null };
      this.entries.set(t.nodeId, entry);
      void this.run(t.nodeId, entry);
    }
  }

  /**
   * Check a peer now (say, after a request to it failed) instead of waiting for its turn.
   * Resolves with the state after the check, or null if the peer is not a target.
   */
  async checkNow(nodeId: string): Promise<boolean | null> {
    if (!this.running) return null;
    if (!this.entries.has(nodeId)) this.sync();
    const e = this.entries.get(nodeId);
    if (!e) return null;
    return e.running ?? this.run(nodeId, e);
  }

  state(nodeId: string): HealthState {
    const e = this.entries.get(nodeId);
    if (!e) return { online: null, lastCheck: null, nextCheck: null, failures: 0 };
    return { online: e.online, lastCheck: e.lastCheck, nextCheck: e.nextCheck, failures: e.failures };
  }

  private run(nodeId: string, e: Entry): Promise<boolean> {
    this.clearTimer(e);
    e.nextCheck = null;
    const p = this.bounded(nodeId).then((ok) => {
      // Removed (or stopped) meanwhile: the answer is about a peer no longer watched.
      if (this.entries.get(nodeId) !== e) return ok;
      e.running = null;
      this.settle(nodeId, e, ok);
      return ok;
    });
    e.running = p;
    return p;
  }

  /** The caller's check, bounded here too: a check that never settles must not stall the peer's schedule. */
  private bounded(nodeId: string): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        this.timers.clearTimeout(guard);
        resolve(ok);
      };
      const guard = this.timers.setTimeout(() => {
        this.deps.log?.debug('health: check timed out', { nodeId, timeoutMs: this.checkTimeoutMs });
        finish(false);
      }, this.checkTimeoutMs);
      let pending: Promise<boolean>;
      try {
        pending = Promise.resolve(this.deps.check(nodeId));
      } catch (err) {
        pending = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      pending.then(
        (ok) => finish(ok === true),
        (err: unknown) => {
          this.deps.log?.debug('health: check failed', { nodeId, err });
          finish(false);
        },
      );
    });
  }

  private settle(nodeId: string, e: Entry, ok: boolean): void {
    const was = e.online;
    e.lastCheck = this.now();
    e.online = ok;
    e.failures = ok ? 0 : e.failures + 1;
    const delay = ok ? this.deps.intervalMs : this.jittered(backoffDelay(e.failures, this.deps.intervalMs, this.deps.maxIntervalMs));
    e.nextCheck = e.lastCheck + delay;
    e.timer = this.timers.setTimeout(() => {
      e.timer = null;
      if (this.entries.get(nodeId) === e && !e.running) void this.run(nodeId, e);
    }, delay);
    // A peer never seen online that fails its first check was not "lost": nothing to announce.
    const changed = ok ? was !== true : was === true;
    if (!changed) return;
    try {
      this.deps.onChange(nodeId, ok);
    } catch (err) {
      this.deps.log?.warn('health: change listener failed', { nodeId, err });
    }
  }

  private jittered(ms: number): number {
    return Math.round(ms * (1 - BACKOFF_JITTER * this.random()));
  }

  private clearTimer(e: Entry): void {
    if (e.timer !== null) this.timers.clearTimeout(e.timer);
    e.timer = null;
  }

  private scheduleSync(): void {
    this.syncTimer = this.timers.setTimeout(() => {
      this.syncTimer = null;
      if (!this.running) return;
      this.sync();
      this.scheduleSync();
    }, this.syncIntervalMs);
  }
}
