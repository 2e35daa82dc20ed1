#!/usr/bin/env node
// Image smoke test (`npm run test:docker`): builds the image, runs it the way operators do
// (compose.yaml, named volume, loopback port), and checks it from the outside: health, auth,
// a context round trip, non-root + tini, graceful stop, and data surviving a restart.
// Exit code 0 when everything holds, 1 otherwise. The admin token is never printed.
import crypto from 'node:crypto';
import path from 'node:path';
import { SmokeError, findCompose, freePort, inspectState, requireEngine, run, sleep, stepper, tail } from './docker.mjs';

const REPO = path.resolve(import.meta.dirname, '../..');
const IMAGE = 'ferry:test';
const HEALTHY_WITHIN_MS = 180_000;
const project = `ferrysmoke${process.pid}${crypto.randomBytes(3).toString('hex')}`;
const nodeName = `smoke-${project.slice(-6)}`;
const step = stepper(12);

let compose; // { cmd, pre } once found
let env; // compose's environment: image tag, host port, node name
let started = false;

const composeRun = (args, opts = {}) =>
  run(compose.cmd, [...compose.pre, '-p', project, '-f', path.join(REPO, 'compose.yaml'), ...args], { cwd: REPO, env, ...opts });
const exec = async (container, args) => (await run('docker', ['exec', container, ...args], { timeoutMs: 30_000 })).stdout;

