import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentConfigError } from '../../mcp/agents/errors.js';
import { AGENTS } from '../../mcp/agents/specs.js';
import { ConfigSyntaxError } from '../../mcp/agents/syntax-error.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const ENTRY = { command: 'node', args: ['/opt/ferry/dist/cli/main.js', 'mcp'] };
const NEW_ENTRY = { command: 'node', args: ['/opt/ferry/dist/cli/main.js', '--home', '/srv/ferry', 'mcp'] };
const open = (agent: keyof typeof AGENTS, text: string) => AGENTS[agent].open(text, `/home/me/${agent}-config`);

const syntaxLine = (fn: () => unknown): number => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigSyntaxError) return err.line;
    throw err;
  }
  throw new Error('expected a syntax error');
};

describe('Claude Code: ~/.claude.json', () => {
  const original = fixture('claude.json');
  const ours = `,
    "ferry": {
      "type": "stdio",
      "command": "node",
      "args": [
        "/opt/ferry/dist/cli/main.js",
        "mcp"
      ]
    }`;

  it('adds our server after the others and changes no other byte (key order, numeric keys, project entries)', () => {
    const added = open('claude', original).withEntry(ENTRY);
    const anchor = '"env": {"GITHUB_TOKEN": "ghp_example"}\n    }';
    expect(added).toBe(original.replace(anchor, anchor + ours));
    expect(open('claude', added).entry()).toEqual({ type: 'stdio', ...ENTRY });
    // The project-level "ferry" is another scope and stays as it was.
    expect(added).toContain('"ferry": { "command": "something-else" }');
  });

  it('re-points an existing entry, keeping the keys the user added to it, and is idempotent', () => {
    const mine = original.replace('"mcpServers": {', '"mcpServers": {\n    "ferry": {"command": "ferry", "args": ["mcp"], "env": {"DEBUG": "1"}},');
    const updated = open('claude', mine).withEntry(NEW_ENTRY);
    expect(open('claude', updated).entry()).toEqual({ type: 'stdio', command: 'node', args: NEW_ENTRY.args, env: { DEBUG: '1' } });
    expect(updated.replace(/ {4}"ferry": \{[\s\S]*?\n {4}\},\n/, '')).toBe(original);
    expect(open('claude', updated).withEntry(NEW_ENTRY)).toBe(updated);
  });

  it('removes exactly what it added', () => {
    const added = open('claude', original).withEntry(ENTRY);
    expect(open('claude', added).withoutEntry()).toBe(original);
    expect(open('claude', original).withoutEntry()).toBe(original);
  });

  it('creates mcpServers in a file without it, and a file from nothing', () => {
    const added = open('claude', '{\n  "numStartups": 1\n}\n').withEntry(ENTRY);
    expect(added).toBe('{\n  "numStartups": 1,\n  "mcpServers": {\n    "ferry": {\n      "type": "stdio",\n      "command": "node",\n      "args": [\n        "/opt/ferry/dist/cli/main.js",\n        "mcp"\n      ]\n    }\n  }\n}\n');
    expect(JSON.parse(open('claude', '').withEntry(ENTRY))).toEqual({ mcpServers: { ferry: { type: 'stdio', ...ENTRY } } });
  });

  it('keeps CRLF line endings and a minified file minified', () => {
    const crlf = original.replace(/\n/g, '\r\n');
    const added = open('claude', crlf).withEntry(ENTRY);
    expect(added.replace(/\r\n/g, '')).not.toContain('\n');
    expect(open('claude', added).withoutEntry()).toBe(crlf);
    const mini = '{"a":1,"mcpServers":{"x":{"command":"y"}}}';
    const miniAdded = open('claude', mini).withEntry(ENTRY);
    expect(miniAdded).not.toContain('\n');
    expect(JSON.parse(miniAdded)).toEqual({ a: 1, mcpServers: { x: { command: 'y' }, ferry: { type: 'stdio', ...ENTRY } } });
  });

  it('removes every duplicate of our name, not the neighbours', () => {
    const dup = '{\n  "mcpServers": {\n    "ferry": {"command": "a"},\n    "keep": {"command": "b"},\n    "ferry": {"command": "c"}\n  }\n}\n';
    expect(open('claude', dup).entry()).toEqual({ command: 'c' });
    expect(open('claude', dup).withoutEntry()).toBe('{\n  "mcpServers": {\n    "keep": {"command": "b"}\n  }\n}\n');
  });

  it.each([
    ['a trailing comma', '{\n  "a": 1,\n}\n', 3],
    ['a comment (strict JSON)', '{\n  // no\n  "a": 1\n}\n', 2],
    ['an unterminated string', '{\n  "a": "x\n}\n', 2],
    ['a missing closing brace', '{\n  "a": {"b": 1}\n', 3],
    ['text after the object', '{}\n{}\n', 2],
    ['a bare word', '{\n  "a": yes\n}', 2],
  ])('reports %s with its line', (_what, text, line) => {
    expect(syntaxLine(() => open('claude', text))).toBe(line);
  });

  it('refuses a file whose mcpServers is not an object', () => {
    expect(() => open('claude', '{"mcpServers": []}').withEntry(ENTRY)).toThrow(AgentConfigError);
  });
});

