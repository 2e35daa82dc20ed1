import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths, type RuntimeInfo } from '../../server/protocol/home.js';
import { tempHome } from '../helpers/daemon.js';
import { isAlive, waitFor } from '../helpers/proc.js';
import { ferry, json } from './run.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('ferry init, start --detach, status, stop', () => {
  let home: string;
  let pid: number | undefined;

  beforeAll(() => {
    home = path.join(tempHome('ferry-cli-life-'), 'data');
  });
  afterAll(async () => {
    // Whatever a failed test left running must not outlive the suite.
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid!), 5000, 'the daemon to die');
    }
    fs.rmSync(path.dirname(home), { recursive: true, force: true });
  });

  it('status exits 3 (not-initialized) before the data dir exists', async () => {
    const run = await ferry(['status', '--json'], { home });
    expect(run.code).toBe(3);
    expect(json<{ error: { code: string } }>(run).error.code).toBe('not-initialized');
  });

  it('init creates a private data dir, an identity and a 0600 token without starting a daemon', async () => {
    const run = await ferry(['init', '--json'], { home });
    expect(run.code).toBe(0);
    const out = json<{ nodeId: string; home: string; tokenFile: string; created: boolean }>(run);
    const p = homePaths(home);
    expect(out.created).toBe(true);
    expect(out.home).toBe(home);
    expect(out.tokenFile).toBe(p.token);
    expect(out.nodeId).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){6}$/);
    expect(mode(home)).toBe(0o700);
    expect(mode(p.token)).toBe(0o600);
    expect(mode(p.key)).toBe(0o600);
    expect(fs.existsSync(p.cert)).toBe(true);
    expect(fs.existsSync(p.pid)).toBe(false);

    const again = json<{ created: boolean; nodeId: string }>(await ferry(['init', '--json'], { home }));
    expect(again).toMatchObject({ created: false, nodeId: out.nodeId });
  });

  it('status says daemon-unreachable (exit 3, hint `ferry start`) while it is initialised but stopped', async () => {
    const run = await ferry(['status'], { home, env: { FERRY_PORT: '1' } });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[daemon-unreachable]');
    expect(run.stderr).toContain('ferry start');
    const asJson = await ferry(['status', '--json'], { home, env: { FERRY_PORT: '1' } });
    expect(asJson.code).toBe(3);
    expect(json<{ error: { code: string } }>(asJson).error.code).toBe('daemon-unreachable');
  });

  it('start --detach returns once the daemon answers, and status --json describes it', async () => {
    const run = await ferry(['start', '--detach', '--json', '--name', 'cli-life'], { home, env: { FERRY_PORT: '0' } });
    expect(run.code, run.stderr).toBe(0);
    const started = json<{ url: string; pid: number; adminUrl: string; tokenPath: string }>(run);
    pid = started.pid;
    expect(started.adminUrl).toBe(`${started.url}/admin/`);
    const runtime = JSON.parse(fs.readFileSync(homePaths(home).runtime, 'utf8')) as RuntimeInfo;
    expect(runtime).toMatchObject({ pid: started.pid, url: started.url });
    expect(isAlive(started.pid)).toBe(true);

    const status = json<{ name: string; pid: number; dataDir: string }>(await ferry(['status', '--json'], { home }));
    expect(status).toMatchObject({ name: 'cli-life', pid: started.pid, dataDir: home });

    const plain = await ferry(['status'], { home });
    expect(plain.stdout).toContain('cli-life: running');
    expect(plain.stdout).not.toContain('\u001b['); // piped: no colour, no box
  });

  it('refuses a second start for the same data dir with already-running', async () => {
    const run = await ferry(['start', '--detach', '--json'], { home, env: { FERRY_PORT: '0' } });
    expect(run.code).toBe(1);
    expect(json<{ error: { code: string; details: { pid: number } } }>(run).error).toMatchObject({
      code: 'already-running',
      details: { pid },
    });
  });

  it('doctor --json passes every check against the running daemon', async () => {
    const run = await ferry(['doctor', '--json'], { home });
    const report = json<{ ok: boolean; checks: { id: string; status: string }[] }>(run);
    expect(run.code, run.stdout).toBe(0);
    expect(report.ok).toBe(true);
    expect(Object.fromEntries(report.checks.map((c) => [c.id, c.status]))).toEqual({
      node: 'pass',
      'data-dir': 'pass',
      'admin-token': 'pass',
      identity: 'pass',
      config: 'pass',
      database: 'pass',
      daemon: 'pass',
      'token-accepted': 'pass',
    });
  });

  it('doctor fails (exit 1) on a token others can read and on a config key that does not exist', async () => {
    const p = homePaths(home);
    fs.chmodSync(p.token, 0o644);
    fs.writeFileSync(p.config, 'exec:\n  maxConcurent: 3\n');
    try {
      const run = await ferry(['doctor', '--json'], { home });
      expect(run.code).toBe(1);
      const checks = json<{ ok: boolean; checks: { id: string; status: string; message: string }[] }>(run).checks;
      expect(checks.find((c) => c.id === 'admin-token')?.status).toBe('fail');
      const config = checks.find((c) => c.id === 'config');
      expect(config?.status).toBe('fail');
      expect(config?.message).toContain('maxConcurent');
    } finally {
      fs.chmodSync(p.token, 0o600);
      fs.rmSync(p.config);
    }
  });

  it('stop sends SIGTERM, waits until the process is gone, and the daemon cleans up after itself', async () => {
    const run = await ferry(['stop', '--json'], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ stopped: true, pid });
    expect(isAlive(pid!)).toBe(false);
    expect(fs.existsSync(homePaths(home).pid)).toBe(false);
    expect(fs.existsSync(homePaths(home).runtime)).toBe(false);
  });

  it('stop with nothing running exits 0 and says not-running', async () => {
    const run = await ferry(['stop', '--json'], { home });
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({ stopped: false, reason: 'not-running' });
  });

  it('stop removes a pid file whose process is gone', async () => {
    // A pid that is certainly dead: a process we started and waited for.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(homePaths(home).pid, `${gone}\n`);
    const run = await ferry(['stop', '--json'], { home });
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({ stopped: false, reason: 'stale-pid-file', pid: Number(gone) });
    expect(fs.existsSync(homePaths(home).pid)).toBe(false);
  });

  it('start --detach reports a daemon that dies while starting, with the end of its log (exit 1)', async () => {
    fs.writeFileSync(homePaths(home).config, 'port: not-a-number\n');
    try {
      const run = await ferry(['start', '--detach', '--json'], { home });
      expect(run.code).toBe(1);
      const error = json<{ error: { code: string; details: { logTail: string } } }>(run).error;
      expect(error.code).toBe('start-failed');
      expect(error.details.logTail).toContain('port');
    } finally {
      fs.rmSync(homePaths(home).config);
    }
  });
});
