import { InvalidArgumentError, Option } from 'commander';

/** Parser for a whole-number option within bounds (commander reports a throw as a usage error). */
export function int(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

/** Parser for a repeatable option: every occurrence is kept, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parser for a repeatable `KEY=VALUE` option. */
export function collectKeyValue(value: string, previous: string[] | undefined): string[] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return collect(value, previous);
}

/** `["A=1", "B=x=y"]` → `{A: "1", B: "x=y"}` (the first `=` splits). */
export function toRecord(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** `--peer <name>`: send the command's request to a paired machine through the local daemon. */
export function peerOption(): Option {
  return new Option('--peer <name>', 'ask this paired machine (name or node id) instead of this one');
}
