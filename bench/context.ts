import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type autocannon from 'autocannon';
import { mean, withFerry, type Bench, type RunContext } from './lib/bench.js';
import { expectJson } from './lib/http.js';
import { load, type LoadResult } from './lib/load.js';
import { compareProfiles, newestProfile, summarizeProfile, type ProfileSummary } from './lib/profile.js';
import type { Row } from './lib/report.js';
import { startContextBaseline, type Target } from './lib/servers.js';

const KEY = 'bench.context';
const PATH = `/api/v1/context/${encodeURIComponent(KEY)}`;
// A small, realistic entry: what an agent leaves for another (a note with a few fields).
const VALUE = { title: 'build status', body: 'all green on main; deploy window opens at 14:00'.repeat(2), n: 42, tags: ['ci', 'deploy'] };

type Op = 'get' | 'put';
type Label = 'ferry' | 'bare' | 'express';
const OPS: Record<Op, autocannon.Request[]> = {
  get: [{ method: 'GET', path: PATH }],
  put: [{ method: 'PUT', path: PATH, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: VALUE }) }],
};

const CONNECTIONS = 10;

/** Write the entry and read it back: both servers must answer the same thing before we time them. */
async function seed(t: Target): Promise<void> {
  await expectJson([200, 201], t.url, 'PUT', PATH, t.headers, { value: VALUE });
  const entry = (await expectJson(200, t.url, 'GET', PATH, t.headers)) as { key: string; value: unknown; version: number };
  assert.equal(entry.key, KEY, `${t.label}: GET returned another key`);
  assert.deepEqual(entry.value, VALUE, `${t.label}: GET returned another value`);
}

/**
 * One operation on fresh servers: a warm-up each, then measured runs in the order bare, express,
 * ferry, ferry, express, bare, so that no side always goes first or last.
 */
async function measure(ctx: RunContext, op: Op): Promise<{ runs: Record<Label, LoadResult[]>; profile?: ProfileSummary; breakdown?: ReturnType<typeof compareProfiles> }> {
  const durationS = ctx.quick ? 1 : 5;
  const profDir = (kind: string) => (ctx.profileRoot ? path.join(ctx.profileRoot, `context-${op}-${kind}`) : undefined);
  const baselineOpts = (kind: string) => {
    const dir = profDir(kind);
    if (dir) fs.mkdirSync(dir, { recursive: true });
    return dir ? { cpuProfileDir: dir } : {};
  };
  const bare = await startContextBaseline('bare', baselineOpts('bare'));
  const express = await startContextBaseline('express', baselineOpts('express')).catch(async (err: unknown) => {
    await bare.stop();
    throw err;
  });
  let result: Awaited<ReturnType<typeof withFerry<Record<Label, LoadResult[]>>>>;
  try {
    result = await withFerry(ctx, `context-${op}`, async (ferry, measured) => {
      const targets: Record<Label, Target> = { ferry, bare, express };
      for (const t of [bare, express, ferry]) await seed(t);
      for (const t of [bare, express, ferry]) await load(t, { connections: CONNECTIONS, durationS: ctx.quick ? 0.5 : 1, requests: OPS[op] });
      const runs: Record<Label, LoadResult[]> = { ferry: [], bare: [], express: [] };
      measured.start();
      for (const label of ['bare', 'express', 'ferry', 'ferry', 'express', 'bare'] as const) {
        runs[label].push(await load(targets[label], { connections: CONNECTIONS, durationS, requests: OPS[op] }));
      }
      measured.end();
      return runs;
    });
  } finally {
    await Promise.all([bare.stop(), express.stop()]);
  }
  const { value: runs, profile, window } = result;
  if (!profile || !window) return { runs };
  // The three servers' profiles over the same window, side by side per request.
  const requests = (l: Label) => runs[l].reduce((n, r) => n + r.requests, 0);
  const column = (label: Label, file: string | undefined) => (file ? [{ label, summary: summarizeProfile(file, label, window, 1000), requests: requests(label) }] : []);
  const cols = [...column('bare', newestProfile(profDir('bare')!)), ...column('express', newestProfile(profDir('express')!)), ...column('ferry', profile.file)];
  return { runs, profile, breakdown: compareProfiles(`${op.toUpperCase()}: where the CPU goes, per request (profiled, so every figure is inflated a little)`, cols) };
}

