import fs from 'node:fs';
import os from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_PEER_PORT, DEFAULT_PORT } from './protocol/index.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

/** The whole configuration, with its defaults. Unknown keys are errors (a typo must not pass silently). */
export const ConfigSchema = z.strictObject({
  name: z.string().min(1).max(63).default(() => os.hostname() || 'ferry'),
  host: z.string().min(1).default('127.0.0.1'),
  port: int(0, 65535).default(DEFAULT_PORT),
  /** Extra Host-header names accepted besides IP literals, localhost and this machine's hostname. */
  allowedHosts: z.array(z.string().min(1)).default([]),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  http: z
    .strictObject({
      jsonLimitBytes: int(1024).default(2 * 1024 * 1024),
      drainTimeoutMs: int(0).default(10_000),
    })
    .prefault({}),
  exec: z
    .strictObject({
      defaultTimeoutMs: int(1).default(10 * 60_000),
      maxTimeoutMs: int(1).default(24 * 3600_000),
      outputCapBytes: int(1024).default(1024 * 1024),
      maxConcurrent: int(1, 1024).default(8),
      killGraceMs: int(0).default(5_000),
    })
    .prefault({}),
  aiTasks: z
    .strictObject({
      /** Tasks running at once; more wait in the queue, in order. */
      maxConcurrent: int(1, 64).default(3),
      /** Tasks that may wait in the queue; beyond that, 429. */
      maxQueued: int(0, 10_000).default(100),
      defaultTimeoutMs: int(1000).default(30 * 60_000),
      maxTimeoutMs: int(1000).default(24 * 3600_000),
      /** How long a tool permission request waits for a decision before it is denied. */
      permissionTimeoutMs: int(1000).default(10 * 60_000),
      /** Events stored per task; beyond that only status, result and permission events are. */
      maxEvents: int(100).default(10_000),
      killGraceMs: int(0).default(5_000),
      /** Ended tasks (with their events and permission requests) older than this are deleted. */
      retentionDays: int(1, 3650).default(30),
      /** Each agent's program: a name looked up on PATH, or a path. */
      commands: z
        .strictObject({
          claude: z.string().min(1).default('claude'),
          gemini: z.string().min(1).default('gemini'),
          codex: z.string().min(1).default('codex'),
        })
        .prefault({}),
    })
    .prefault({}),
  context: z
    .strictObject({
      maxValueBytes: int(16).default(64 * 1024),
      maxEntries: int(1).default(10_000),
      sweepIntervalMs: int(100).default(30_000),
    })
    .prefault({}),
  peer: z
    .strictObject({
      /** The mutual-TLS listener other daemons talk to. Off: no pairing, no peers, no discovery. */
      enabled: z.boolean().default(true),
      host: z.string().min(1).default('0.0.0.0'),
      port: int(0, 65535).default(DEFAULT_PEER_PORT),
      /** How long an "ask" request waits for a local human before it is denied. */
      askTimeoutMs: int(1000).default(60_000),
      /** Connecting to a peer: give up after this long. */
      connectTimeoutMs: int(100).default(5_000),
      healthIntervalMs: int(1000).default(15_000),
      healthMaxIntervalMs: int(1000).default(300_000),
    })
    .prefault({}),
  discovery: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  messages: z
    .strictObject({
      /** The largest body (as JSON) a message may carry. */
      maxBodyBytes: int(64).default(256 * 1024),
      /** Delivery retries back off up to this long between attempts. */
      maxRetryMs: int(1000).default(60_000),
      /** Sent and handled messages older than this are deleted (unread ones are kept). */
      retentionDays: int(1, 3650).default(30),
    })
    .prefault({}),
  files: z
    .strictObject({
      /** The largest file or directory archive one transfer may carry. */
      maxBytes: int(1).default(64 * 1024 ** 3),
      /** The most entries a directory archive may have. */
      maxEntries: int(1).default(100_000),
      /** Temporary files of uploads nobody resumed are removed after this long. */
      staleUploadHours: int(1, 24 * 30).default(24),
      /** A transfer that makes no progress for this long (retrying with backoff) fails. */
      retryForMs: int(1000).default(10 * 60_000),
    })
    .prefault({}),
  audit: z.strictObject({ retentionDays: int(1, 3650).default(30) }).prefault({}),
  events: z.strictObject({ retain: int(100).default(10_000) }).prefault({}),
  session: z.strictObject({ ttlHours: int(1, 24 * 30).default(12) }).prefault({}),
  rateLimits: z
    .strictObject({
      windowMs: int(1000).default(60_000),
      exec: int(1).default(120),
      context: int(1).default(1200),
      files: int(1).default(120),
      /** AI task dispatches (and permission decisions) per window. */
      aiTasks: int(1).default(60),
      authFailures: int(1).default(20),
      /** Pairing handshake requests per window per client address (the unauthenticated part of the peer port). */
      pairing: int(1).default(30),
      /** The local admin has full rights; throttling it is opt-in (peers are always throttled). */
      applyToLocal: z.boolean().default(false),
    })
    .prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export interface ConfigFlags {
  port?: number;
  host?: string;
  name?: string;
  /** `key.path=value` overrides, e.g. `exec.maxConcurrent=4`. */
  set?: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'invalid-config';
}

/** Every leaf key path of the config, e.g. ["exec","maxConcurrent"]: the source of env var names. */
function leafPaths(schema: z.ZodType, prefix: string[] = []): string[][] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return [prefix];
}

const screaming = (p: string[]) => 'FERRY_' + p.map((k) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');

/** env var name → key path, derived from the schema so the two cannot drift. */
export const ENV_KEYS: ReadonlyMap<string, string[]> = new Map(leafPaths(ConfigSchema).map((p) => [screaming(p), p]));
/** FERRY_* variables that are not config keys but are known (so they are not reported as typos). */
const OTHER_ENV = new Set(['FERRY_HOME', 'FERRY_DEBUG']);

function leafSchema(p: string[]): z.ZodType {
  let s: z.ZodType = ConfigSchema;
  for (const k of p) {
    while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    s = (s as z.ZodObject).shape[k] as z.ZodType;
  }
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** Turn a string from the environment or a flag into the type its key expects (validation comes later). */
function coerce(p: string[], raw: string): unknown {
  const s = leafSchema(p);
  if (s instanceof z.ZodNumber) return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  if (s instanceof z.ZodBoolean) return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  if (s instanceof z.ZodArray) return raw.split(',').map((x) => x.trim()).filter(Boolean);
  return raw;
}

function setPath(obj: Record<string, unknown>, p: string[], value: unknown) {
  let o = obj;
  for (const k of p.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[p[p.length - 1]!] = value;
}

function getPath(obj: unknown, p: PropertyKey[]): unknown {
  let o = obj;
  for (const k of p) {
    if (typeof o !== 'object' || o === null) return undefined;
    o = (o as Record<PropertyKey, unknown>)[k];
  }
  return o;
}

export interface LoadedConfig {
  config: Config;
  /** Where each overridden key came from, for messages and `ferry doctor`. */
  sources: Map<string, string>;
  warnings: string[];
}

/**
 * Merge the config once: defaults < YAML file < FERRY_* environment < flags, then validate.
 * An error names the bad key, where it came from and what was expected.
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; flags?: ConfigFlags }): LoadedConfig {
  const env = opts.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const warnings: string[] = [];

  if (opts.file && fs.existsSync(opts.file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(fs.readFileSync(opts.file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`invalid config file ${opts.file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`invalid config file ${opts.file}: expected a mapping of keys to values`);
      Object.assign(raw, parsed);
      for (const p of leafPaths(ConfigSchema)) if (getPath(parsed, p) !== undefined) sources.set(p.join('.'), opts.file);
      for (const k of Object.keys(parsed)) if (!sources.has(k) && ![...sources.keys()].some((s) => s.startsWith(`${k}.`))) sources.set(k, opts.file);
    }
  }

  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('FERRY_') || value === undefined) continue;
    const p = ENV_KEYS.get(name);
    if (!p) {
      if (!OTHER_ENV.has(name)) warnings.push(`ignoring unknown environment variable ${name}`);
      continue;
    }
    setPath(raw, p, coerce(p, value));
    sources.set(p.join('.'), name);
  }

  const flags = opts.flags ?? {};
  for (const [k, v] of [['port', flags.port], ['host', flags.host], ['name', flags.name]] as const) {
    if (v !== undefined) {
      setPath(raw, [k], v);
      sources.set(k, `--${k}`);
    }
  }
  for (const item of flags.set ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ConfigError(`invalid --set "${item}": expected key.path=value, e.g. exec.maxConcurrent=4`);
    const key = item.slice(0, eq);
    const p = key.split('.');
    if (!leafPaths(ConfigSchema).some((l) => l.join('.') === key)) {
      throw new ConfigError(`invalid --set "${item}": unknown key "${key}" (known keys: ${leafPaths(ConfigSchema).map((l) => l.join('.')).join(', ')})`);
    }
    setPath(raw, p, coerce(p, item.slice(eq + 1)));
    sources.set(key, `--set ${key}`);
  }

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        const where = key ? `${key}.` : '';
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${where}${k}"`).join(', ')}${sourceOf(sources, key, issue.keys[0])}`;
      }
      const got = getPath(raw, issue.path);
      return `${key} = ${JSON.stringify(got)}${sourceOf(sources, key)}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { config: result.data, sources, warnings };
}

function sourceOf(sources: Map<string, string>, key: string, child?: string): string {
  const s = sources.get(child ? (key ? `${key}.${child}` : child) : key) ?? sources.get(key);
  return s ? ` (from ${s})` : '';
}
