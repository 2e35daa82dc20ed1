import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKOFF_JITTER, backoffDelay, HealthMonitor, type HealthMonitorDeps, type HealthTarget } from '../../server/discovery/health.js';

const INTERVAL = 1_000;
const MAX = 10_000;

/** A fake peer set: each peer is up, down, or hangs (its check never settles). */
function rig(overrides: Partial<HealthMonitorDeps> = {}) {
  const targets: HealthTarget[] = [{ nodeId: 'A', name: 'alpha' }];
  const status = new Map<string, 'up' | 'down' | 'hang' | 'throw'>([['A', 'up']]);
  const calls: { nodeId: string; at: number }[] = [];
  const changes: { nodeId: string; online: boolean; at: number }[] = [];
  const hung: ((ok: boolean) => void)[] = [];
  const monitor = new HealthMonitor({
    targets: () => targets,
    check: (nodeId) => {
      calls.push({ nodeId, at: Date.now() });
      const s = status.get(nodeId) ?? 'down';
      if (s === 'throw') throw new Error('boom');
      if (s === 'hang') return new Promise<boolean>((resolve) => hung.push(resolve));
      return s === 'up' ? Promise.resolve(true) : Promise.reject(new Error('connect ECONNREFUSED'));
    },
    onChange: (nodeId, online) => changes.push({ nodeId, online, at: Date.now() }),
    intervalMs: INTERVAL,
    maxIntervalMs: MAX,
    random: () => 0,
    ...overrides,
  });
  const checksOf = (nodeId: string) => calls.filter((c) => c.nodeId === nodeId).map((c) => c.at - T0);
  return { monitor, targets, status, calls, changes, hung, checksOf };
}

