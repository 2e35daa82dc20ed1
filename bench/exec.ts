import { spawn } from 'node:child_process';
import os from 'node:os';
import { stats, withFerry, type Bench } from './lib/bench.js';
import { requestJson } from './lib/http.js';
import { startSpawner, type Spawner, type Target } from './lib/servers.js';
import { cpuSecondsOf, memoryOf } from './lib/proc.js';

const ARGV = ['echo', 'hi'];

/** The same command through the daemon: POST /api/v1/exec in wait mode, over one keep-alive connection. */
async function ferryEcho(ferry: Target): Promise<number> {
  const t0 = performance.now();
  const r = await requestJson(ferry.url, 'POST', '/api/v1/exec', ferry.headers, { argv: ARGV });
  const ms = performance.now() - t0;
  const job = r.body as { status?: string; stdout?: string } | undefined;
  if (r.status !== 200 || job?.status !== 'succeeded' || job.stdout !== 'hi\n') {
    throw new Error(`ferry exec: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  return ms;
}

/** spawn() from this (bench) process, as a caller's own program would. */
function localEcho(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(ARGV[0]!, ARGV.slice(1), { cwd: os.homedir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || out !== 'hi\n') reject(new Error(`local spawn: exit ${code}, stdout ${JSON.stringify(out)}`));
      else resolve(performance.now() - t0);
    });
  });
}

/** spawn() from a minimal node process (the floor), timed inside it. */
async function bareEcho(spawner: Spawner): Promise<number> {
  const r = await spawner.run(ARGV);
  if (r.code !== 0 || r.stdout !== 'hi\n') throw new Error(`bare spawn: exit ${r.code}, stdout ${JSON.stringify(r.stdout)}`);
  return r.ms;
}

export const exec: Bench = {
  name: 'exec',
  summary: '`echo hi` through POST /api/v1/exec (wait mode) vs child_process.spawn from a minimal node process',
  async run(ctx) {
    const warmup = ctx.quick ? 5 : 20;
    const count = ctx.quick ? 50 : 200;
    const spawner = await startSpawner();
    const { value, profile } = await withFerry(ctx, 'exec', async (ferry, measured) => {
      const t = { ferry: [] as number[], bare: [] as number[], local: [] as number[] };
      const runners: Record<keyof typeof t, () => Promise<number>> = { ferry: () => ferryEcho(ferry), bare: () => bareEcho(spawner), local: localEcho };
      const order = Object.keys(runners) as (keyof typeof t)[];
      let cpu0 = 0;
      // Sequential, and interleaved with the order rotating, so drift and ordering hit all alike.
      for (let i = 0; i < warmup + count; i++) {
        if (i === warmup) {
          cpu0 = cpuSecondsOf(ferry.pid);
          measured.start();
        }
        for (let j = 0; j < order.length; j++) {
          const name = order[(i + j) % order.length]!;
          const ms = await runners[name]();
          if (i >= warmup) t[name].push(ms);
        }
      }
      measured.end();
      const rssMb = { daemon: memoryOf(ferry.pid).rssMb, spawner: memoryOf(spawner.pid).rssMb, bench: memoryOf(process.pid).rssMb };
      return { ...t, rssMb, daemonCpuUsPerExec: ((cpuSecondsOf(ferry.pid) - cpu0) * 1e6) / count };
    }).finally(() => spawner.stop());
    const ferry = stats(value.ferry);
    const bare = stats(value.bare);
    const local = stats(value.local);
    const mb = (x: number) => `${Math.round(x)} MB`;
    return {
      name: 'exec',
      title: `exec of \`${ARGV.join(' ')}\`, sequential, ${count} runs after ${warmup} warm-up`,
      baseline: 'child_process.spawn in a minimal node process (rows marked "vs spawn in bench": in the bench process itself)',
      rows: [
        { metric: 'latency p50', unit: 'ms', ferry: ferry.p50, baseline: bare.p50, target: { kind: 'ratio-max', value: 1.5 } },
        { metric: 'latency p99', unit: 'ms', ferry: ferry.p99, baseline: bare.p99 },
        { metric: 'latency mean', unit: 'ms', ferry: ferry.mean, baseline: bare.mean },
        { metric: 'latency p50 vs spawn in bench', unit: 'ms', ferry: ferry.p50, baseline: local.p50 },
      ],
      notes: [
        `daemon CPU per exec: ${Math.round(value.daemonCpuUsPerExec)} µs (its own share: the child's time is not counted)`,
        `fork() copies the spawning process's page tables, so spawn() slows as that process grows: RSS at the end was daemon ${mb(value.rssMb.daemon)}, minimal spawner ${mb(value.rssMb.spawner)}, bench process ${mb(value.rssMb.bench)}`,
        'the daemon also: answers HTTP (keep-alive, JSON), checks Host and the bearer token, validates with zod, realpaths the cwd and finds the program on PATH itself, copies the environment, spawns detached (its own process group) with a timeout timer, reads the child\'s start time from /proc, commits the job row with its pid and job.started in one transaction, job.output events as output comes, the result with job.finished in another, and audits the request',
      ],
      details: { warmup, count, ferry, bare, local, rssMb: value.rssMb, daemonCpuUsPerExec: value.daemonCpuUsPerExec, samplesMs: { ferry: value.ferry, bare: value.bare, local: value.local } },
      profiles: profile ? [profile] : [],
    };
  },
};
