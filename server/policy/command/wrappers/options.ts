// Reading a wrapper's own words the way the real program does: getopt-style options, leading
// NAME=value assignments, and operands joined into a command line.

import { literalWord, type Word } from '../../shell/words.js';
import { isCodeEnv } from '../resolve.js';
import type { Run } from '../run.js';

type Kind = 'arg' | 'flag' | 'opt';
export interface OptSpec {
  /** Short options that take a value, attached or as the next word. */
  arg?: string;
  flag?: string;
  /** Short options whose value can only be attached (xargs -i{}, -l5). */
  opt?: string;
  /** Long name → the short letter it equals, or its kind. Unique prefixes match, as in getopt_long. */
  long?: Record<string, string>;
  /** `-5` / `--5` (nice's old form). */
  numeric?: boolean;
  /** Options may follow operands (getopt without '+'): su, script. */
  permute?: boolean;
}

export interface Parsed {
  next: number;
  operands: number[];
  has(key: string): boolean;
  value(key: string): string | undefined;
  values(key: string): string[];
}

export const HELP = { help: 'flag', version: 'flag' } as const;

function shortKind(spec: OptSpec, ch: string): Kind | null {
  if (spec.arg?.includes(ch)) return 'arg';
  if (spec.opt?.includes(ch)) return 'opt';
  if (spec.flag?.includes(ch)) return 'flag';
  return null;
}

export function parseOptions(run: Run, start: number, spec: OptSpec): Parsed | null {
  const ws = run.words;
  const seen = new Map<string, (string | true)[]>();
  const operands: number[] = [];
  const set = (k: string, v: string | true): void => void seen.set(k, [...(seen.get(k) ?? []), v]);
  const fail = (why: string): null => {
    run.opaque(`${run.name}: ${why}`);
    return null;
  };
  const valueAt = (i: number, opt: string): string | null => {
    const v = ws[i];
    if (!v) return fail(`${opt} needs a value`);
    if (!v.literal) return fail(`the value of ${opt} is only known when the command runs`);
    return v.text;
  };
  let i = start;
  while (i < ws.length) {
    const w = ws[i]!;
    if (!w.literal) {
      if (!spec.permute) return fail(`${w.raw} is only known when the command runs, and could be an option`);
      return fail(`${w.raw} is only known when the command runs`);
    }
    const t = w.text;
    if (t === '--') {
      for (i++; spec.permute && i < ws.length; i++) operands.push(i);
      break;
    }
    if (spec.numeric && /^--?[+-]?[0-9]+$/.test(t)) {
      set('#', t.replace(/^--?/, ''));
      i++;
      continue;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const given = t.slice(2, eq < 0 ? undefined : eq);
      const names = Object.keys(spec.long ?? {});
      const prefixed = names.filter((n) => n.startsWith(given));
      const full = names.includes(given) ? given : prefixed.length === 1 ? prefixed[0] : undefined;
      if (!full || given === '') return fail(`unknown option --${given}`);
      const target = spec.long![full]!;
      const key = target.length === 1 ? target : full;
      const kind = target.length === 1 ? shortKind(spec, target) : (target as Kind);
      if (kind === 'arg') {
        if (eq >= 0) set(key, t.slice(eq + 1));
        else {
          const v = valueAt(i + 1, `--${full}`);
          if (v === null) return null;
          set(key, v);
          i++;
        }
      } else if (kind === 'flag') {
        if (eq >= 0) return fail(`--${full} takes no value`);
        set(key, true);
      } else set(key, eq >= 0 ? t.slice(eq + 1) : true);
      i++;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      let took = false;
      for (let j = 1; j < t.length; j++) {
        const ch = t[j]!;
        const kind = shortKind(spec, ch);
        if (kind === 'arg') {
          const rest = t.slice(j + 1);
          if (rest) set(ch, rest);
          else {
            const v = valueAt(i + 1, `-${ch}`);
            if (v === null) return null;
            set(ch, v);
            took = true;
          }
          break;
        }
        if (kind === 'opt') {
          set(ch, t.slice(j + 1) || true);
          break;
        }
        if (kind !== 'flag') return fail(`unknown option -${ch}`);
        set(ch, true);
      }
      i += took ? 2 : 1;
      continue;
    }
    if (!spec.permute) break;
    operands.push(i);
    i++;
  }
  const strings = (k: string): string[] => (seen.get(k) ?? []).filter((v): v is string => typeof v === 'string');
  return { next: i, operands, has: (k) => seen.has(k), value: (k) => strings(k).at(-1), values: strings };
}

/** `NAME=value` words before the command (sudo, env). Returns the next index, or -1. */
export function assignmentsAt(run: Run, i: number): number {
  const ws = run.words;
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    if (!w.literal) {
      run.opaque(`${run.name}: ${w.raw} is only known when the command runs`);
      return -1;
    }
    const m = /^([^=]+)=/.exec(w.text);
    if (!m) break;
    if (isCodeEnv(m[1]!)) run.opaque(`${run.name} sets ${m[1]}, which changes what runs`);
  }
  return i;
}

export const joinLiteral = (run: Run, ws: Word[]): Word | null => {
  if (ws.some((w) => !w.literal)) {
    run.opaque(`the command line given to ${run.name} is only known when the command runs`);
    return null;
  }
  return literalWord(ws.map((w) => w.text).join(' '));
};

export const escapeRe = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
