// Helpers for the image smoke test: run docker/compose commands with bounds, and report steps.
import { spawn } from 'node:child_process';
import net from 'node:net';

/** A failed check. `details` is printed after the message (logs, command output). */
export class SmokeError extends Error {
  constructor(message, details = '') {
    super(message);
    this.details = details;
  }
}

/**
 * Runs a command, capturing its output (printed only if something fails, so the normal run
 * stays readable). `onLine` sees stdout lines as they come, for progress on long builds.
 */
export function run(cmd, args, { timeoutMs = 120_000, env = process.env, cwd, onLine, check = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (!onLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new SmokeError(`${cmd} is not installed`) : err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      const shown = `${cmd} ${args.join(' ')}`;
      if (signal) reject(new SmokeError(`${shown} did not finish within ${timeoutMs / 1000} s`, tail(stdout + stderr)));
      else if (check && code !== 0) reject(new SmokeError(`${shown} exited with ${code}`, tail(stdout + stderr)));
      else resolve(result);
    });
  });
}

export function tail(text, lines = 40) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Fails with the fix when no engine answers (the local stand-in setup is one script away). */
export async function requireEngine() {
  const r = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000, check: false }).catch((err) => {
    throw new SmokeError(`${err.message}: install Docker, or run /work/shared/tools/docker-local.sh`);
  });
  if (r.code !== 0 || !r.stdout.trim()) {
    throw new SmokeError('no Docker engine answers: start one, e.g. run /work/shared/tools/docker-local.sh', tail(r.stderr, 5));
  }
  return r.stdout.trim();
}

/** Compose v2 (`docker compose`) when the plugin is there, else Compose v1 (`docker-compose`). */
export async function findCompose() {
  const v2 = await run('docker', ['compose', 'version', '--short'], { timeoutMs: 20_000, check: false }).catch(() => null);
  if (v2?.code === 0) return { cmd: 'docker', pre: ['compose'], version: `v2 ${v2.stdout.trim()}` };
  const v1 = await run('docker-compose', ['version', '--short'], { timeoutMs: 20_000, check: false }).catch(() => null);
  if (v1?.code === 0) return { cmd: 'docker-compose', pre: [], version: `v1 ${v1.stdout.trim()}` };
  throw new SmokeError('neither `docker compose` nor `docker-compose` works: install Compose');
}

/** A port that was free a moment ago on the host loopback (Docker binds it right after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function inspectState(container) {
  const r = await run('docker', ['inspect', '--format', '{{json .State}}', container], { timeoutMs: 20_000 });
  return JSON.parse(r.stdout);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints a numbered step and how long it took; the first failure stops the run. */
export function stepper(total) {
  let n = 0;
  return async function step(title, fn) {
    n += 1;
    const started = Date.now();
    process.stdout.write(`[${n}/${total}] ${title} ... `);
    try {
      const note = await fn();
      console.log(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? ` - ${note}` : ''}`);
    } catch (err) {
      console.log('FAILED');
      throw err;
    }
  };
}
