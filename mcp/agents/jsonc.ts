import { syntaxError } from './syntax-error.js';

/** A parsed value with where its text is, so an edit can touch that text and nothing else. */
export type JsonNode =
  | { kind: 'object'; start: number; end: number; members: JsonMember[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'scalar'; start: number; end: number; value: string | number | boolean | null };

export interface JsonMember {
  key: string;
  keyStart: number;
  node: JsonNode;
}

/**
 * Parse JSON, or with `comments` JSONC (// and /* *\/ comments, as Gemini CLI's settings allow),
 * keeping every value's offsets. Errors name the line and column. Duplicate keys are kept (the
 * last one wins, as JSON.parse does).
 */
export function parseJson(text: string, opts: { comments: boolean }): JsonNode {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (msg: string, at = i): never => {
    throw syntaxError(text, at, msg);
  };

  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && opts.comments && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && opts.comments && text[i + 1] === '*') {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) fail('unterminated /* comment');
        i = close + 2;
      } else if (c === '/') fail(opts.comments ? 'unexpected "/"' : 'comments are not allowed in this file');
      else return;
    }
  };

  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail('invalid escape in string');
      } else if (c.charCodeAt(0) < 0x20) fail('control character in string (a line break inside quotes?)');
      else {
        out += c;
        i++;
      }
    }
  };

  const value = (): JsonNode => {
    skip();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members: JsonMember[] = [];
      skip();
      if (text[i] === '}') return { kind: 'object', start, end: ++i, members };
      for (;;) {
        skip();
        if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma before "}"' : 'expected a "quoted" property name');
        const keyStart = i;
        const key = string();
        skip();
        if (text[i] !== ':') fail('expected ":" after the property name');
        i++;
        members.push({ key, keyStart, node: value() });
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return { kind: 'object', start, end: ++i, members };
        else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      skip();
      if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
      for (;;) {
        skip();
        if (text[i] === ']') fail('trailing comma before "]"');
        items.push(value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
        else fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      const s = string();
      return { kind: 'scalar', start, end: i, value: s };
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail(i >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[i])}`);
    i += m![0].length;
    return { kind: 'scalar', start, end: i, value: JSON.parse(m![0]) as number | boolean | null };
  };

  const root = value();
  skip();
  if (i < text.length) fail('unexpected text after the end of the JSON value');
  return root;
}

/** The plain value of a node (objects with the last of duplicate keys, like JSON.parse). */
export function toValue(node: JsonNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'array') return node.items.map(toValue);
  const out: Record<string, unknown> = {};
  for (const m of node.members) Object.defineProperty(out, m.key, { value: toValue(m.node), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The last member with that key (the one that counts). */
export function member(node: JsonNode, key: string): JsonMember | undefined {
  if (node.kind !== 'object') return undefined;
  for (let k = node.members.length - 1; k >= 0; k--) if (node.members[k]!.key === key) return node.members[k];
  return undefined;
}
