import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { FerryClient } from '../server/client/index.js';
import { fakeAgentEnv } from '../tests/helpers/agents.js';
import { stats, withFerry, type Bench } from './lib/bench.js';
import { cpuSecondsOf } from './lib/proc.js';

const PROMPT = 'say hello\nsay done';
const ARGS = ['-p', '--output-format', 'stream-json', '--verbose'];

/** The agent run by hand: spawn it with the prompt on stdin and read its output to the end. */
function bareRun(bin: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, 'claude'), ARGS, { cwd: os.homedir(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !out.includes('"type":"result"')) reject(new Error(`bare agent: exit ${code}, ${out.slice(-300)}`));
      else resolve(performance.now() - t0);
    });
    child.stdin.end(PROMPT);
  });
}

/** The same prompt as an AI task: POST, then follow the event stream (SSE) until the task ends. */
async function ferryRun(client: FerryClient): Promise<number> {
  const t0 = performance.now();
  const task = await client.createAiTask({ prompt: PROMPT });
  for await (const item of client.followAiTask(task.id)) {
    if (item.type === 'end') {
      if (item.task.status !== 'succeeded' || item.task.result !== 'done') throw new Error(`ferry task: ${JSON.stringify(item.task).slice(0, 300)}`);
      return performance.now() - t0;
    }
  }
  throw new Error('the event stream ended without an end event');
}

export const aiTask: Bench = {
  name: 'ai-task',
  summary: 'a two-line prompt run by the scripted fake `claude` as an AI task (POST + follow to the end) vs spawning the same agent by hand',
  async run(ctx) {
    const warmup = ctx.quick ? 3 : 10;
    const count = ctx.quick ? 15 : 60;
    const env = fakeAgentEnv();
    const bin = env.PATH!.split(path.delimiter)[0]!;
    const { value } = await withFerry(
      ctx,
      'ai-task',
      async (ferry, measured) => {
        const client = new FerryClient({ baseUrl: ferry.url, token: ferry.headers.authorization!.slice('Bearer '.length) });
        const t = { ferry: [] as number[], bare: [] as number[] };
        let cpu0 = 0;
        for (let i = 0; i < warmup + count; i++) {
          if (i === warmup) {
            cpu0 = cpuSecondsOf(ferry.pid);
            measured.start();
          }
          // Alternate which goes first, so drift hits both alike.
          const pair = i % 2 === 0 ? [() => ferryRun(client), () => bareRun(bin)] : [() => bareRun(bin), () => ferryRun(client)];
          const [x, y] = [await pair[0]!(), await pair[1]!()];
          if (i >= warmup) {
            t.ferry.push(i % 2 === 0 ? x : y);
            t.bare.push(i % 2 === 0 ? y : x);
          }
        }
        measured.end();
        return { ...t, daemonCpuMsPerTask: ((cpuSecondsOf(ferry.pid) - cpu0) * 1e3) / count };
      },
      { env },
    );
    const ferry = stats(value.ferry);
    const bare = stats(value.bare);
    return {
      name: 'ai-task',
      title: `AI task of a two-line prompt with the fake claude, sequential, ${count} runs after ${warmup} warm-up`,
      baseline: 'the same fake agent spawned from the bench process with the prompt on stdin, output read to the end',
      rows: [
        { metric: 'dispatch → end p50', unit: 'ms', ferry: ferry.p50, baseline: bare.p50 },
        { metric: 'dispatch → end p99', unit: 'ms', ferry: ferry.p99, baseline: bare.p99 },
        { metric: 'dispatch → end mean', unit: 'ms', ferry: ferry.mean, baseline: bare.mean },
      ],
      notes: [
        `daemon CPU per task: ${value.daemonCpuMsPerTask.toFixed(1)} ms (its own share: the agent's time is not counted)`,
        'the daemon also: validates, resolves the agent on PATH, stores the task and its events (one row per event, each in a transaction with its bus event), writes the per-task MCP config (0600, atomic), spawns detached with a timer, parses each JSON line, answers the SSE follower, and removes the task dir at the end',
        'a real agent spends seconds to minutes per task: the overhead here is what Ferry adds to each one, not a share of a real run',
      ],
      details: { warmup, count, ferry, bare, daemonCpuMsPerTask: value.daemonCpuMsPerTask, samplesMs: value },
    };
  },
};
