import { member, parseJson, toValue, type JsonMember, type JsonNode } from './jsonc.js';
import { AgentConfigError } from './errors.js';

/**
 * Edits of one server entry in a JSON settings file (`{"mcpServers": {"<name>": {...}}}`) done on
 * the text: the entry's bytes change, every other byte of the file stays as it was (keys, order,
 * formatting, comments). New text follows the file's indentation and line endings.
 */
export interface JsonConfig {
  text: string;
  /** The entry's value as the agent would read it, or undefined. */
  entry(): unknown;
  /** The file with the entry set to `value` (created, with `mcpServers`, if missing). */
  withEntry(value: unknown): string;
  /** The file without the entry (the same text if there was none). */
  withoutEntry(): string;
}

const SERVERS = 'mcpServers';

export function jsonConfig(text: string, opts: { file: string; name: string; comments: boolean }): JsonConfig {
  // An empty (or whitespace-only) file is treated as `{}`, as the agents do when they create it.
  const source = text.trim() === '' ? '{}\n' : text;
  const root = parseJson(source, { comments: opts.comments });
  if (root.kind !== 'object') throw new AgentConfigError('agent-config-invalid', `${opts.file}: the file is not a JSON object`);
  const servers = member(root, SERVERS);
  if (servers && servers.node.kind !== 'object') {
    throw new AgentConfigError('agent-config-invalid', `${opts.file}: "${SERVERS}" is not an object; fix it by hand first`);
  }
  const style = styleOf(source);

  return {
    text,
    entry() {
      const m = servers ? member(servers.node, opts.name) : undefined;
      return m ? toValue(m.node) : undefined;
    },
    withEntry(value) {
      if (!servers) return insertMember(source, root, SERVERS, { [opts.name]: value }, style);
      const existing = member(servers.node, opts.name);
      if (!existing) return insertMember(source, servers.node, opts.name, value, style);
      const indent = lineIndent(source, existing.keyStart);
      return splice(source, existing.node.start, existing.node.end, format(value, indent, style));
    },
    withoutEntry() {
      if (!servers || servers.node.kind !== 'object') return text;
      let out = source;
      // Every member by that name (duplicates too), from the last so earlier offsets stay valid.
      const members = servers.node.members;
      for (let k = members.length - 1; k >= 0; k--) if (members[k]!.key === opts.name) out = removeMember(out, servers.node, k, opts.comments);
      return out;
    },
  };
}

interface Style {
  unit: string;
  eol: string;
}

/** Indent unit and line ending as the file already uses them (2 spaces and \n for a new file). */
function styleOf(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)"/.exec(text);
  return { unit: m ? m[1]! : '  ', eol };
}

/** The leading whitespace of the line `at` is on. */
function lineIndent(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, at))![0];
}

function format(value: unknown, indent: string, style: Style): string {
  return JSON.stringify(value, null, style.unit).replace(/\n/g, style.eol + indent);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Add `"key": value` as the last member of an object. */
function insertMember(text: string, obj: JsonNode, key: string, value: unknown, style: Style): string {
  if (obj.kind !== 'object') throw new Error('not an object');
  const objIndent = lineIndent(text, obj.start);
  const last = obj.members[obj.members.length - 1];
  const indent = last ? lineIndent(text, last.keyStart) : objIndent + style.unit;
  const oneLine = !text.slice(obj.start, obj.end).includes('\n') && last !== undefined;
  if (oneLine) return splice(text, last.node.end, last.node.end, `, ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  const memberText = `${JSON.stringify(key)}: ${format(value, indent, style)}`;
  if (!last) {
    const inside = text.slice(obj.start + 1, obj.end - 1);
    if (/^\s*$/.test(inside)) return splice(text, obj.start + 1, obj.end - 1, `${style.eol}${indent}${memberText}${style.eol}${objIndent}`);
    // Only comments inside: keep them after the new member.
    return splice(text, obj.start + 1, obj.start + 1, `${style.eol}${indent}${memberText}`);
  }
  // After the last value; a comment that ends its line stays with it, behind the new comma.
  const lineEnd = text.indexOf('\n', last.node.end);
  const rest = lineEnd < 0 ? '' : text.slice(last.node.end, lineEnd).replace(/\r$/, '');
  if (lineEnd >= 0 && /^\s*(\/\/.*)?$/.test(rest)) {
    const at = lineEnd - (text[lineEnd - 1] === '\r' ? 1 : 0);
    return splice(splice(text, at, at, `${style.eol}${indent}${memberText}`), last.node.end, last.node.end, ',');
  }
  return splice(text, last.node.end, last.node.end, `,${style.eol}${indent}${memberText}`);
}

/** Remove the k-th member of an object with its comma, keeping the comments around it. */
function removeMember(text: string, obj: JsonNode & { kind: 'object' }, k: number, comments: boolean): string {
  const members: JsonMember[] = obj.members;
  const m = members[k]!;
  if (members.length === 1) return splice(text, obj.start + 1, obj.end - 1, '');
  if (k === members.length - 1) {
    // The comma after the previous value goes, and the member's own line(s); a comment after that comma stays.
    const comma = commaAfter(text, members[k - 1]!.node.end, comments);
    const lineStart = text.lastIndexOf('\n', m.keyStart - 1) + 1;
    let start = m.keyStart;
    if (lineStart > comma && /^[ \t]*$/.test(text.slice(lineStart, m.keyStart))) start = lineStart - (text[lineStart - 2] === '\r' ? 2 : 1);
    else while (start > comma + 1 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    return splice(splice(text, start, m.node.end, ''), comma, comma + 1, '');
  }
  // Not the last: from the start of its line (when it starts one) through the comma after its value.
  const lineStart = text.lastIndexOf('\n', m.keyStart - 1) + 1;
  const start = /^[ \t]*$/.test(text.slice(lineStart, m.keyStart)) ? lineStart : m.keyStart;
  let end = commaAfter(text, m.node.end, comments) + 1;
  const nl = text.indexOf('\n', end);
  if (nl >= 0 && /^[ \t\r]*$/.test(text.slice(end, nl))) end = nl + 1;
  else while (text[end] === ' ' || text[end] === '\t') end++;
  return splice(text, start, end, '');
}

/** The comma that follows a value (past whitespace and comments, which may contain commas themselves). */
function commaAfter(text: string, from: number, comments: boolean): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === ',') return i;
    if (comments && text.startsWith('//', i)) i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (comments && text.startsWith('/*', i)) i = text.indexOf('*/', i) + 2;
    else i++;
  }
  throw new Error('no comma after a member that is not the last one');
}
