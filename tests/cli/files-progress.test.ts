import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../helpers/daemon.js';
import { waitFor } from '../helpers/proc.js';
import { hasScript } from './interactive.js';
import { cliEnv } from './run.js';
import { ferryIn, leftovers, sha256, tempDir, transferWhere, usePairedDaemons } from './files-setup.js';

const daemons = usePairedDaemons();

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');
const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

/** `ferry …` on a pseudo-terminal (120 columns), as a person runs it; stdin reaches the terminal. */
function onTerminal(cwd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...cliEnv(daemons().bravo.home), TERM: 'xterm-256color' };
  // Ink draws only the last frame when it believes it runs in CI.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  const child = spawn('script', ['-qec', `stty cols 120 rows 50; exec ${[process.execPath, CLI_MAIN, ...args].map(quote).join(' ')}`, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
  child.stderr.on('data', (d: Buffer) => (raw += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const screen = () => raw.replace(ANSI, '').replace(/\r/g, '');
  return { child, raw: () => raw, screen, exited };
}

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe.runIf(hasScript)('progress on a terminal', () => {
  it('draws a progress bar while 100 MB go, redrawn in place (at most ~10 frames a second), then the path and hash', async () => {
    const work = tempDir();
    const src = path.join(work, 'big.bin');
    const fd = fs.openSync(src, 'w');
    for (let i = 0; i < 100; i++) fs.writeSync(fd, crypto.randomBytes(1_000_000));
    fs.closeSync(fd);
    const dest = tempDir();
    const started = Date.now();
    const run = onTerminal(work, ['send', 'alpha', 'big.bin', dest]);
    expect(await bounded(run.exited, 120_000, 'ferry send')).toBe(0);
    const elapsedMs = Date.now() - started;
    const screen = run.screen();
    // A frame part-way: the bar, bytes of the total, a percentage below 100, a rate.
    expect(screen).toMatch(/[█░]{30} \d+\.\d MiB \/ 95\.4 MiB {2}\d{1,2}% {2}\d+\.\d MiB\/s/);
    expect(screen).toContain(`✔ sent ${src} → alpha:${path.join(dest, 'big.bin')}`);
    expect(screen).toContain(`sha256 ${sha256(src)}`);
    expect(sha256(path.join(dest, 'big.bin'))).toBe(sha256(src));
    // Redrawn over itself (cursor up, erase line), not scrolled; and throttled.
    expect(run.raw()).toContain(`${ESC}[1A`);
    const frames = screen.split('⇡ sending').length - 1;
    expect(frames).toBeGreaterThan(1);
    expect(frames).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 2);
  }, 150_000);

  it('Ctrl-C cancels the transfer: exit 130, canceled on the daemon, nothing left at the destination', async () => {
    const work = tempDir();
    const src = path.join(work, 'huge.bin');
    fs.writeFileSync(src, '');
    fs.truncateSync(src, 3 * 1024 ** 3); // sparse: big to send, nothing on disk here
    const dest = tempDir();
    const run = onTerminal(work, ['send', 'alpha', 'huge.bin', dest]);
    await waitFor(() => /[█░]{30} [1-9][\d.]* MiB \/ 3\.0 GiB/.test(run.screen()), 60_000, 'bytes moving on screen');
    run.child.stdin.write('\x03'); // Ctrl-C, typed on the terminal
    expect(await bounded(run.exited, 30_000, 'ferry send after Ctrl-C')).toBe(130);
    expect(run.screen()).toMatch(/canceled after [\d.]+ [KMG]iB of 3\.0 GiB: nothing was put at the destination/);
    const t = await transferWhere(daemons().bravo, (x) => x.source === src, 'the transfer on bravo');
    expect(t.state).toBe('canceled');
    expect(fs.existsSync(path.join(dest, 'huge.bin'))).toBe(false);
    await waitFor(() => leftovers(dest).length === 0, 10_000, 'the temporary file to be removed');
  }, 120_000);
});

describe('interrupting a piped pull', () => {
  it('SIGINT cancels it too: exit 130, no file and no temporary file in the local directory', async () => {
    const there = tempDir();
    const src = path.join(there, 'huge.bin');
    fs.writeFileSync(src, '');
    fs.truncateSync(src, 3 * 1024 ** 3);
    const local = tempDir();
    const child = spawn(process.execPath, [CLI_MAIN, 'pull', 'alpha', src, '.'], { cwd: local, env: cliEnv(daemons().bravo.home), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await transferWhere(daemons().bravo, (x) => x.source === src && x.state === 'running' && x.bytes > 0, 'bytes moving');
    child.kill('SIGINT');
    expect(await bounded(exited, 30_000, 'ferry pull after SIGINT')).toBe(130);
    expect(stderr).toContain(`fetching alpha:${src} → ${local}`);
    expect(stderr).toContain('canceling…');
    expect(stderr).toMatch(/canceled after .* of 3\.0 GiB: nothing was put at the destination/);
    expect((await transferWhere(daemons().bravo, (x) => x.source === src, 'the transfer')).state).toBe('canceled');
    expect(fs.existsSync(path.join(local, 'huge.bin'))).toBe(false);
    await waitFor(() => leftovers(local).length === 0, 10_000, 'the temporary file to be removed');
  }, 120_000);
});

describe('a detached transfer', () => {
  it('`transfers show --follow` stops watching on SIGINT (exit 130) while it goes on; `transfers cancel` stops it', async () => {
    const work = tempDir();
    const src = path.join(work, 'huge.bin');
    fs.writeFileSync(src, '');
    fs.truncateSync(src, 3 * 1024 ** 3);
    const dest = tempDir();
    const started = await ferryIn(work, daemons().bravo.home, ['send', 'alpha', 'huge.bin', dest, '--detach']);
    const id = started.stdout.trim();
    const follow = spawn(process.execPath, [CLI_MAIN, 'transfers', 'show', id, '--follow'], { env: cliEnv(daemons().bravo.home), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    follow.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => follow.once('close', (code) => resolve(code)));
    await waitFor(() => stderr.includes(`(transfer ${id})`), 20_000, 'the follower to start');
    await transferWhere(daemons().bravo, (x) => x.id === id && x.bytes > 0, 'bytes moving');
    follow.kill('SIGINT');
    expect(await bounded(exited, 20_000, 'transfers show --follow after SIGINT')).toBe(130);
    expect(stderr).toContain(`stopped watching; transfer ${id} goes on`);
    expect((await daemons().bravo.client.transfer(id)).state).toBe('running');

    const cancel = await ferryIn(work, daemons().bravo.home, ['transfers', 'cancel', id]);
    expect(cancel).toMatchObject({ code: 0, stdout: `canceled ${id}\n` });
    expect((await daemons().bravo.client.transfer(id)).state).toBe('canceled');
    expect(fs.existsSync(path.join(dest, 'huge.bin'))).toBe(false);
    await waitFor(() => leftovers(dest).length === 0, 10_000, 'the temporary file to be removed');
  }, 120_000);
});
