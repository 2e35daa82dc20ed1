// `npm run bench [-- <name>...] [--quick] [--profile]`: run Ferry's benchmarks, each beside its
// baseline in the same run, print a table per bench and write bench/results/<name>.json.
// They run the BUILT daemon (dist/): the npm script runs `build:ts` first.
// Exit 0 whatever the numbers (benchmarks inform, tests assert); 1 if a bench could not run.
import os from 'node:os';
import path from 'node:path';
import { aiTask } from './ai-task.js';
import { context } from './context.js';
import { exec } from './exec.js';
import { fleet } from './fleet.js';
import type { Bench, RunContext } from './lib/bench.js';
import { CLIENT_CPU, pin, pinning } from './lib/proc.js';
import { formatProfile } from './lib/profile.js';
import { RESULTS_DIR, table, writeResult } from './lib/report.js';
import { DAEMON_FLAGS } from './lib/servers.js';
import { peerContext } from './peer-context.js';
import { peerExec } from './peer-exec.js';
import { peerMessage } from './peer-message.js';
import { rss } from './rss.js';
import { transfer } from './transfer.js';

const BENCHES: Bench[] = [context, exec, rss, peerExec, peerContext, transfer, peerMessage, fleet, aiTask];
/** Every bench is bounded on its own; this is the backstop for the whole run. */
const WATCHDOG_MS = 20 * 60_000;

function usage(): string {
  return [
    'usage: npm run bench [-- <name>...] [--quick] [--profile]',
    '',
    ...BENCHES.map((b) => `  ${b.name.padEnd(14)} ${b.summary}`),
    '',
    '  --quick     short runs to check the benchmarks work (numbers not to quote)',
    '  --profile   run the daemon (and the context baselines) under --cpu-prof and print where the CPU time went',
    '              (profiling slows it down: quote the numbers of a run without it)',
    '  BENCH_PIN=0 do not pin the load generator and the servers to separate CPUs',
    '  BENCH_DAEMON_FLAGS="--max-semi-space-size=2"   node flags for the daemon (e.g. to try GC settings)',
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const unknownFlag = args.find((a) => a.startsWith('-') && a !== '--quick' && a !== '--profile');
  const names = args.filter((a) => !a.startsWith('-'));
  const unknownName = names.find((n) => !BENCHES.some((b) => b.name === n));
  if (unknownFlag || unknownName) {
    console.error(`unknown ${unknownFlag ? `option ${unknownFlag}` : `bench "${unknownName}"`}\n\n${usage()}`);
    return 2;
  }
  const selected = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  const ctx: RunContext = { quick: args.includes('--quick') };
  if (args.includes('--profile')) ctx.profileRoot = path.join(RESULTS_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));

  pin(process.pid, CLIENT_CPU);
  const busy = os.loadavg()[0]!;
  if (busy > 0.5) console.warn(`warning: the 1-minute load average is ${busy.toFixed(2)}: other processes share these CPUs, so expect noisy numbers`);
  const flags = DAEMON_FLAGS.length ? `; daemon flags: ${DAEMON_FLAGS.join(' ')}` : '';
  console.log(`node ${process.version}; ${pinning ? 'load generator on CPU 0, servers on CPU 1' : 'no CPU pinning'}${ctx.quick ? '; QUICK run' : ''}${ctx.profileRoot ? '; PROFILED run' : ''}${flags}`);

  let failed = 0;
  for (const bench of selected) {
    const started = performance.now();
    try {
      const result = await bench.run(ctx);
      console.log(table(result));
      for (const p of result.profiles ?? []) console.log(formatProfile(p));
      for (const t of result.text ?? []) console.log(t);
      const file = writeResult(result, { quick: ctx.quick, profiled: ctx.profileRoot !== undefined, daemonFlags: DAEMON_FLAGS, profiles: result.profiles ?? [] });
      console.log(`  → ${path.relative(process.cwd(), file)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      console.error(`\n${bench.name}: could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return failed ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`the benchmarks did not finish within ${WATCHDOG_MS / 60_000} minutes`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => {
    process.exitCode = code;
    clearTimeout(watchdog);
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