describe('Gemini CLI: ~/.gemini/settings.json (comments allowed)', () => {
  const original = fixture('gemini-settings.json');

  it('adds our server, keeping every comment and the other server, and removes it back to the same bytes', () => {
    const added = open('gemini', original).withEntry(ENTRY);
    expect(added).toBe(
      original.replace(
        '"docs": { "httpUrl": "https://example.com/mcp" } // remote docs, keep',
        '"docs": { "httpUrl": "https://example.com/mcp" }, // remote docs, keep\n    "ferry": {\n      "command": "node",\n      "args": [\n        "/opt/ferry/dist/cli/main.js",\n        "mcp"\n      ]\n    }',
      ),
    );
    expect(open('gemini', added).entry()).toEqual(ENTRY);
    expect(open('gemini', added).withoutEntry()).toBe(original);
  });

  it('drops the keys of another transport when it re-points our entry', () => {
    const http = '{ "mcpServers": { "ferry": { "httpUrl": "http://127.0.0.1:7717/mcp", "timeout": 5000 } } }';
    expect(open('gemini', open('gemini', http).withEntry(ENTRY)).entry()).toEqual({ timeout: 5000, ...ENTRY });
  });

  it('reports an unterminated block comment with its line', () => {
    expect(syntaxLine(() => open('gemini', '{\n  "a": 1\n  /* open\n}\n'))).toBe(3);
  });
});

