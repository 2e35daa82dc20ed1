import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedDaemon } from '../helpers/daemon.js';
import { filePair, finished, freePort, MB, restart, sha256, sha256File, strays, tempDir, uploadsAs, writeSparse, type FilePair } from '../helpers/files.js';
import { identityOf } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';

// Broken connections and kill -9 on either side, mid-stream, between two real daemons. alpha's
// peer port is pinned, so that bravo finds it at the same address after alpha restarts.

const BIG = 300 * MB;
let p: FilePair;
beforeAll(async () => {
  const port = await freePort();
  p = await filePair({ aEnv: { FERRY_PEER_PORT: String(port), FERRY_FILES_STALE_UPLOAD_HOURS: '1' } });
});
afterAll(async () => {
  await p?.a.kill();
  await p?.b.kill();
});

const partOf = (dir: string, id: string) => path.join(dir, `.ferry-${id}.part`);
const sizeOr0 = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;

/** An empty destination directory, and a BIG sparse source file with its SHA-256. */
async function bigSource(): Promise<{ d: string; src: string; want: string }> {
  const d = tempDir();
  const src = path.join(tempDir(), 'big.bin');
  writeSparse(src, BIG, 64);
  return { d, src, want: await sha256File(src) };
}

/** The upload temporary a transfer writes in `dir` (the only one not in `except`), once it exists. */
async function transferPart(dir: string, except: string[] = []): Promise<{ id: string; file: string }> {
  let found: string | undefined;
  await waitFor(() => (found = strays(dir).find((n) => n.endsWith('.part') && !except.some((id) => n.includes(id)))) !== undefined, 20_000, 'the upload to start');
  return { id: /^\.ferry-(.+)\.part$/.exec(found!)![1]!, file: path.join(dir, found!) };
}

/** The receiver noticed its sender went away and kept what arrived (logged once it is safe to resume). */
const interrupted = (d: SpawnedDaemon, id: string) =>
  waitFor(() => d.output().split('\n').some((l) => l.includes('upload interrupted') && l.includes(id)), 10_000, `upload ${id} to be interrupted`);

/** A raw PUT of `data` that is cut after `cutAt` bytes went out: the connection just breaks. */
function brokenPut(port: number, b: SpawnedDaemon, id: string, data: Buffer, cutAt: number): Promise<void> {
  const { key, cert } = identityOf(b.home);
  return new Promise((resolve) => {
    const req = https.request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `/peer/v1/files/uploads/${id}`,
      rejectUnauthorized: false,
      key,
      cert,
      agent: false,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length), 'x-ferry-offset': '0' },
    });
    req.on('error', () => undefined);
    req.once('close', () => resolve());
    void (async () => {
      for (let at = 0; at < cutAt; at += MB) {
        if (!req.write(data.subarray(at, Math.min(at + MB, cutAt)))) await new Promise((r) => req.once('drain', r));
      }
      req.destroy();
    })();
  });
}