let T0 = 0;
beforeEach(() => {
  vi.useFakeTimers();
  T0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('HealthMonitor', () => {
  it('checks at once on start, announces unknown→online once, then checks every interval while online', async () => {
    const r = rig();
    r.monitor.start();
    await advance(0);
    expect(r.changes).toEqual([{ nodeId: 'A', online: true, at: T0 }]);
    await advance(5 * INTERVAL);
    expect(r.checksOf('A')).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(r.changes).toHaveLength(1);
    expect(r.monitor.state('A')).toEqual({ online: true, lastCheck: T0 + 5000, nextCheck: T0 + 6000, failures: 0 });
    r.monitor.stop();
  });

  it('backs off while offline, doubling up to the cap, and keeps checking forever', async () => {
    const r = rig();
    r.monitor.start();
    await advance(0);
    r.status.set('A', 'down');
    await advance(INTERVAL); // first failed check at t=1000
    expect(r.changes.map((c) => c.online)).toEqual([true, false]);
    expect(r.changes[1]!.at).toBe(T0 + 1000);
    await advance(200_000);
    const times = r.checksOf('A');
    const gaps = times.slice(2).map((t, i) => t - times[i + 1]!);
    // after the 1st failure: 1 s, then 2, 4, 8, capped at 10 s for as long as it stays down
    expect(gaps.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(gaps.every((g) => g <= MAX)).toBe(true);
    expect(times.length).toBeGreaterThan(20);
    expect(r.changes).toHaveLength(2);
    expect(r.monitor.state('A').failures).toBe(times.length - 1);
    r.monitor.stop();
  });

  it('announces recovery once and returns to the normal interval', async () => {
    const r = rig();
    r.status.set('A', 'down');
    r.monitor.start();
    await advance(0);
    await advance(1000 + 2000 + 4000); // failures at 0, 1000, 3000, 7000
    expect(r.monitor.state('A')).toMatchObject({ online: false, failures: 4, nextCheck: T0 + 7000 + 8000 });
    r.status.set('A', 'up');
    await advance(8000);
    expect(r.changes).toEqual([{ nodeId: 'A', online: true, at: T0 + 15_000 }]);
    expect(r.monitor.state('A')).toMatchObject({ online: true, failures: 0, nextCheck: T0 + 16_000 });
    await advance(3 * INTERVAL);
    expect(r.checksOf('A').slice(-4)).toEqual([15_000, 16_000, 17_000, 18_000]);
    r.monitor.stop();
  });

  it('does not announce a peer that was never seen online as "offline"', async () => {
    const r = rig();
    r.status.set('A', 'down');
    r.monitor.start();
    await advance(30_000);
    expect(r.changes).toEqual([]);
    expect(r.monitor.state('A').online).toBe(false);
    r.monitor.stop();
  });

  it('keeps offline delays within the jitter bounds, and varies them', async () => {
    const r = rig({ random: Math.random });
    r.status.set('A', 'down');
    r.monitor.start();
    await advance(0);
    const delays: { base: number; got: number }[] = [];
    for (let i = 0; i < 60; i++) {
      const s = r.monitor.state('A');
      delays.push({ base: backoffDelay(s.failures, INTERVAL, MAX), got: s.nextCheck! - s.lastCheck! });
      await advance(s.nextCheck! - Date.now());
    }
    for (const d of delays) {
      expect(d.got).toBeLessThanOrEqual(d.base);
      expect(d.got).toBeGreaterThanOrEqual(Math.floor(d.base * (1 - BACKOFF_JITTER)));
    }
    const capped = delays.filter((d) => d.base === MAX).map((d) => d.got);
    expect(capped.length).toBeGreaterThan(40);
    expect(new Set(capped).size).toBeGreaterThan(1);
    r.monitor.stop();
  });

  it('stops checking a removed target and ignores the answer of its check in flight', async () => {
    const r = rig();
    r.monitor.start();
    await advance(0);
    r.status.set('A', 'hang');
    await advance(INTERVAL); // a check is now pending
    expect(r.hung).toHaveLength(1);
    r.targets.splice(0);
    r.monitor.sync();
    r.hung[0]!(false);
    await advance(60_000);
    expect(r.checksOf('A')).toEqual([0, 1000]);
    expect(r.changes.map((c) => c.online)).toEqual([true]);
    expect(r.monitor.state('A')).toEqual({ online: null, lastCheck: null, nextCheck: null, failures: 0 });
    r.monitor.stop();
  });

  it('checks a new target promptly, on sync() at once or on the next periodic re-read', async () => {
    const r = rig({ syncIntervalMs: 500 });
    r.monitor.start();
    await advance(0);
    r.targets.push({ nodeId: 'B', name: 'beta' });
    r.status.set('B', 'up');
    await advance(500);
    expect(r.checksOf('B')).toEqual([500]);
    r.targets.push({ nodeId: 'C', name: 'gamma' });
    r.monitor.sync();
    await advance(0);
    expect(r.checksOf('C')).toEqual([500]);
    expect(r.changes.map((c) => c.nodeId)).toEqual(['A', 'B']);
    r.monitor.stop();
  });

  it('bounds a check that never settles, counts it as a failure, and drops its late answer', async () => {
    const r = rig({ checkTimeoutMs: 300 });
    r.monitor.start();
    await advance(0);
    r.status.set('A', 'hang');
    await advance(INTERVAL + 299);
    expect(r.monitor.state('A').online).toBe(true);
    await advance(1);
    expect(r.monitor.state('A')).toMatchObject({ online: false, failures: 1, lastCheck: T0 + 1300, nextCheck: T0 + 2300 });
    expect(r.changes.map((c) => c.online)).toEqual([true, false]);
    r.hung[0]!(true); // the hung check answers, much too late
    await advance(0);
    expect(r.monitor.state('A')).toMatchObject({ online: false, failures: 1 });
    await advance(1000 + 300);
    expect(r.monitor.state('A')).toMatchObject({ failures: 2, nextCheck: T0 + 2600 + 2000 });
    r.monitor.stop();
  });

  it('treats a check that throws or rejects as offline', async () => {
    const r = rig();
    r.monitor.start();
    await advance(0);
    r.status.set('A', 'throw');
    await advance(INTERVAL);
    expect(r.monitor.state('A')).toMatchObject({ online: false, failures: 1 });
    expect(r.changes.map((c) => c.online)).toEqual([true, false]);
    r.monitor.stop();
  });

  it('checkNow runs a check at once, shares one in flight, and re-bases the schedule', async () => {
    const r = rig();
    r.status.set('A', 'down');
    r.monitor.start();
    await advance(0);
    await advance(1000 + 2000); // failures at 0, 1000, 3000; next at 7000
    r.status.set('A', 'up');
    await advance(500);
    const [a, b] = [r.monitor.checkNow('A'), r.monitor.checkNow('A')];
    expect(await a).toBe(true);
    expect(await b).toBe(true);
    expect(r.checksOf('A')).toEqual([0, 1000, 3000, 3500]);
    expect(r.changes).toEqual([{ nodeId: 'A', online: true, at: T0 + 3500 }]);
    expect(r.monitor.state('A').nextCheck).toBe(T0 + 4500);
    expect(await r.monitor.checkNow('nobody')).toBeNull();
    r.monitor.stop();
  });

  it('checks nothing after stop()', async () => {
    const r = rig();
    r.monitor.start();
    await advance(0);
    r.monitor.stop();
    await advance(60_000);
    expect(r.checksOf('A')).toEqual([0]);
    expect(await r.monitor.checkNow('A')).toBeNull();
  });

  it('refuses intervals that cannot work', () => {
    expect(() => rig({ intervalMs: 0 })).toThrow(RangeError);
    expect(() => rig({ intervalMs: 2000, maxIntervalMs: 1000 })).toThrow(RangeError);
  });
});
