import type autocannon from 'autocannon';
import { withFerry, type Bench, type Measured } from './lib/bench.js';
import { load } from './lib/load.js';
import { memoryOf, pin, SERVER_CPU, sleep, spawnIdleNode } from './lib/proc.js';
import { startContextBaseline, type Target } from './lib/servers.js';

const SETTLE_MS = 1000;
/**
 * "Idle" means this long with no requests. V8 keeps the heap it grew under load committed until its
 * memory reducer runs, which it does some 8–25 s after activity stops (it varies run to run).
 */
const IDLE_MS = 30_000;
const KEYS = 100;

/**
 * The request mix: write an entry, read it back, ask for the status, with keys cycling over 100
 * names. autocannon keeps `context` for one pass through the sequence, so GET reads what PUT wrote.
 */
function mix(): autocannon.Request[] {
  let n = 0;
  const keyPath = (k: unknown) => `/api/v1/context/bench.rss.${String(k)}`;
  return [
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: { note: 'memory under load', n: 1, tags: ['rss'] } }),
      setupRequest: (req, context) => {
        context.key = n++ % KEYS;
        return { ...req, path: keyPath(context.key) };
      },
    },
    { method: 'GET', setupRequest: (req, context) => ({ ...req, path: keyPath(context.key) }) },
    { method: 'GET', path: '/api/v1/status' },
  ];
}

interface Memory {
  /** Before any request, once settled. */
  idleMb: number;
  /** One settle after start, before the memory reducer: what a start leaves committed. */
  startMb: number;
  /** One settle after the load: the heap V8 grew for it is still committed. */
  afterMb: number;
  /** Once RSS stops changing (V8's memory reducer has run), at most IDLE_MAX_MS after the load. */
  idleAfterMb: number;
  idleAfterMs: number;
  peakMb: number;
  requests: number;
}

/** RSS after IDLE_MS without requests. */
async function settledRss(pid: number): Promise<{ rssMb: number; waitedMs: number }> {
  await sleep(IDLE_MS);
  return { rssMb: memoryOf(pid).rssMb, waitedMs: IDLE_MS };
}

/** RSS after start and a settle, then after `amount` requests of the mix and another settle. */
async function measure(t: Target, amount: number, measured?: Measured): Promise<Memory> {
  await sleep(SETTLE_MS);
  const start = memoryOf(t.pid).rssMb;
  const idle = await settledRss(t.pid);
  measured?.start();
  const r = await load(t, { connections: 10, amount, requests: mix() });
  measured?.end();
  await sleep(SETTLE_MS);
  const after = memoryOf(t.pid);
  const settled = await settledRss(t.pid);
  return { idleMb: idle.rssMb, startMb: start, afterMb: after.rssMb, idleAfterMb: settled.rssMb, idleAfterMs: settled.waitedMs, peakMb: after.hwmMb, requests: r.requests };
}

async function floorMb(): Promise<{ rssMb: number; hwmMb: number }> {
  const idle = await spawnIdleNode();
  try {
    pin(idle.pid, SERVER_CPU);
    await sleep(SETTLE_MS);
    return memoryOf(idle.pid);
  } finally {
    await idle.stop();
  }
}

export const rss: Bench = {
  name: 'rss',
  summary: 'daemon resident memory idle and after 10,000 requests vs an idle `node` process',
  async run(ctx) {
    if (process.platform !== 'linux') throw new Error('the rss bench reads /proc/<pid>/status: Linux only');
    const amount = ctx.quick ? 2_000 : 10_000;
    const floor = await floorMb();
    const { value: ferry, profile } = await withFerry(ctx, 'rss', (t, measured) => measure(t, amount, measured));
    // A machine's very first start also makes the identity, loading the certificate library.
    const idleAfterFirstStart = async (t: Target) => (await settledRss(t.pid)).rssMb;
    const { value: firstStartMb } = await withFerry({ quick: ctx.quick }, 'rss-first-start', idleAfterFirstStart, { firstStart: true });
    const bareServer = await startContextBaseline('bare');
    const bare = await measure(bareServer, amount).finally(() => bareServer.stop());
    const target = { kind: 'value-max' as const, value: 80 };
    return {
      name: 'rss',
      title: `resident memory (VmRSS): after start and after ${amount.toLocaleString('en-US')} requests (PUT/GET context, status), right away and once idle`,
      baseline: 'idle `node -e` process (the runtime floor)',
      rows: [
        { metric: `RSS ${SETTLE_MS / 1000} s after start`, unit: 'MB', ferry: ferry.startMb, baseline: floor.rssMb },
        { metric: 'idle RSS after start', unit: 'MB', ferry: ferry.idleMb, baseline: floor.rssMb, target },
        { metric: 'idle RSS, first start', unit: 'MB', ferry: firstStartMb, baseline: floor.rssMb },
        { metric: `RSS ${SETTLE_MS / 1000} s after ${amount} requests`, unit: 'MB', ferry: ferry.afterMb, baseline: floor.rssMb },
        { metric: `idle RSS after ${amount} requests`, unit: 'MB', ferry: ferry.idleAfterMb, baseline: floor.rssMb, target },
        { metric: 'peak RSS (VmHWM)', unit: 'MB', ferry: ferry.peakMb, baseline: floor.hwmMb },
      ],
      notes: [
        `for scale, the bare context server (node:http + better-sqlite3, same mix, status answering a count): idle ${bare.idleMb.toFixed(1)} MB, after the requests ${bare.afterMb.toFixed(1)} MB, peak ${bare.peakMb.toFixed(1)} MB`,
        'the daemon measured is a restart (data dir initialised beforehand), as on every start but the first; "first start" makes the identity and certificate, which loads @peculiar/x509 for the life of the process',
        `"idle" is ${IDLE_MS / 1000} s without requests: V8 keeps the heap it grew under load committed until its memory reducer runs, some 8–25 s after activity stops; the "1 s after" rows are what is committed right after`,
        'RSS after load depends on when V8 last collected and how much it hands back to the OS: read it as a level, not to the megabyte',
      ],
      details: { settleMs: SETTLE_MS, amount, floor, ferry, firstStartIdleMb: firstStartMb, bareContextServer: bare },
      profiles: profile ? [profile] : [],
    };
  },
};
