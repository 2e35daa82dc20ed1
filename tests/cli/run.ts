import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CLI_MAIN } from '../helpers/daemon.js';

export interface FerryRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  home: string;
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

// Ink draws only the last frame when it believes it runs in CI (`CI`, `CONTINUOUS_INTEGRATION`):
// the CLI tests play a person at a terminal, so the CI runner's variables must not reach them.
const NOT_PASSED = new Set(['FORCE_COLOR', 'CI', 'CONTINUOUS_INTEGRATION']);

/** The environment of a CLI run: this data dir, no colour, no FERRY_* or CI flags leaking in from outside. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FERRY_') && !NOT_PASSED.has(k)) env[k] = v;
  return { ...env, FERRY_HOME: home, NO_COLOR: '1', ...extra };
}

/** Start the BUILT binary (`node dist/cli/main.js …`) with pipes for stdio. */
export function spawnFerry(args: string[], opts: RunOptions): ChildProcess {
  if (!fs.existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build:ts\` first`);
  return spawn(process.execPath, [CLI_MAIN, ...args], { env: cliEnv(opts.home, opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Run `ferry …` to the end (bounded) and collect what it printed. */
export function ferry(args: string[], opts: RunOptions): Promise<FerryRun> {
  const child = spawnFerry(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    // 'close' (not 'exit'): it comes once stdout and stderr are drained too.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The one JSON document a `--json` run printed. */
export function json<T = Record<string, unknown>>(run: FerryRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${run.code}), got:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
