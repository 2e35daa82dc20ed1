import { InvalidArgumentError } from 'commander';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parser for a duration option, in seconds: `90` (seconds), `90s`, `15m`, `2h`, `7d`, within
 * bounds (commander reports a throw as a usage error).
 */
export function seconds(min: number, max: number): (value: string) => number {
  return (value) => {
    const m = /^(\d+)([smhd]?)$/.exec(value.trim());
    if (!m) throw new InvalidArgumentError(`expected a duration such as 90, 90s, 15m, 2h or 7d, got "${value}"`);
    const n = Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
    if (n < min || n > max) throw new InvalidArgumentError(`expected a duration from ${describe(min)} to ${describe(max)}, got ${describe(n)}`);
    return n;
  };
}

function describe(s: number): string {
  if (s >= 86_400 && s % 86_400 === 0) return `${s / 86_400}d`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
