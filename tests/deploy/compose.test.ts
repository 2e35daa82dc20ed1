import { DAEMON_NODE_FLAGS } from '../../server/node-flags.js';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Instruction, flags, parseDockerfile } from './dockerfile.js';
import { REPO } from './units.js';

const dockerfile = parseDockerfile(fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8'));
const finalStage = dockerfile.stages.at(-1) ?? [];
const all = dockerfile.stages.flat();
const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);
const lastOf = (stage: Instruction[], keyword: string) => find(stage, keyword).at(-1)?.args;

interface Service {
  build?: unknown;
  image?: string;
  restart?: string;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; interval?: string; timeout?: string; retries?: number; start_period?: string };
}
const compose = parse(fs.readFileSync(path.join(REPO, 'compose.yaml'), 'utf8')) as {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const ferry = compose.services?.ferry ?? {};

// The health probe's path inside the image, as the Dockerfile's HEALTHCHECK names it.
const probe = /"node",\s*"([^"]+healthcheck\.mjs)"/.exec(lastOf(finalStage, 'HEALTHCHECK') ?? '')?.[1];

/** Instruction flags the classic builder (Docker 20.10 and later, no BuildKit) understands. */
const CLASSIC_FLAGS: Record<string, string[]> = {
  FROM: ['platform'],
  COPY: ['from', 'chown'],
  ADD: ['chown'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'retries'],
};

describe('Dockerfile', () => {
  it('builds with the classic builder: no BuildKit-only syntax', () => {
    expect(dockerfile.directives).not.toContain('syntax');
    const unsupported = all.flatMap((i) =>
      flags(i).filter((f) => !(CLASSIC_FLAGS[i.keyword] ?? []).includes(f)).map((f) => `line ${i.line}: ${i.keyword} --${f}`),
    );
    const heredocs = all.filter((i) => /<<-?\s*["']?[A-Za-z_]+/.test(i.args)).map((i) => `line ${i.line}: heredoc`);
    expect([...unsupported, ...heredocs]).toEqual([]);
  });

  it('builds and runs on node:22-slim in two stages (Node 24 aborts in better-sqlite3 12)', () => {
    expect(dockerfile.stages.map((s) => s[0]?.args.split(/\s+/)[0])).toEqual(['node:22-slim', 'node:22-slim']);
  });

  it('prunes dev dependencies without re-running the build scripts', () => {
    const prune = find(dockerfile.stages[0] ?? [], 'RUN').find((i) => i.args.includes('npm prune'));
    expect(prune?.args).toMatch(/npm prune --omit=dev --ignore-scripts/);
  });

  it('runs the daemon as a non-root user under tini, with its data in the /data volume', () => {
    expect(lastOf(finalStage, 'USER')).toBe('node');
    expect(JSON.parse(lastOf(finalStage, 'ENTRYPOINT') ?? 'null')).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(lastOf(finalStage, 'CMD') ?? 'null')).toEqual(['node', ...DAEMON_NODE_FLAGS, 'dist/server/main.js']);
    expect(lastOf(finalStage, 'VOLUME')).toBe('/data');
    expect(lastOf(finalStage, 'EXPOSE')).toBe('7717 7718');
    const env = find(finalStage, 'ENV').map((i) => i.args).join(' ');
    for (const pair of ['FERRY_HOME=/data', 'FERRY_HOST=0.0.0.0', 'FERRY_PORT=7717']) expect(env).toContain(pair);
  });

  it('has a HEALTHCHECK that runs the shipped node probe', () => {
    expect(probe).toBe('/app/deploy/docker/healthcheck.mjs');
    expect(find(finalStage, 'COPY').map((i) => i.args)).toContain('deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs');
    expect(lastOf(finalStage, 'WORKDIR')).toBe('/app');
  });

  it('keeps host build output and git history out of the build context', () => {
    const ignored = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'admin/build', '.git', 'coverage']));
  });
});

describe('compose.yaml', () => {
  it('defines the ferry service, built from this directory as ferry:local', () => {
    expect(Object.keys(compose.services ?? {})).toEqual(['ferry']);
    expect(ferry.build).toBe('.');
    // ${FERRY_IMAGE:-ferry:local}: ferry:local unless a test or an operator picks another tag.
    expect(ferry.image).toMatch(/^(ferry:local|\$\{FERRY_IMAGE:-ferry:local\})$/);
    expect(ferry.restart).toBe('unless-stopped');
  });

  it('keeps all state in the ferry-data named volume', () => {
    expect(ferry.volumes).toEqual(['ferry-data:/data']);
    expect(Object.keys(compose.volumes ?? {})).toEqual(['ferry-data']);
  });

  it('publishes the local API and the peer port on the host loopback only', () => {
    expect(ferry.ports).toEqual(['127.0.0.1:${FERRY_PORT:-7717}:7717', '127.0.0.1:${FERRY_PEER_PORT:-7718}:7718']);
  });

  it('health-checks with the same probe as the image', () => {
    const hc = ferry.healthcheck ?? {};
    expect(hc.test).toEqual(['CMD', 'node', probe]);
    expect([hc.interval, hc.timeout, hc.start_period].every((d) => typeof d === 'string' && /^\d+s$/.test(d))).toBe(true);
    expect(hc.retries).toBeGreaterThanOrEqual(1);
  });

  it('has no top-level version or name key (valid for Compose v1 and v2 alike)', () => {
    expect(Object.keys(compose).sort()).toEqual(['services', 'volumes']);
  });
});
