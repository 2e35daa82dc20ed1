import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferCreate } from '../../server/protocol/index.js';
import { filePair, MB, procStatus, sampleRss, sha256File, strays, tempDir, transfer, writeSparse, type FilePair } from '../helpers/files.js';

// Files stream with backpressure, never whole in memory: a GiB moved between two daemons leaves
// each of them well under 150 MB resident. The source is sparse (cheap to make), its bytes are not.

const GIB = 1024 * MB;
const BOUND = 150 * MB;
let p: FilePair;
let src: string;
let want: string;
beforeAll(async () => {
  p = await filePair();
  src = path.join(tempDir(), 'gib.img');
  writeSparse(src, GIB, 32);
  want = await sha256File(src);
});
afterAll(async () => {
  await p?.a.kill();
  await p?.b.kill();
});

async function measured(req: Omit<TransferCreate, 'peer'>): Promise<{ rss: Map<number, number>; final: string }> {
  const pids = [p.a.proc.pid!, p.b.proc.pid!];
  const sampler = sampleRss(pids, 100);
  let t;
  try {
    t = await transfer(p.b, { ...req, peer: 'alpha' }, 100_000);
  } finally {
    const rss = sampler.stop();
    console.log(`${req.direction} 1 GiB: max RSS alpha ${Math.round(rss.get(pids[0]!)! / MB)} MB, bravo ${Math.round(rss.get(pids[1]!)! / MB)} MB`);
  }
  expect(t.error).toBeNull();
  expect(t).toMatchObject({ state: 'done', bytes: GIB, sha256: want });
  return { rss: sampler.stop(), final: t.finalPath! };
}

describe('memory while moving 1 GiB', () => {
  it('push: both daemons stay under 150 MB resident (sampled every 100 ms, and the high-water mark)', { timeout: 120_000 }, async () => {
    const dest = tempDir();
    const { rss, final } = await measured({ direction: 'push', source: src, destination: dest });
    for (const [, max] of rss) expect(max).toBeLessThan(BOUND);
    // VmHWM is the peak since start (start-up included), so nothing between two samples escapes it.
    for (const d of [p.a, p.b]) expect(procStatus(d.proc.pid!, 'VmHWM')).toBeLessThan(BOUND);
    expect(await sha256File(final)).toBe(want);
    expect(strays(dest)).toEqual([]);
    fs.rmSync(final);
  });

  it('pull: the same bound', { timeout: 120_000 }, async () => {
    const dest = tempDir();
    const { rss, final } = await measured({ direction: 'pull', source: src, destination: dest });
    for (const [, max] of rss) expect(max).toBeLessThan(BOUND);
    for (const d of [p.a, p.b]) expect(procStatus(d.proc.pid!, 'VmHWM')).toBeLessThan(BOUND);
    expect(await sha256File(final)).toBe(want);
    expect(strays(dest)).toEqual([]);
    fs.rmSync(final);
  });
});
