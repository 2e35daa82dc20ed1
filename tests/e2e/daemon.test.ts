import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DAEMON_MAIN, spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { isAlive, waitFor } from '../helpers/proc.js';

const running: SpawnedDaemon[] = [];
async function start(opts: Parameters<typeof spawnDaemon>[0] = {}) {
  const d = await spawnDaemon(opts);
  running.push(d);
  return d;
}
afterEach(async () => {
  for (const d of running.splice(0)) await d.kill();
});

/** Run the daemon to completion (it should refuse to start) and return its exit code and stderr. */
function runToExit(home: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [DAEMON_MAIN], { env: { ...process.env, FERRY_HOME: home, FERRY_PORT: '0', ...env }, encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('the daemon process', () => {
  it('loses no acknowledged context write to kill -9', async () => {
    const d = await start();
    const N = 300;
    for (let i = 0; i < N; i++) await d.client.contextPut(`k${i}`, { value: { i, s: 'x'.repeat(i % 50) } });
    await d.kill();
    const again = await start({ home: d.home });
    const seen = new Map<string, unknown>();
    let cursor: string | undefined;
    do {
      const page = await again.client.contextList({ limit: 500, ...(cursor ? { cursor } : {}) });
      for (const e of page.items) seen.set(e.key, e.value);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.size).toBe(N);
    for (let i = 0; i < N; i++) expect(seen.get(`k${i}`)).toEqual({ i, s: 'x'.repeat(i % 50) });
  });

  it('keeps finished jobs across a restart, marks crashed ones lost and kills their orphaned processes', async () => {
    const d = await start();
    const done = await d.client.exec({ argv: ['echo', 'persisted'] });
    const orphan = await d.client.exec({ shell: 'echo $$; exec sleep 300', wait: false });
    let pid = 0;
    for await (const item of d.client.jobStream(orphan.id)) {
      if (item.type === 'output') {
        pid = Number(item.output.data.trim());
        break;
      }
    }
    expect(isAlive(pid)).toBe(true);
    await d.kill();
    // The job's process group outlived the crash...
    expect(isAlive(pid)).toBe(true);
    const again = await start({ home: d.home });
    // ...until the next start found it by pid and start time.
    await waitFor(() => !isAlive(pid), 5_000, 'orphaned job process to be killed');
    expect(await again.client.job(done.id)).toMatchObject({ status: 'succeeded', stdout: 'persisted\n', exitCode: 0 });
    expect(await again.client.job(orphan.id)).toMatchObject({ status: 'lost', error: { code: 'daemon-stopped' } });
    const lost = await again.client.jobs({ status: 'lost' });
    expect(lost.items.map((j) => j.id)).toEqual([orphan.id]);
  });

  it('drains on SIGTERM: running jobs interrupted, runtime files removed, WAL checkpointed, exit 0', async () => {
    const d = await start();
    const job = await d.client.exec({ argv: ['sleep', '300'], wait: false });
    await d.client.contextPut('k', { value: 1 });
    expect(await d.stop()).toBe(0);
    expect(fs.existsSync(path.join(d.home, 'daemon.json'))).toBe(false);
    expect(fs.existsSync(path.join(d.home, 'daemon.pid'))).toBe(false);
    const wal = path.join(d.home, 'ferry.db-wal');
    expect(!fs.existsSync(wal) || fs.statSync(wal).size === 0).toBe(true);
    const db = new Database(path.join(d.home, 'ferry.db'), { readonly: true });
    expect(db.prepare('SELECT status FROM jobs WHERE id = ?').get(job.id)).toEqual({ status: 'interrupted' });
    db.close();
    expect(d.output()).toContain('"msg":"ferry daemon stopped"');
  });

  it('refuses a second daemon on the same data dir, and recovers from a stale pid file', async () => {
    const d = await start();
    const second = runToExit(d.home);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already running.*ferry stop/);
    await d.kill();
    expect(fs.existsSync(path.join(d.home, 'daemon.pid'))).toBe(true);
    const again = await start({ home: d.home });
    expect((await again.client.health()).status).toBe('ok');
  });

  it('refuses a database newer than the code, with a clear message, and leaves it as it was', async () => {
    const d = await start();
    await d.stop();
    const db = new Database(path.join(d.home, 'ferry.db'));
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future');
    db.close();
    const r = runToExit(d.home);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schema version 999.*upgrade Ferry/s);
    const after = new Database(path.join(d.home, 'ferry.db'), { readonly: true });
    expect(after.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 999 });
    after.close();
  });

  it('refuses bad configuration naming the key, and a port in use', async () => {
    const home = tempHome();
    const bad = runToExit(home, { FERRY_PORT: 'eighty' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/port = "eighty" \(from FERRY_PORT\)/);
    fs.writeFileSync(path.join(home, 'config.yaml'), 'exec:\n  maxConcurrent: -1\n');
    expect(runToExit(home).stderr).toMatch(/exec\.maxConcurrent = -1 \(from .*config\.yaml\)/);
    fs.rmSync(path.join(home, 'config.yaml'));
    const d = await start();
    const busy = runToExit(tempHome(), { FERRY_PORT: String(d.port) });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/port \d+ .* is in use/);
  });

  it('makes its data dir private and writes secrets 0600', async () => {
    const d = await start();
    expect(fs.statSync(d.home).mode & 0o777).toBe(0o700);
    for (const f of ['admin.token', 'identity/key.pem', 'ferry.db', 'daemon.json', 'logs/daemon.log']) {
      expect(fs.statSync(path.join(d.home, f)).mode & 0o077, f).toBe(0);
    }
    // The token never reaches the log.
    expect(fs.readFileSync(path.join(d.home, 'logs', 'daemon.log'), 'utf8')).not.toContain(d.token);
    expect(d.output()).not.toContain(d.token);
  });
});