async function api(base, route, { token, method = 'GET', body } = {}) {
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
  let res;
  try {
    res = await fetch(base + route, { method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    // undici hides the reason (refused, reset, redirect loop, timeout) in `cause`.
    throw new SmokeError(`${method} ${route} failed: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

function expect(ok, message, details) {
  if (!ok) throw new SmokeError(message, details === undefined ? '' : JSON.stringify(details, null, 2));
}

async function waitHealthy(container) {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  for (;;) {
    const state = await inspectState(container);
    const health = state.Health?.Status;
    if (health === 'healthy') return;
    const probes = (state.Health?.Log ?? []).map((l) => `exit ${l.ExitCode}: ${l.Output.trim()}`).join('\n');
    if (!state.Running || health === 'unhealthy' || Date.now() > deadline) {
      const why = !state.Running ? `container stopped (exit ${state.ExitCode})` : health === 'unhealthy' ? 'container unhealthy' : `not healthy within ${HEALTHY_WITHIN_MS / 1000} s (${health})`;
      const logs = await run('docker', ['logs', '--tail', '40', container], { check: false });
      throw new SmokeError(why, `health probes:\n${probes || '(none yet)'}\ncontainer logs:\n${tail(logs.stdout + logs.stderr)}`);
    }
    await sleep(1000);
  }
}

async function waitServing(base) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await api(base, '/api/v1/health').catch(() => null);
    if (r?.status === 200 && r.json?.status === 'ok') return;
    await sleep(500);
  }
  throw new SmokeError('daemon did not answer /api/v1/health within 60 s after a restart');
}

/** Every process in the container, read from /proc by the image's own node (no ps in slim). */
const PS = `const fs=require('fs');console.log(JSON.stringify(fs.readdirSync('/proc').filter(p=>/^\\d+$/.test(p)).flatMap(pid=>{try{const st=fs.readFileSync('/proc/'+pid+'/status','utf8');const f=k=>(st.match(new RegExp('^'+k+':\\\\s*(\\\\S+)','m'))||[])[1];return [{pid:+pid,ppid:+f('PPid'),uid:+f('Uid'),cmd:fs.readFileSync('/proc/'+pid+'/cmdline','utf8').split('\\0').filter(Boolean)}]}catch{return []}})))`;

async function main() {
  let container;
  let base;
  let token;
  const key = `smoke/${crypto.randomUUID()}`;
  const value = { from: 'docker smoke test', n: crypto.randomInt(1e9), nested: ['ok', true, null] };
  let nodeId;

  await step('Docker engine answers', async () => `engine ${await requireEngine()}`);
  await step('Compose is available and accepts compose.yaml', async () => {
    compose = await findCompose();
    const port = await freePort();
    env = { ...process.env, FERRY_IMAGE: IMAGE, FERRY_PORT: String(port), FERRY_PEER_PORT: String(await freePort()), FERRY_NAME: nodeName };
    base = `http://127.0.0.1:${port}`;
    await composeRun(['config', '-q'], { timeoutMs: 30_000 });
    return `${compose.version}, project ${project}, host port ${port}`;
  });
  await step(`docker build -t ${IMAGE} .`, async () => {
    const t0 = Date.now();
    process.stdout.write('\n');
    const progress = (line) => {
      if (/^Step \d+\/\d+ : (FROM|RUN)/.test(line)) console.log(`      +${Math.round((Date.now() - t0) / 1000)} s  ${line.slice(0, 100)}`);
    };
    await run('docker', ['build', '-t', IMAGE, '.'], { cwd: REPO, timeoutMs: 30 * 60_000, onLine: progress });
  });
  await step('compose up (named volume, loopback port)', async () => {
    started = true;
    await composeRun(['up', '-d', '--no-build'], { timeoutMs: 120_000 });
    container = (await composeRun(['ps', '-q', 'ferry'])).stdout.trim();
    expect(container, 'compose started no ferry container');
    return container.slice(0, 12);
  });
  await step(`container becomes healthy (within ${HEALTHY_WITHIN_MS / 1000} s)`, () => waitHealthy(container));
  await step('health, identity and the admin SPA answer from the host', async () => {
    token = (await exec(container, ['cat', '/data/admin.token'])).trim();
    expect(token.length >= 16, 'admin token in /data/admin.token is missing or too short');
    const health = await api(base, '/api/v1/health');
    expect(health.status === 200 && health.json?.status === 'ok', 'GET /api/v1/health is not ok', health.json ?? health.text);
    const id = await api(base, '/api/v1/identity', { token });
    expect(id.status === 200 && typeof id.json?.nodeId === 'string', 'GET /api/v1/identity failed', id.json ?? id.text);
    expect(id.json.name === nodeName, `FERRY_NAME did not reach the daemon: name is "${id.json.name}"`);
    nodeId = id.json.nodeId;
    const admin = await api(base, '/admin/');
    expect(admin.status === 200 && admin.type.startsWith('text/html'), `GET /admin/ answered ${admin.status} ${admin.type}`);
    return `node ${nodeId}`;
  });
  await step('unauthenticated request is refused with the error envelope', async () => {
    const r = await api(base, '/api/v1/context');
    expect(r.status === 401, `GET /api/v1/context without a token answered ${r.status}`, r.json ?? r.text);
    expect(r.json?.error?.code === 'unauthorized' && typeof r.json.error.message === 'string', 'the 401 body is not the error envelope', r.json ?? r.text);
  });
  await step('context PUT then GET round trip with the admin token', async () => {
    const route = `/api/v1/context/${encodeURIComponent(key)}`;
    const put = await api(base, route, { token, method: 'PUT', body: { value } });
    expect(put.status === 201 && put.json?.key === key && put.json.version === 1, `PUT ${route} answered ${put.status}`, put.json ?? put.text);
    const got = await api(base, route, { token });
    expect(got.status === 200 && JSON.stringify(got.json?.value) === JSON.stringify(value), `GET ${route} did not return what was stored`, got.json ?? got.text);
  });
  await step('tini is PID 1 and nothing runs as root; data dir and token are private', async () => {
    const procs = JSON.parse(await exec(container, ['node', '-e', PS]));
    const init = procs.find((p) => p.pid === 1);
    expect(init?.cmd[0] === '/usr/bin/tini', 'PID 1 is not tini', init);
    const daemon = procs.find((p) => p.cmd[0] === 'node' && p.cmd.at(-1) === 'dist/server/main.js');
    expect(daemon?.ppid === 1, 'the daemon is not a direct child of tini', procs);
    const root = procs.filter((p) => p.uid === 0);
    expect(root.length === 0, 'processes run as root', root);
    const modes = (await exec(container, ['stat', '-c', '%n %a %U', '/data', '/data/admin.token'])).trim().split('\n');
    expect(JSON.stringify(modes) === JSON.stringify(['/data 700 node', '/data/admin.token 600 node']), 'unexpected data permissions', modes);
    return `daemon pid ${daemon.pid} uid ${daemon.uid}`;
  });
  await step('docker stop drains the daemon: exit code 0 before the grace period', async () => {
    await composeRun(['stop'], { timeoutMs: 90_000 });
    const state = await inspectState(container);
    expect(!state.Running && state.ExitCode === 0, `the container exited with ${state.ExitCode} (137 = killed after the grace period)`, state);
  });
  await step('restart keeps identity, token and data (named volume)', async () => {
    await composeRun(['start'], { timeoutMs: 60_000 });
    await waitServing(base);
    const id = await api(base, '/api/v1/identity', { token });
    expect(id.status === 200 && id.json?.nodeId === nodeId, 'identity changed or the token stopped working after a restart', id.json);
    const got = await api(base, `/api/v1/context/${encodeURIComponent(key)}`, { token });
    expect(got.status === 200 && JSON.stringify(got.json?.value) === JSON.stringify(value), 'context entry lost across a restart', got.json);
  });
  await step('compose down -v removes the container and its volume', async () => {
    await down();
    const left = await run('docker', ['volume', 'ls', '-q', '--filter', `name=${project}_`]);
    expect(left.stdout.trim() === '', 'volumes left behind', left.stdout);
  });
}

async function down() {
  if (!started) return;
  started = false;
  await composeRun(['down', '-v', '--remove-orphans'], { timeoutMs: 120_000 });
}

try {
  await main();
  console.log('\ndocker smoke test passed');
} catch (err) {
  console.error(`\ndocker smoke test FAILED: ${err.message}`);
  if (err.details) console.error(err.details.replace(/^/gm, '  '));
  if (!(err instanceof SmokeError)) console.error(err.stack);
  process.exitCode = 1;
} finally {
  await down().catch((err) => {
    console.error(`cleanup failed: ${err.message}; remove it with: ${compose.cmd} ${compose.pre.join(' ')} -p ${project} down -v`);
    process.exitCode = 1;
  });
}
