// The floor for exec: a minimal node process that spawns a command and collects its output,
// timing from spawn() to 'close' itself. It runs as its own lean process (not inside the bench,
// whose load generator and TypeScript loader make it bigger) because fork() copies the page
// tables of the process that spawns: spawning gets slower as that process grows.
//
// Protocol: prints {} when ready; then for each line of stdin (a JSON argv) one line of stdout:
// {"ms":…, "code":…, "stdout":"…"} or {"error":"…"}.
import { spawn } from 'node:child_process';
import os from 'node:os';
import readline from 'node:readline';

const reply = (o) => process.stdout.write(JSON.stringify(o) + '\n');

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const argv = JSON.parse(line);
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { cwd: os.homedir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.on('error', (err) => reply({ error: err.message }));
  child.on('close', (code) => reply({ ms: performance.now() - t0, code, stdout }));
});
reply({});