const avg = (runs: LoadResult[], f: (r: LoadResult) => number) => mean(runs.map(f));
const pct = (x: number) => `${Math.round(x * 100)}%`;

export const context: Bench = {
  name: 'context',
  summary: 'context GET and PUT over keep-alive HTTP: daemon vs bare node:http + better-sqlite3',
  async run(ctx) {
    const measured = { get: await measure(ctx, 'get'), put: await measure(ctx, 'put') };
    const rows: Row[] = [];
    const notes: string[] = [];
    for (const op of ['get', 'put'] as const) {
      const { ferry, bare, express } = measured[op].runs;
      const OP = op.toUpperCase();
      rows.push({ metric: `${OP} throughput`, unit: 'req/s', ferry: avg(ferry, (r) => r.rps), baseline: avg(bare, (r) => r.rps), target: { kind: 'ratio-min', value: 0.5 } });
      rows.push({ metric: `${OP} server CPU per request`, unit: 'µs/req', ferry: avg(ferry, (r) => r.serverCpuUsPerRequest), baseline: avg(bare, (r) => r.serverCpuUsPerRequest) });
      rows.push({ metric: `${OP} throughput vs Express ref.`, unit: 'req/s', ferry: avg(ferry, (r) => r.rps), baseline: avg(express, (r) => r.rps) });
      rows.push({ metric: `${OP} CPU/request vs Express ref.`, unit: 'µs/req', ferry: avg(ferry, (r) => r.serverCpuUsPerRequest), baseline: avg(express, (r) => r.serverCpuUsPerRequest) });
      for (const [label, runs] of Object.entries(measured[op].runs)) {
        const server = avg(runs, (r) => r.serverCpu);
        const client = avg(runs, (r) => r.clientCpu);
        if (server >= 0.85) continue;
        const why =
          client >= 0.85
            ? 'the load generator was saturated, so this throughput is a lower bound'
            : 'neither side had a full core: other processes on the machine or the round trip set the pace';
        notes.push(`${OP} ${label}: the server used ${pct(server)} of its core, the load generator ${pct(client)} of its own: ${why} (CPU per request is the steadier figure)`);
      }
    }
    notes.push(
      'latency is left out of the table: under a closed loop it is throughput in disguise, and autocannon keeps whole milliseconds (the bare server answers in less than one); the JSON has it',
      `${CONNECTIONS} keep-alive connections, ${ctx.quick ? 1 : 5} s per run, 2 runs per server (order bare, express, ferry, ferry, express, bare) after a warm-up; fresh servers per operation`,
      '"Express ref." is Express 5 with the daemon\'s app settings and JSON parser around the same SQL: bare → Express is the framework\'s cost, Express → ferry is Ferry\'s own middleware',
      'per request the daemon also does: Host-header check, audit record (batched SQLite insert per event-loop turn), drain accounting, helmet (11 security headers), bearer token SHA-256 + timingSafeEqual, Express routing through about a dozen middleware layers and routers, the context rate limiter (skipped for the local admin), zod validation of key and body, and on PUT an events row in the same transaction + dispatch to listeners',
    );
    const profiles = [measured.get.profile, measured.put.profile].filter((p): p is ProfileSummary => p !== undefined);
    return {
      name: 'context',
      title: 'context GET/PUT through the daemon over keep-alive HTTP (autocannon)',
      baseline: 'bare node:http + better-sqlite3, same SQL and pragmas (rows marked "vs Express ref.": Express 5 + the same SQL)',
      rows,
      notes,
      details: {
        connections: CONNECTIONS,
        get: measured.get.runs,
        put: measured.put.runs,
        ...(measured.get.breakdown ? { breakdownGet: measured.get.breakdown.rows } : {}),
        ...(measured.put.breakdown ? { breakdownPut: measured.put.breakdown.rows } : {}),
      },
      profiles,
      text: [measured.get.breakdown?.text, measured.put.breakdown?.text].filter((t): t is string => t !== undefined),
    };
  },
};