describe('faults mid-stream', () => {
  it('a sender that goes away mid-PUT: the upload keeps what arrived, resumes from there, and the target appears only at commit', async () => {
    const d = tempDir();
    const target = path.join(d, 'resumed.bin');
    const data = crypto.randomBytes(48 * MB);
    const up = uploadsAs(p.b, p.a.peerPort!);
    const id = ((await up.create({ path: target, kind: 'file', size: data.length })).body as { id: string }).id;
    await brokenPut(p.a.peerPort!, p.b, id, data, 16 * MB);
    await interrupted(p.a, id);
    const state = (await up.state(id)).body as { offset: number; prefixSha256: string; state: string };
    expect(state.state).toBe('open');
    expect(state.offset).toBeGreaterThan(0);
    expect(state.offset).toBeLessThanOrEqual(16 * MB);
    expect(state.offset).toBe(sizeOr0(partOf(d, id)));
    expect(state.prefixSha256).toBe(sha256(data.subarray(0, state.offset)));
    expect(fs.existsSync(target)).toBe(false);

    const rest = await up.put(id, state.offset, data.subarray(state.offset));
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ offset: data.length });
    expect(fs.existsSync(target)).toBe(false);
    const done = await up.commit(id, data.length, sha256(data));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ path: target, size: data.length, sha256: sha256(data) });
    expect(await sha256File(target)).toBe(sha256(data));
    expect(strays(d)).toEqual([]);
  });

  it('kill -9 of the receiver mid-push: the transfer resumes into the same upload once it is back; a stale upload is swept at its start', async () => {
    const { d, src, want } = await bigSource();
    // Someone else's upload that nobody will resume: it must not outlive files.staleUploadHours.
    const up = uploadsAs(p.b, p.a.peerPort!);
    const abandoned = ((await up.create({ path: path.join(d, 'abandoned.bin'), kind: 'file', size: 1000 })).body as { id: string }).id;
    expect((await up.put(abandoned, 0, Buffer.alloc(100, 1))).status).toBe(200);

    const t = await p.b.client.startTransfer({ direction: 'push', peer: 'alpha', source: src, destination: d });
    const part = await transferPart(d, [abandoned]);
    await waitFor(() => sizeOr0(part.file) >= BIG * 0.3, 30_000, 'the upload to pass 30%');
    await p.a.kill();
    const atKill = sizeOr0(part.file);
    expect(atKill).toBeLessThan(BIG);
    expect(fs.existsSync(path.join(d, 'big.bin'))).toBe(false);

    // Two hours pass for the abandoned upload (the sweep runs when the daemon starts).
    const db = new Database(path.join(p.a.home, 'ferry.db'));
    db.prepare('UPDATE uploads SET updated_at = updated_at - ? WHERE id = ?').run(2 * 3600_000, abandoned);
    db.close();
    p.a = await restart(p.a, p.aEnv);
    expect(sizeOr0(partOf(d, abandoned))).toBe(0);

    const end = await finished(p.b, t.id);
    expect(end.error).toBeNull();
    expect(end).toMatchObject({ state: 'done', sha256: want, bytes: BIG });
    expect(end.attempts).toBeGreaterThan(1);
    expect(await sha256File(path.join(d, 'big.bin'))).toBe(want);
    // The upload that held atKill bytes is the one committed: the transfer did not start over.
    expect((await up.state(part.id)).body).toMatchObject({ state: 'done' });
    expect((await up.state(abandoned)).body).toMatchObject({ state: 'failed' });
    expect(strays(d)).toEqual([]);
  });

  it('kill -9 of the sender mid-push: after its restart the transfer resumes from the offset the receiver has', async () => {
    const { d, src, want } = await bigSource();
    const t = await p.b.client.startTransfer({ direction: 'push', peer: 'alpha', source: src, destination: d });
    const part = await transferPart(d);
    await waitFor(() => sizeOr0(part.file) >= BIG * 0.3, 30_000, 'the upload to pass 30%');
    await p.b.kill();
    await interrupted(p.a, part.id);
    const up = uploadsAs(p.b, p.a.peerPort!);
    const kept = (await up.state(part.id)).body as { offset: number; state: string };
    expect(kept.state).toBe('open');
    expect(kept.offset).toBeGreaterThanOrEqual(BIG * 0.3);
    expect(kept.offset).toBeLessThan(BIG);

    p.b = await restart(p.b, p.bEnv);
    const end = await finished(p.b, t.id);
    expect(end.error).toBeNull();
    expect(end).toMatchObject({ state: 'done', sha256: want, bytes: BIG });
    expect(end.attempts).toBeGreaterThan(1);
    expect(await sha256File(path.join(d, 'big.bin'))).toBe(want);
    // Resumed, not restarted: an append must start at the receiver's offset, and this upload
    // (which held `kept.offset` bytes) is the one committed.
    expect((await up.state(part.id)).body).toMatchObject({ state: 'done' });
    const creates = await p.a.client.audit({ action: 'files.upload', principal: `peer:${(await p.b.client.identity()).nodeId}` });
    expect(creates.items.filter((e) => e.target === path.join(d, 'big.bin'))).toHaveLength(1);
    expect(strays(d)).toEqual([]);
  });

  /** This machine's own upload (a pull writes through it), by the local API. */
  const localUpload = async (d: SpawnedDaemon, id: string) => d.client.request<{ state: string; offset: number }>('GET', `/files/uploads/${id}`);

  /** Start a pull of a new BIG file, kill -9 `who` at 30 %, check what was kept, restart it, check the end. */
  async function pullSurvives(who: 'source' | 'puller'): Promise<void> {
    const { d, src, want } = await bigSource();
    const t = await p.b.client.startTransfer({ direction: 'pull', peer: 'alpha', source: src, destination: d });
    const part = await transferPart(d);
    await waitFor(() => sizeOr0(part.file) >= BIG * 0.3, 30_000, 'the pull to pass 30%');
    if (who === 'source') {
      await p.a.kill();
      await interrupted(p.b, part.id);
      const kept = await localUpload(p.b, part.id);
      expect(kept.state).toBe('open');
      expect(kept.offset).toBeGreaterThanOrEqual(BIG * 0.3);
      expect(kept.offset).toBeLessThan(BIG);
      p.a = await restart(p.a, p.aEnv);
    } else {
      await p.b.kill();
      expect(sizeOr0(part.file)).toBeLessThan(BIG);
      p.b = await restart(p.b, p.bEnv);
    }
    expect(fs.existsSync(path.join(d, 'big.bin'))).toBe(false);
    const end = await finished(p.b, t.id);
    expect(end.error).toBeNull();
    expect(end).toMatchObject({ state: 'done', sha256: want, bytes: BIG });
    expect(end.attempts).toBeGreaterThan(1);
    expect(await sha256File(path.join(d, 'big.bin'))).toBe(want);
    // The upload that held the bytes kept at the kill is the one committed: the pull did not start over.
    expect((await localUpload(p.b, part.id)).state).toBe('done');
    expect(strays(d)).toEqual([]);
  }

  it('kill -9 of the source mid-pull: the puller keeps what it has and resumes from there (a Range) once the peer is back', () => pullSurvives('source'));

  it('kill -9 of the puller mid-pull: after its restart the pull resumes from what it had on disk', () => pullSurvives('puller'));

  it('canceled mid-push: the receiver drops the upload, no temporary left', async () => {
    const d = tempDir();
    const src = path.join(tempDir(), 'big.bin');
    writeSparse(src, BIG, 16);
    const t = await p.b.client.startTransfer({ direction: 'push', peer: 'alpha', source: src, destination: d });
    const part = await transferPart(d);
    await waitFor(() => sizeOr0(part.file) >= BIG * 0.2, 30_000, 'the upload to pass 20%');
    await p.b.client.cancelTransfer(t.id);
    const end = await finished(p.b, t.id);
    expect(end).toMatchObject({ state: 'canceled', error: { code: 'canceled' } });
    const up = uploadsAs(p.b, p.a.peerPort!);
    await waitFor(async () => ((await up.state(part.id)).body as { state: string }).state === 'failed', 10_000, 'the upload to be dropped');
    expect(strays(d)).toEqual([]);
    expect(fs.existsSync(path.join(d, 'big.bin'))).toBe(false);
  });
});
