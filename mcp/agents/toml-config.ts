import { AgentConfigError } from './errors.js';
import { parseToml, tomlKey, tomlValue, type TomlStatement } from './toml.js';

export interface StdioEntry {
  command: string;
  args: string[];
}

/**
 * Codex's `[mcp_servers.<name>]` table in a TOML file, edited line by line: only the lines of our
 * table (and of its sub-tables, or of dotted/inline keys that define it elsewhere) change;
 * comments, other tables, inline tables and formatting stay byte for byte.
 */
export interface TomlConfig {
  entry(): Record<string, unknown> | undefined;
  withEntry(entry: StdioEntry): string;
  withoutEntry(): string;
}

type Kv = Extract<TomlStatement, { kind: 'kv' }>;
type Header = Extract<TomlStatement, { kind: 'table' }>;
interface Range {
  start: number;
  end: number;
}

const startsWith = (path: string[], prefix: string[]) => prefix.every((p, k) => path[k] === p);

export function tomlConfig(text: string, opts: { file: string; name: string }): TomlConfig {
  const stmts = parseToml(text);
  const ours = ['mcp_servers', opts.name];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  const headers = stmts.filter((s): s is Header => s.kind === 'table' && startsWith(s.path, ours));
  const main = headers.find((h) => !h.array && h.path.length === ours.length);
  // Keys that define our table from a parent table: `ferry = {…}` in [mcp_servers], `mcp_servers.ferry.command = …` at the top.
  const loose = stmts.filter((s): s is Kv => s.kind === 'kv' && !startsWith(s.table, ours) && startsWith([...s.table, ...s.key], ours));
  // `mcp_servers = { … }` (or [[mcp_servers]]): an inline table is closed, no [mcp_servers.ferry] can be added to it.
  const sealed = stmts.find(
    (s) => (s.kind === 'kv' && ours.slice(0, -1).join('\0') === [...s.table, ...s.key].join('\0')) || (s.kind === 'table' && s.array && startsWith(ours, s.path)),
  );
  const arrays = headers.filter((h) => h.array);
  const unsupported = (why: string, line: number) =>
    new AgentConfigError(
      'agent-config-unsupported',
      `${opts.file}:${line}: ${why}; ferry edits only its own table's lines, and cannot here`,
      `write the servers as [mcp_servers.<name>] tables, or edit [mcp_servers.${opts.name}] by hand`,
    );

  const kvsOf = (h: Header): Kv[] => {
    const after = stmts.slice(stmts.indexOf(h) + 1);
    const next = after.findIndex((s) => s.kind === 'table');
    return (next < 0 ? after : after.slice(0, next)) as Kv[];
  };
  const lineRange = (start: number, end: number): Range => {
    const nl = text.indexOf('\n', end);
    return { start, end: nl < 0 ? text.length : nl + 1 };
  };
  const blockOf = (h: Header): Range => {
    const kvs = kvsOf(h);
    return lineRange(h.lineStart, kvs.length ? kvs[kvs.length - 1]!.lineEnd : h.lineEnd);
  };

  const entry = (): Record<string, unknown> | undefined => {
    if (!main && headers.length === 0 && loose.length === 0 && !(sealed?.kind === 'kv' && hasKey(sealed.value, opts.name))) return undefined;
    const out: Record<string, unknown> = {};
    if (sealed?.kind === 'kv' && hasKey(sealed.value, opts.name)) Object.assign(out, (sealed.value as Record<string, unknown>)[opts.name]);
    for (const s of loose) setPath(out, [...s.table, ...s.key].slice(ours.length), s.value);
    for (const h of headers) for (const kv of kvsOf(h)) setPath(out, [...h.path.slice(ours.length), ...kv.key], kv.value);
    return out;
  };

  const removing = (): Range[] => {
    if (sealed) {
      if (sealed.kind === 'kv' && hasKey(sealed.value, opts.name)) throw unsupported('mcp_servers is one inline table', sealed.line);
      if (sealed.kind === 'table') throw unsupported('mcp_servers is an array of tables', sealed.line);
    }
    return [...headers.map(blockOf), ...loose.map((s) => lineRange(s.lineStart, s.lineEnd))];
  };

  return {
    entry,
    withEntry(e) {
      if (sealed) throw unsupported(sealed.kind === 'kv' ? 'mcp_servers is one inline table' : 'mcp_servers is an array of tables', sealed.line);
      if (arrays.length > 0) throw unsupported(`[[mcp_servers.${opts.name}]] is an array of tables`, arrays[0]!.line);
      if (main && loose.length === 0) return inPlace(text, main, kvsOf(main), e, eol);
      const cleaned = cut(text, removing());
      return append(cleaned, e, ours, eol);
    },
    withoutEntry() {
      const ranges = removing();
      return ranges.length === 0 ? text : cut(text, ranges);
    },
  };
}

/** Set command and args in our existing table, leaving its other keys (env, timeouts…) and their lines alone. */
function inPlace(text: string, main: Header, kvs: Kv[], e: StdioEntry, eol: string): string {
  const edits: { start: number; end: number; insert: string }[] = [];
  const missing: string[] = [];
  for (const [k, v] of [['command', e.command], ['args', e.args]] as const) {
    const kv = kvs.find((s) => s.key.length === 1 && s.key[0] === k);
    if (kv) edits.push({ start: kv.valueStart, end: kv.valueEnd, insert: tomlValue(v) });
    else missing.push(`${k} = ${tomlValue(v)}`);
  }
  if (missing.length > 0) {
    // Right after the header: keys after the table's last key could end up past a comment meant for the next table.
    edits.push({ start: main.lineEnd, end: main.lineEnd, insert: missing.map((l) => eol + l).join('') });
  }
  let out = text;
  for (const ed of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, ed.start) + ed.insert + out.slice(ed.end);
  return out;
}

function append(text: string, e: StdioEntry, ours: string[], eol: string): string {
  const table = [`[${ours.map(tomlKey).join('.')}]`, `command = ${tomlValue(e.command)}`, `args = ${tomlValue(e.args)}`].join(eol) + eol;
  if (text === '') return table;
  const ended = text.endsWith('\n') ? text : text + eol;
  // One blank line before our table, unless the file already ends with one.
  return /(^|\n)[ \t]*\r?\n$/.test(ended) ? ended + table : ended + eol + table;
}

/** Remove whole-line ranges; a blank line left doubled (or trailing) by a removal goes with it. */
function cut(text: string, ranges: Range[]): string {
  let out = text;
  for (const r of [...ranges].sort((a, b) => b.start - a.start)) {
    let start = r.start;
    const before = out.slice(0, start);
    const blank = /(^|\n)([ \t]*\r?\n)$/.exec(before);
    const after = out.slice(r.end);
    if (blank && (after === '' || /^[ \t]*\r?\n/.test(after))) start -= blank[2]!.length;
    out = out.slice(0, start) + out.slice(r.end);
  }
  return out;
}

function hasKey(v: unknown, k: string): boolean {
  return typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, k);
}

function setPath(obj: Record<string, unknown>, path: string[], v: unknown): void {
  if (path.length === 0) {
    if (typeof v === 'object' && v !== null) Object.assign(obj, v);
    return;
  }
  let o = obj;
  for (const p of path.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) Object.defineProperty(o, p, { value: {}, enumerable: true, writable: true, configurable: true });
    o = o[p] as Record<string, unknown>;
  }
  Object.defineProperty(o, path[path.length - 1]!, { value: v, enumerable: true, writable: true, configurable: true });
}
