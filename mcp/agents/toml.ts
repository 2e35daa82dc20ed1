import { syntaxError } from './syntax-error.js';

/**
 * A TOML document as a list of statements with their offsets: enough to find one table and edit
 * only its lines. Values are read (strings, numbers, booleans, dates as text, arrays, inline tables)
 * and checked, so a malformed file is reported with its line before anything is written.
 */
export type TomlStatement =
  | { kind: 'table'; path: string[]; array: boolean; lineStart: number; lineEnd: number; line: number }
  | {
      kind: 'kv';
      /** The table the statement is in, and its (dotted) key: the full path is both. */
      table: string[];
      key: string[];
      value: unknown;
      valueStart: number;
      valueEnd: number;
      /** From the start of its first line to the end of its last line (without the newline). */
      lineStart: number;
      lineEnd: number;
      line: number;
    };

const BARE = /[A-Za-z0-9_-]/;
const SCALAR = /^[A-Za-z0-9_:.+-]+/;
const INTEGER = /^[+-]?(0|[1-9](_?\d)*)$|^0x[0-9A-Fa-f](_?[0-9A-Fa-f])*$|^0o[0-7](_?[0-7])*$|^0b[01](_?[01])*$/;
const FLOAT = /^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d(_?\d)*)?$|^[+-]?(inf|nan)$/;
const DATE = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$|^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export function parseToml(text: string): TomlStatement[] {
  let i = 0;
  const out: TomlStatement[] = [];
  const fail = (msg: string, at = i): never => {
    throw syntaxError(text, at, msg);
  };
  const lineNo = (at: number) => text.slice(0, at).split('\n').length;
  const ws = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  /** Whitespace, newlines and comments (inside arrays and, leniently, inline tables). */
  const wsnl = () => {
    for (;;) {
      ws();
      if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      else if (text[i] === '\n') i++;
      else if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
      else return;
    }
  };
  /** After a statement: optional comment, then a newline or the end. */
  const endOfLine = () => {
    ws();
    if (text[i] === '#') while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    const end = i;
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (text[i] === '\n') i++;
    else if (i < text.length) fail(`expected the end of the line, found ${JSON.stringify(text[i])}`);
    return end;
  };

  const basic = (multi: boolean): string => {
    const start = i;
    i += multi ? 3 : 1;
    if (multi && text[i] === '\n') i++;
    else if (multi && text.startsWith('\r\n', i)) i += 2;
    let s = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i]!;
      if (multi && text.startsWith('"""', i)) {
        // Up to two quotes may end the content right before the closing delimiter.
        let q = 3;
        while (q < 5 && text[i + q] === '"') q++;
        s += '"'.repeat(q - 3);
        i += q;
        return s;
      }
      if (!multi && c === '"') {
        i++;
        return s;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
        if (e !== undefined && e in simple) {
          s += simple[e];
          i += 2;
        } else if ((e === 'u' || e === 'U' || e === 'x') && new RegExp(`^[0-9A-Fa-f]{${e === 'u' ? 4 : e === 'U' ? 8 : 2}}`).test(text.slice(i + 2))) {
          const n = e === 'u' ? 4 : e === 'U' ? 8 : 2;
          const cp = parseInt(text.slice(i + 2, i + 2 + n), 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('invalid unicode escape');
          s += String.fromCodePoint(cp);
          i += 2 + n;
        } else if (multi && /^\\[ \t]*\r?\n/.test(text.slice(i))) {
          // Line-ending backslash: the newline and the whitespace after it are dropped.
          i++;
          while (/[ \t\r\n]/.test(text[i] ?? '')) i++;
        } else fail('invalid escape in string');
      } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
        if (!multi) fail('line break inside a "string" (use """ for multi-line strings)');
        s += c;
        i++;
      } else if (c.charCodeAt(0) < 0x20 && c !== '\t') fail('control character in string');
      else {
        s += c;
        i++;
      }
    }
  };

  const literal = (multi: boolean): string => {
    const start = i;
    const delim = multi ? "'''" : "'";
    i += delim.length;
    if (multi && text[i] === '\n') i++;
    else if (multi && text.startsWith('\r\n', i)) i += 2;
    const close = text.indexOf(delim, i);
    const nl = text.indexOf('\n', i);
    if (close < 0 || (!multi && nl >= 0 && nl < close)) fail('unterminated string', start);
    let end = close;
    if (multi) while (text[end + 3] === "'" && end - close < 2) end++;
    const s = text.slice(i, end);
    i = end + delim.length;
    return s;
  };

  const simpleKey = (): string => {
    if (text[i] === '"') return basic(false);
    if (text[i] === "'") return literal(false);
    const start = i;
    while (i < text.length && BARE.test(text[i]!)) i++;
    if (i === start) fail(text[i] === undefined ? 'expected a key' : `expected a key, found ${JSON.stringify(text[i])}`);
    return text.slice(start, i);
  };
  const key = (): string[] => {
    const parts = [simpleKey()];
    for (;;) {
      ws();
      if (text[i] !== '.') return parts;
      i++;
      ws();
      parts.push(simpleKey());
    }
  };

  const value = (): unknown => {
    const c = text[i];
    if (text.startsWith('"""', i)) return basic(true);
    if (c === '"') return basic(false);
    if (text.startsWith("'''", i)) return literal(true);
    if (c === "'") return literal(false);
    if (c === '[') {
      i++;
      const items: unknown[] = [];
      for (;;) {
        wsnl();
        if (text[i] === ']') {
          i++;
          return items;
        }
        items.push(value());
        wsnl();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('expected "," or "]" in the array');
      }
    }
    if (c === '{') {
      i++;
      const table: Record<string, unknown> = {};
      for (;;) {
        wsnl();
        if (text[i] === '}') {
          i++;
          return table;
        }
        const k = key();
        ws();
        if (text[i] !== '=') fail('expected "=" in the inline table');
        i++;
        ws();
        setPath(table, k, value());
        wsnl();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('expected "," or "}" in the inline table');
      }
    }
    const m = SCALAR.exec(text.slice(i, i + 200));
    if (!m) fail(i >= text.length ? 'expected a value' : `expected a value, found ${JSON.stringify(c)}`);
    let token = m![0];
    // A date and a time may be separated by one space.
    const timeAfterSpace = /^ \d{2}:\d{2}[0-9:.Zz+-]*/.exec(text.slice(i + token.length, i + token.length + 40));
    if (/^\d{4}-\d{2}-\d{2}$/.test(token) && timeAfterSpace) token += timeAfterSpace[0];
    const at = i;
    i += token.length;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (INTEGER.test(token)) return Number(token.replace(/_/g, ''));
    if (FLOAT.test(token)) return Number(token.replace(/_/g, '').replace(/^([+-]?)inf$/, '$1Infinity'));
    if (DATE.test(token)) return token;
    return fail(`not a TOML value: ${token}`, at);
  };

  let table: string[] = [];
  const headers = new Map<string, number>();
  const keys = new Map<string, number>();
  for (;;) {
    wsnl();
    if (i >= text.length) return out;
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    const line = lineNo(i);
    if (text[i] === '[') {
      const array = text[i + 1] === '[';
      i += array ? 2 : 1;
      ws();
      const path = key();
      ws();
      if (!text.startsWith(array ? ']]' : ']', i)) fail(`expected "${array ? ']]' : ']'}" to close the table header`);
      i += array ? 2 : 1;
      const id = path.join('\0');
      if (!array && headers.has(id)) fail(`table [${path.join('.')}] is defined twice (first on line ${headers.get(id)})`, lineStart);
      if (!array) headers.set(id, line);
      table = path;
      out.push({ kind: 'table', path, array, lineStart, lineEnd: endOfLine(), line });
      continue;
    }
    const k = key();
    ws();
    if (text[i] !== '=') fail('expected "=" after the key');
    i++;
    ws();
    const valueStart = i;
    const v = value();
    const valueEnd = i;
    const id = [...table, ...k].join('\0');
    // Array tables repeat their keys legitimately; elsewhere a second definition is an error.
    if (keys.has(id) && !(out.some((s) => s.kind === 'table' && s.array && s.path.join('\0') === table.join('\0')))) {
      fail(`key ${[...table, ...k].join('.')} is defined twice (first on line ${keys.get(id)})`, lineStart);
    }
    keys.set(id, line);
    out.push({ kind: 'kv', table, key: k, value: v, valueStart, valueEnd, lineStart, lineEnd: endOfLine(), line });
  }
}

function setPath(obj: Record<string, unknown>, path: string[], v: unknown): void {
  let o = obj;
  for (const p of path.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) Object.defineProperty(o, p, { value: {}, enumerable: true, writable: true, configurable: true });
    o = o[p] as Record<string, unknown>;
  }
  Object.defineProperty(o, path[path.length - 1]!, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A TOML basic string or array of them, for the values we write. */
export function tomlValue(v: string | string[]): string {
  const str = (s: string) => JSON.stringify(s).replace(/\u007f/g, '\\u007F');
  return Array.isArray(v) ? `[${v.map(str).join(', ')}]` : str(v);
}

/** A key as TOML needs it: bare when it can be, quoted otherwise. */
export function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}
