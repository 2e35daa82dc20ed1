import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_MAIN, spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { ferry, json, type FerryRun } from '../cli/run.js';
import { structured } from './connect.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Status {
  entry: { command: string; args: string[] };
  agents: { agent: string; installed: boolean; registered: boolean; current: boolean; cli: string | null; entry: { command: string; args: string[] } | null; reason?: string; error?: { code: string; message: string } }[];
}
interface Change {
  entry: { command: string; args: string[] };
  results: ({ agent: string; action: string; via: string; file: string; backup: string | null } | { agent: string; error: { code: string; message: string } })[];
}

/** A user's home with no agent in it, and a data dir that is not the default one. */
let user: string;
let data: string;
let bin: string;
beforeEach(() => {
  user = tempHome('ferry-agents-home-');
  data = tempHome('ferry-agents-data-');
  bin = tempHome('ferry-agents-bin-');
});

/** `ferry … --json` with that home, no agent CLIs on PATH (unless put in `bin`), and none of the agents' own variables. */
const run = (args: string[], env: Record<string, string> = {}): Promise<FerryRun> =>
  ferry([...args, '--json'], { home: data, env: { HOME: user, PATH: bin, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', XDG_DATA_HOME: '', ...env } });

const claudeFile = () => path.join(user, '.claude.json');
const codexFile = () => path.join(user, '.codex', 'config.toml');
const geminiFile = () => path.join(user, '.gemini', 'settings.json');

function place(file: string, fixture: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = fs.readFileSync(path.join(FIXTURES, fixture), 'utf8');
  fs.writeFileSync(file, text);
  return text;
}

describe('ferry mcp add | remove | status (config files)', () => {
  it('refuses to guess when no agent is found here', async () => {
    const r = await run(['mcp', 'add']);
    expect(r.code).toBe(1);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('no-agents-found');
    expect(fs.readdirSync(user)).toEqual([]);
  });

  it('registers with every agent found, with --home for a non-default data dir, keeping the rest of each file and a backup', async () => {
    const claude = place(claudeFile(), 'claude.json');
    const codex = place(codexFile(), 'codex-config.toml');
    const r = await run(['mcp', 'add']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<Change>(r);
    expect(out.entry).toEqual({ command: 'node', args: [CLI_MAIN, '--home', data, 'mcp'] });
    expect(out.results.map((x) => ('action' in x ? [x.agent, x.action, x.via] : x))).toEqual([
      ['claude', 'added', 'file'],
      ['codex', 'updated', 'file'],
    ]);
    // Gemini CLI is not used here: nothing is created for it.
    expect(fs.existsSync(path.join(user, '.gemini'))).toBe(false);
    expect(fs.readFileSync(`${claudeFile()}.ferry-backup`, 'utf8')).toBe(claude);
    expect(fs.readFileSync(`${codexFile()}.ferry-backup`, 'utf8')).toBe(codex);
    const claudeNow = JSON.parse(fs.readFileSync(claudeFile(), 'utf8')) as { mcpServers: Record<string, unknown>; projects: unknown };
    expect(claudeNow.mcpServers.ferry).toEqual({ type: 'stdio', ...out.entry });
    expect(claudeNow.projects).toEqual((JSON.parse(claude) as { projects: unknown }).projects);
    expect(fs.readFileSync(codexFile(), 'utf8')).toContain('# profiles below\n[profiles.fast]');

    const status = json<Status>(await run(['mcp', 'status']));
    expect(status.agents.map((a) => [a.agent, a.installed, a.registered, a.current])).toEqual([
      ['claude', true, true, true],
      ['gemini', false, false, false],
      ['codex', true, true, true],
    ]);
    // Nothing secret in any agent's config.
    const token = fs.existsSync(path.join(data, 'admin.token')) ? fs.readFileSync(path.join(data, 'admin.token'), 'utf8').trim() : 'fy_';
    expect(fs.readFileSync(claudeFile(), 'utf8')).not.toContain(token);

    const again = json<Change>(await run(['mcp', 'add']));
    expect(again.results.map((x) => ('action' in x ? x.action : 'error'))).toEqual(['unchanged', 'unchanged']);
  });

  it('says when an entry starts another installation or data dir, and re-points it', async () => {
    await run(['mcp', 'add', '--agent', 'gemini']);
    const other = tempHome('ferry-agents-other-');
    const status = json<Status>(await run(['mcp', 'status', '--agent', 'gemini'], { FERRY_HOME: other }));
    expect(status.agents).toHaveLength(1);
    expect(status.agents[0]).toMatchObject({ registered: true, current: false });
    expect(status.agents[0]!.reason).toContain(`not ${other}`);
    const moved = json<Change>(await run(['mcp', 'add', '--agent', 'gemini'], { FERRY_HOME: other }));
    expect(moved.results[0]).toMatchObject({ action: 'updated' });
    expect(json<Status>(await run(['mcp', 'status', '--agent', 'gemini'], { FERRY_HOME: other })).agents[0]!.current).toBe(true);
  });

  it('leaves --home out for the default data dir', async () => {
    const defaultHome = path.join(user, '.local', 'share', 'ferry');
    const r = await ferry(['mcp', 'add', '--agent', 'codex', '--json'], { home: defaultHome, env: { HOME: user, PATH: bin, CODEX_HOME: '', XDG_DATA_HOME: '' } });
    expect(json<Change>(r).entry.args).toEqual([CLI_MAIN, 'mcp']);
    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(`[mcp_servers.ferry]\ncommand = "node"\nargs = ${JSON.stringify([CLI_MAIN, 'mcp']).replace(',', ', ')}\n`);
  });

  it('removes only its own entry', async () => {
    const gemini = place(geminiFile(), 'gemini-settings.json');
    await run(['mcp', 'add', '--agent', 'gemini']);
    expect(fs.readFileSync(geminiFile(), 'utf8')).not.toBe(gemini);
    const r = json<Change>(await run(['mcp', 'remove']));
    expect(r.results).toEqual([expect.objectContaining({ agent: 'gemini', action: 'removed', via: 'file' })]);
    expect(fs.readFileSync(geminiFile(), 'utf8')).toBe(gemini);
    expect(json<Change>(await run(['mcp', 'remove', '--agent', 'gemini'])).results[0]).toMatchObject({ action: 'absent' });
  });

  it('leaves a malformed config untouched and names the file and line', async () => {
    fs.writeFileSync(claudeFile(), '{\n  "numStartups": 1,\n  "mcpServers": {\n    "x": {"command": "y"},\n  }\n}\n');
    const before = fs.readFileSync(claudeFile());
    const r = await run(['mcp', 'add', '--agent', 'claude']);
    expect(r.code).toBe(1);
    const error = json<{ error: { code: string; message: string } }>(r).error;
    expect(error.code).toBe('agent-config-invalid');
    expect(error.message).toContain(`${claudeFile()}:5:`);
    expect(fs.readFileSync(claudeFile())).toEqual(before);
    expect(fs.existsSync(`${claudeFile()}.ferry-backup`)).toBe(false);
    expect(fs.readdirSync(user)).toEqual(['.claude.json']);

    // Status reports it per agent instead of failing as a whole.
    const status = json<Status>(await run(['mcp', 'status']));
    expect(status.agents[0]!.error?.code).toBe('agent-config-invalid');
  });

  it('with all agents, one failure does not stop the others and makes the exit code 1', async () => {
    place(codexFile(), 'codex-sealed.toml');
    place(geminiFile(), 'gemini-settings.json');
    const r = await run(['mcp', 'add']);
    expect(r.code).toBe(1);
    const out = json<Change>(r);
    expect(out.results).toEqual([
      expect.objectContaining({ agent: 'gemini', action: 'added' }),
      expect.objectContaining({ agent: 'codex', error: expect.objectContaining({ code: 'agent-config-unsupported' }) }),
    ]);
  });
});

/** A stand-in for an agent's CLI: logs its argv, and does to the config what the real `mcp add|remove` would. */
function fakeAgent(name: 'claude' | 'gemini' | 'codex', opts: { fail?: boolean } = {}): string {
  const log = path.join(bin, `${name}.log`);
  const script = `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path');
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(argv) + '\\n');
${opts.fail ? "process.stderr.write('boom: cannot write settings\\n'); process.exit(1);" : ''}
const home = process.env.HOME;
const add = argv[1] === 'add';
const cmd = ${name === 'gemini' ? "add ? [argv[5], ...argv.slice(7)] : []" : "add ? argv.slice(argv.indexOf('--') + 1) : []"};
if (${JSON.stringify(name)} === 'codex') {
  const file = path.join(home, '.codex', 'config.toml');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  text = text.replace(/\\n?\\[mcp_servers\\.ferry\\]\\ncommand = .*\\nargs = .*\\n/, '');
  if (add) text += '\\n[mcp_servers.ferry]\\ncommand = ' + JSON.stringify(cmd[0]) + '\\nargs = ' + JSON.stringify(cmd.slice(1)) + '\\n';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
} else {
  const file = ${JSON.stringify(name)} === 'claude' ? path.join(home, '.claude.json') : path.join(home, '.gemini', 'settings.json');
  const cfg = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  cfg.mcpServers = cfg.mcpServers || {};
  if (add) cfg.mcpServers.ferry = { command: cmd[0], args: cmd.slice(1) };
  else delete cfg.mcpServers.ferry;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
}
`;
  fs.writeFileSync(path.join(bin, name), script, { mode: 0o755 });
  return log;
}
const calls = (log: string): string[][] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []);

describe("ferry mcp add | remove (the agents' own CLIs)", () => {
  it("uses each agent's own `mcp add` when it is on PATH, with arguments it parses right", async () => {
    const logs = { claude: fakeAgent('claude'), gemini: fakeAgent('gemini'), codex: fakeAgent('codex') };
    const r = await run(['mcp', 'add']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = json<Change>(r);
    const cmd = [out.entry.command, ...out.entry.args];
    expect(out.results.map((x) => ('action' in x ? [x.agent, x.action, x.via] : x))).toEqual([
      ['claude', 'added', 'cli'],
      ['gemini', 'added', 'cli'],
      ['codex', 'added', 'cli'],
    ]);
    expect(calls(logs.claude)).toEqual([['mcp', 'add', '--scope', 'user', 'ferry', '--', ...cmd]]);
    expect(calls(logs.gemini)).toEqual([['mcp', 'add', '--scope', 'user', 'ferry', 'node', '--', ...out.entry.args]]);
    expect(calls(logs.codex)).toEqual([['mcp', 'add', 'ferry', '--', ...cmd]]);
    expect(json<Status>(await run(['mcp', 'status'])).agents.map((a) => [a.agent, a.cli, a.current])).toEqual([
      ['claude', path.join(bin, 'claude'), true],
      ['gemini', path.join(bin, 'gemini'), true],
      ['codex', path.join(bin, 'codex'), true],
    ]);

    // Already right: the CLIs are not called again. Another data dir: removed first, then added.
    await run(['mcp', 'add']);
    expect(calls(logs.claude)).toHaveLength(1);
    await run(['mcp', 'add', '--agent', 'claude'], { FERRY_HOME: tempHome('ferry-agents-other-') });
    expect(calls(logs.claude).slice(1).map((c) => c.slice(0, 2))).toEqual([['mcp', 'remove'], ['mcp', 'add']]);

    const removed = json<Change>(await run(['mcp', 'remove', '--agent', 'codex']));
    expect(removed.results[0]).toMatchObject({ action: 'removed', via: 'cli' });
    expect(calls(logs.codex)[1]).toEqual(['mcp', 'remove', 'ferry']);
  });

  it("reports the agent CLI's own failure", async () => {
    fakeAgent('claude', { fail: true });
    const r = await run(['mcp', 'add', '--agent', 'claude']);
    expect(r.code).toBe(1);
    const error = json<{ error: { code: string; message: string } }>(r).error;
    expect(error.code).toBe('agent-cli-failed');
    expect(error.message).toContain('boom: cannot write settings');
  });
});

describe('the registered command', () => {
  let daemon: SpawnedDaemon | undefined;
  afterAll(async () => {
    await daemon?.stop();
  });

  it('starts a working MCP server for that data dir, with no FERRY_HOME in its environment', async () => {
    daemon = await spawnDaemon();
    await daemon.client.contextPut('registered', { value: 'works' });
    const r = await ferry(['mcp', 'add', '--agent', 'codex', '--json'], { home: daemon.home, env: { HOME: user, PATH: bin, CODEX_HOME: '', XDG_DATA_HOME: '' } });
    const entry = json<Change>(r).entry;
    expect(entry.command).toBe('node');
    // As the agent would start it: its own environment (no FERRY_HOME), the registered arguments.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('FERRY_') && v !== undefined)) as Record<string, string>;
    const transport = new StdioClientTransport({ command: process.execPath, args: entry.args, env: { ...env, HOME: user }, stderr: 'pipe' });
    const mcp = new Client({ name: 'registered', version: '0' });
    await mcp.connect(transport);
    try {
      const got = await mcp.callTool({ name: 'ferry_context_get', arguments: { key: 'registered' } });
      expect(structured<{ entry: { value: unknown } }>(got).entry.value).toBe('works');
    } finally {
      await mcp.close();
    }
  });
});
