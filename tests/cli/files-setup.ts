import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import type { Transfer } from '../../server/protocol/index.js';
import { CLI_MAIN, spawnDaemon, tempHome, type SpawnedDaemon } from '../helpers/daemon.js';
import { pair } from '../helpers/peers.js';
import { waitFor } from '../helpers/proc.js';
import { cliEnv, type FerryRun } from './run.js';

export interface FilesPair {
  /** Where `ferry` runs (its daemon sends and fetches). */
  bravo: SpawnedDaemon;
  /** The paired machine files go to and come from; its policy lets bravo use the temp dir. */
  alpha: SpawnedDaemon;
}

/**
 * Two paired daemons for a test file. "trusted" means the home directory for files, and these
 * tests work in the temp directory: alpha's policy for bravo is narrowed to it.
 */
export function usePairedDaemons(): () => FilesPair {
  let both: FilesPair | undefined;
  beforeAll(async () => {
    const alpha = await spawnDaemon({ env: { FERRY_NAME: 'alpha' } });
    const bravo = await spawnDaemon({ env: { FERRY_NAME: 'bravo' } });
    both = { alpha, bravo };
    await pair(alpha, bravo);
    const policy = (await alpha.client.peers()).items.find((p) => p.name === 'bravo')!.policy!;
    await alpha.client.updatePeer('bravo', { policy: { ...policy, files: { mode: 'roots', read: [TMP], write: [TMP] } } });
  });
  afterAll(async () => {
    await both?.alpha.kill();
    await both?.bravo.kill();
  });
  return () => {
    if (!both) throw new Error('the daemons are not started');
    return both;
  };
}

export const TMP = fs.realpathSync(os.tmpdir());

/** A fresh directory under the (real) temp dir, removed when the test process ends. */
export const tempDir = (prefix = 'ferry-files-') => fs.realpathSync(tempHome(prefix));

export const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Run the built `ferry` to its end (bounded) in a working directory of our choice. */
export function ferryIn(cwd: string, home: string, args: string[], timeoutMs = 60_000): Promise<FerryRun> {
  if (!fs.existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build:ts\` first`);
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { cwd, env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Files in a directory that look like an upload's temporary file. */
export const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith('.ferry-'));

/** Wait for a transfer of bravo's to satisfy `fn` (bounded); resolves with it. */
export async function transferWhere(d: SpawnedDaemon, fn: (t: Transfer) => boolean, what: string, timeoutMs = 30_000): Promise<Transfer> {
  let found: Transfer | undefined;
  await waitFor(async () => (found = (await d.client.transfers({ limit: 5 })).items.find(fn)) !== undefined, timeoutMs, what);
  return found!;
}

