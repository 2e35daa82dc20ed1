import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FerryClient } from '../../server/client/index.js';
import { homePaths } from '../../server/protocol/home.js';
import { useDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/proc.js';
import { ferry, json, spawnFerry } from './run.js';

describe('ferry key and ferry logs', () => {
  const d = useDaemon();
  const run = (args: string[]) => ferry(args, { home: d().home });


  it('key show prints the token on stdout alone, and warns on stderr', async () => {
    const res = await run(['key', 'show']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${d().token}\n`);
    expect(res.stderr).toContain('full control');
    expect(json(await run(['key', 'show', '--json']))).toEqual({ token: d().token, path: homePaths(d().home).token });
  });

  it('key rotate replaces the token: the file changes, the old token is refused, the new one works', async () => {
    const res = await run(['key', 'rotate', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = json<{ rotatedAt: string; path: string; token?: string }>(res);
    expect(out.path).toBe(homePaths(d().home).token);
    expect(out.token).toBeUndefined(); // only with --show
    expect(res.stdout).not.toContain(d().token);

    const fresh = fs.readFileSync(out.path, 'utf8').trim();
    expect(fresh).not.toBe(d().token);
    await expect(new FerryClient({ baseUrl: d().url, token: d().token }).identity()).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(new FerryClient({ baseUrl: d().url, token: fresh }).identity()).resolves.toMatchObject({ nodeId: expect.any(String) });
    // and the CLI itself keeps working, reading the new file
    expect((await run(['status', '--json'])).code).toBe(0);

    const shown = json<{ token: string }>(await run(['key', 'rotate', '--show', '--json']));
    expect(shown.token).toBe(fs.readFileSync(out.path, 'utf8').trim());
  });

  it('logs -n prints the last lines of the daemon log, pretty for people and raw JSON with --json', async () => {
    const raw = await run(['logs', '-n', '2', '--json']);
    expect(raw.code).toBe(0);
    const lines = raw.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('msg');

    const all = await run(['logs', '-n', '1000', '--json']);
    const msgs = all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toContain('ferry daemon listening');

    const pretty = await run(['logs', '-n', '1000']);
    expect(pretty.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO {2}ferry daemon listening /m);
  });

  it('logs -f prints lines appended later, until interrupted', async () => {
    const child = spawnFerry(['logs', '-n', '0', '-f', '--json'], { home: d().home });
    child.stdin!.end();
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const marker = JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'appended-by-test' });
    // Keep appending until the follower has picked it up: it may not have opened the file yet.
    await waitFor(
      () => {
        fs.appendFileSync(homePaths(d().home).log, `${marker}\n`);
        return out.includes('appended-by-test');
      },
      10_000,
      'the appended line to be followed',
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('logs for a data dir that has never run a daemon: log-not-found, exit 1', async () => {
    const empty = fs.mkdtempSync(`${d().home}-empty`);
    try {
      const res = await ferry(['logs', '--json'], { home: empty });
      expect(res.code).toBe(1);
      expect(json<{ error: { code: string } }>(res).error.code).toBe('log-not-found');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
