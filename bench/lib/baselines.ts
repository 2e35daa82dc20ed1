import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext } from './bench.js';
import { pin, SERVER_CPU, spawnNode } from './proc.js';

export const BASELINES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'baselines');

export interface Baseline {
  pid: number;
  port: number;
  /** With --profile: where its .cpuprofile is written when it stops. */
  profileDir: string | undefined;
  /** Stop it (SIGTERM, bounded) and remove `dir` if one was given. */
  stop(): Promise<void>;
}

/**
 * A baseline script in its own bare `node` process (it prints {"port":N} when listening), pinned
 * like every server; run under --cpu-prof with --profile (`name` names the profile's directory).
 */
export async function startBaseline(ctx: RunContext, name: string, args: string[], dir?: string): Promise<Baseline> {
  const profileDir = ctx.profileRoot ? path.join(ctx.profileRoot, name) : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = await spawnNode<{ port: number }>([...prof, ...args]).catch((err: unknown) => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  pin(child.pid, SERVER_CPU);
  return {
    pid: child.pid,
    port: child.ready.port,
    profileDir,
    async stop() {
      await child.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
