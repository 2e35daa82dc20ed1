/** Time, injected so tests can move it (TTLs, retention) without sleeping. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