describe('Codex CLI: ~/.codex/config.toml', () => {
  const original = fixture('codex-config.toml');

  it('re-points command and args in our table in place: comments, our other keys, sub-tables and other tables stay', () => {
    const updated = open('codex', original).withEntry(ENTRY);
    expect(updated).toBe(original.replace('command = "ferry"\nargs = ["mcp"]', 'command = "node"\nargs = ["/opt/ferry/dist/cli/main.js", "mcp"]'));
    expect(open('codex', updated).entry()).toEqual({ ...ENTRY, tool_timeout_sec: 600, env: { LOG: '1' }, tools: { ferry_execute: { approval_mode: 'prompt' } } });
    expect(open('codex', updated).withEntry(ENTRY)).toBe(updated);
  });

  it('removes our table and its sub-tables, and nothing else', () => {
    const removed = open('codex', original).withoutEntry();
    const start = original.indexOf('[mcp_servers.ferry]');
    const end = original.indexOf('# profiles below');
    expect(removed).toBe(original.slice(0, start) + original.slice(end));
    expect(open('codex', removed).entry()).toBeUndefined();
  });

  it('appends a new table to a file without one, and removing it gives the file back', () => {
    const without = open('codex', original).withoutEntry();
    const added = open('codex', without).withEntry(ENTRY);
    expect(added).toBe(`${without}\n[mcp_servers.ferry]\ncommand = "node"\nargs = ["/opt/ferry/dist/cli/main.js", "mcp"]\n`);
    expect(open('codex', added).withoutEntry()).toBe(without);
    expect(open('codex', '').withEntry(ENTRY)).toBe('[mcp_servers.ferry]\ncommand = "node"\nargs = ["/opt/ferry/dist/cli/main.js", "mcp"]\n');
    const noNewline = 'model = "x"';
    expect(open('codex', noNewline).withEntry(ENTRY)).toBe('model = "x"\n\n[mcp_servers.ferry]\ncommand = "node"\nargs = ["/opt/ferry/dist/cli/main.js", "mcp"]\n');
  });

  it('replaces our inline-table entry, leaving the other inline tables and their comments', () => {
    const inline = fixture('codex-inline.toml');
    expect(open('codex', inline).entry()).toEqual({ command: 'ferry', args: ['mcp'] });
    const added = open('codex', inline).withEntry(ENTRY);
    expect(added).toBe(inline.replace('ferry = { command = "ferry", args = ["mcp"] }\n', '') + '\n[mcp_servers.ferry]\ncommand = "node"\nargs = ["/opt/ferry/dist/cli/main.js", "mcp"]\n');
    expect(open('codex', inline).withoutEntry()).toBe(inline.replace('ferry = { command = "ferry", args = ["mcp"] }\n', ''));
  });

  it('finds and removes an entry written as dotted keys at the top of the file', () => {
    const dotted = fixture('codex-dotted.toml');
    expect(open('codex', dotted).entry()).toEqual({ command: 'ferry', args: ['mcp'] });
    expect(open('codex', dotted).withoutEntry()).toBe('model = "gpt-5"\n');
  });

  it('refuses to edit when all servers are one inline table, naming the line', () => {
    const sealed = fixture('codex-sealed.toml');
    expect(() => open('codex', sealed).withEntry(ENTRY)).toThrow(/codex-config:2: mcp_servers is one inline table/);
    expect(open('codex', sealed).withoutEntry()).toBe(sealed);
  });

  it('keeps CRLF line endings', () => {
    const crlf = original.replace(/\n/g, '\r\n');
    const removed = open('codex', crlf).withoutEntry();
    expect(removed.replace(/\r\n/g, '')).not.toContain('\n');
    const added = open('codex', removed).withEntry(ENTRY);
    expect(added.endsWith('args = ["/opt/ferry/dist/cli/main.js", "mcp"]\r\n')).toBe(true);
    expect(open('codex', added).withoutEntry()).toBe(removed);
  });

  it('writes strings TOML can read back, whatever the path holds', () => {
    const odd = { command: 'node', args: ['/opt/a "quoted" dir\\with\tbackslash/ü/main.js', 'mcp'] };
    expect(open('codex', open('codex', '').withEntry(odd)).entry()).toEqual(odd);
  });

  it.each([
    ['an unterminated string', 'a = "x\nb = 1\n', 1],
    ['a key without a value', 'model = "x"\nbroken\n', 2],
    ['a value that is not TOML', 'a = 1\nb = yes\n', 2],
    ['a table defined twice', '[a]\nx = 1\n\n[a]\ny = 2\n', 4],
    ['a key defined twice', '[a]\nx = 1\nx = 2\n', 3],
    ['an unclosed array', 'a = [1, 2\nb = 3\n', 2],
    ['an unclosed header', '[mcp_servers.ferry\ncommand = "x"\n', 1],
    ['two statements on a line', 'a = 1 b = 2\n', 1],
    ['an unterminated multi-line string', 'a = """\nno end\n', 1],
  ])('reports %s with its line', (_what, text, line) => {
    expect(syntaxLine(() => open('codex', text))).toBe(line);
  });

  it('reads the TOML it does not touch: literal and multi-line strings, dates, numbers, nested arrays', () => {
    const text = "a = 'C:\\path'\nb = '''\nx'''''\nc = 0x1F\nd = 1e3\ne = [[1, 2], ['x']]\nf = 1979-05-27\ng = -inf\nh = true\n";
    expect(() => open('codex', text)).not.toThrow();
    expect(open('codex', text).entry()).toBeUndefined();
  });
});
