import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Job, Status } from '../../server/protocol/index.js';
import { splitTarget } from '../../cli/commands/exec.js';
import { parseValue } from '../../cli/commands/context/set.js';
import { jobExitCode } from '../../cli/lib/job-exit.js';
import type { Check } from '../../cli/lib/doctor.js';
import { painter } from '../../cli/style.js';
import { DoctorView } from '../../cli/views/DoctorView.js';
import { prettyLogLine } from '../../cli/views/log-line.js';
import { StatusView, statusPlain } from '../../cli/views/StatusView.js';

const status: Status = {
  nodeId: 'ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345-67ABC',
  name: 'workbench',
  version: '0.1.0',
  pid: 4242,
  startedAt: '2026-11-21T10:00:00.000Z',
  uptimeSeconds: 3725,
  dataDir: '/home/me/.local/share/ferry',
  listen: { host: '127.0.0.1', port: 7717 },
  peerListen: { host: '0.0.0.0', port: 7718 },
  adminUrl: 'http://127.0.0.1:7717/admin/',
  draining: false,
  jobs: { running: 2, maxConcurrent: 8 },
  aiTasks: { running: 1, queued: 0, maxConcurrent: 3, agents: { claude: true, gemini: false, codex: false } },
  context: { entries: 12, maxEntries: 10000 },
  db: { schemaVersion: 1, sizeBytes: 2 * 1024 * 1024 },
  runtime: { node: 'v22.1.0', platform: 'linux', arch: 'x64', rssBytes: 100 * 1024 * 1024 },
};

describe('StatusView', () => {
  it('draws a box with the node, its address, uptime and load', () => {
    const { lastFrame } = render(createElement(StatusView, { status }));
    const frame = lastFrame() ?? '';
    expect(frame).toContain('╭');
    expect(frame).toContain('workbench');
    expect(frame).toContain('● running');
    expect(frame).toContain('http://127.0.0.1:7717/admin/');
    expect(frame).toContain('1h 2m (pid 4242)');
    expect(frame).toContain('1 running, 0 queued (max 3); agents: claude');
    expect(frame).toContain('2 running (max 8)');
    expect(frame).toContain('schema v1, 2.0 MiB');
  });

  it('says when the daemon is draining', () => {
    const { lastFrame } = render(createElement(StatusView, { status: { ...status, draining: true } }));
    expect(lastFrame()).toContain('● draining');
    expect(statusPlain({ ...status, draining: true })[0]).toBe('workbench: draining');
  });
});

describe('DoctorView', () => {
  it('marks each check and shows hints only for what needs doing', () => {
    const checks: Check[] = [
      { id: 'node', title: 'Node.js', status: 'pass', message: 'v22.1.0', hint: 'never shown' },
      { id: 'admin-token', title: 'admin token', status: 'fail', message: 'admin.token is 0644', hint: 'chmod 600 admin.token' },
      { id: 'daemon', title: 'daemon', status: 'warn', message: 'not running', hint: 'ferry start --detach' },
    ];
    const frame = render(createElement(DoctorView, { checks })).lastFrame() ?? '';
    expect(frame).toMatch(/✔ Node\.js\s+v22\.1\.0/);
    expect(frame).toMatch(/✘ admin token\s+admin\.token is 0644/);
    expect(frame).toContain('→ chmod 600 admin.token');
    expect(frame).not.toContain('never shown');
    expect(frame).toContain('1 problem to fix, 1 warning');
  });
});

describe('exec argument split', () => {
  it('takes everything after -- as the command, and what is before it as the target', () => {
    expect(splitTarget(['ls', '-la'], ['exec', '--', 'ls', '-la'])).toEqual({ target: [], command: ['ls', '-la'] });
    expect(splitTarget(['laptop', 'ls'], ['exec', 'laptop', '--', 'ls'])).toEqual({ target: ['laptop'], command: ['ls'] });
    expect(splitTarget(['echo', 'hi'], ['exec', 'echo', 'hi'])).toEqual({ target: [], command: ['echo', 'hi'] });
    // a `--` inside the command belongs to the command
    expect(splitTarget(['git', 'log', '--', 'x'], ['exec', '--', 'git', 'log', '--', 'x'])).toEqual({
      target: [],
      command: ['git', 'log', '--', 'x'],
    });
  });
});

describe('exit codes of finished jobs', () => {
  const job = (over: Partial<Job>): Job =>
    ({ status: 'failed', exitCode: null, signal: null, error: null, timeoutMs: 1000, ...over }) as Job;
  it('follows the shell conventions', () => {
    expect(jobExitCode(job({ status: 'succeeded', exitCode: 0 }))).toBe(0);
    expect(jobExitCode(job({ exitCode: 3 }))).toBe(3);
    expect(jobExitCode(job({ status: 'timed-out', signal: 'SIGTERM' }))).toBe(124);
    expect(jobExitCode(job({ signal: 'SIGKILL' }))).toBe(137);
    expect(jobExitCode(job({ status: 'canceled', signal: 'SIGTERM' }), 'SIGINT')).toBe(130);
    expect(jobExitCode(job({ status: 'canceled', signal: 'SIGTERM' }))).toBe(143);
    expect(jobExitCode(job({ error: { code: 'command-not-found', message: 'x' } }))).toBe(127);
    expect(jobExitCode(job({ status: 'lost' }))).toBe(1);
  });
});

describe('small parsers', () => {
  it('context values are JSON when they parse, strings otherwise', () => {
    expect(parseValue('{"a":1}', false)).toEqual({ a: 1 });
    expect(parseValue('42', false)).toBe(42);
    expect(parseValue('hello', false)).toBe('hello');
    expect(parseValue('42', true)).toBe('42');
  });

  it('log lines read as time, level, message and fields; other lines pass as they are', () => {
    const plain = painter(false);
    const line = JSON.stringify({ time: '2026-11-21T10:00:00.000Z', level: 'warn', msg: 'slow request', ms: 1200, path: '/api/v1/exec' });
    expect(prettyLogLine(line, plain)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000 WARN {2}slow request ms=1200 path=\/api\/v1\/exec$/);
    expect(prettyLogLine('not json at all', plain)).toBe('not json at all');
  });
});
