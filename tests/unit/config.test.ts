import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_KEYS, loadConfig } from '../../server/config.js';
import { DEFAULT_PORT } from '../../server/protocol/index.js';
import { tempHome } from '../helpers/daemon.js';

function file(yaml: string): string {
  const f = path.join(tempHome('ferry-cfg-'), 'config.yaml');
  fs.writeFileSync(f, yaml);
  return f;
}

describe('config', () => {
  it('has working defaults with nothing given', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.port).toBe(DEFAULT_PORT);
    expect(config.host).toBe('127.0.0.1');
    expect(config.exec.maxConcurrent).toBe(8);
    expect(config.name.length).toBeGreaterThan(0);
  });

  it('merges defaults < file < environment < flags, and remembers where each came from', () => {
    const f = file('port: 8000\nname: from-file\nexec:\n  maxConcurrent: 2\n  killGraceMs: 100\n');
    const { config, sources } = loadConfig({
      file: f,
      env: { FERRY_PORT: '8001', FERRY_EXEC_MAX_CONCURRENT: '3', FERRY_ALLOWED_HOSTS: 'a.lan, b.lan', FERRY_RATE_LIMITS_APPLY_TO_LOCAL: 'true' },
      flags: { port: 8002, set: ['exec.maxConcurrent=4'] },
    });
    expect(config).toMatchObject({ port: 8002, name: 'from-file', allowedHosts: ['a.lan', 'b.lan'], exec: { maxConcurrent: 4, killGraceMs: 100 } });
    expect(config.rateLimits.applyToLocal).toBe(true);
    expect(sources.get('port')).toBe('--port');
    expect(sources.get('exec.killGraceMs')).toBe(f);
    expect(sources.get('allowedHosts')).toBe('FERRY_ALLOWED_HOSTS');
  });

  it('derives one env var per key', () => {
    expect(ENV_KEYS.get('FERRY_EXEC_OUTPUT_CAP_BYTES')).toEqual(['exec', 'outputCapBytes']);
    expect(ENV_KEYS.get('FERRY_LOG_LEVEL')).toEqual(['logLevel']);
    expect(ENV_KEYS.has('FERRY_HOME')).toBe(false);
  });

  it('names the bad key, where it came from and what was expected', () => {
    expect(() => loadConfig({ env: { FERRY_PORT: 'eighty' } })).toThrow(/port = "eighty" \(from FERRY_PORT\): .*number/i);
    expect(() => loadConfig({ env: { FERRY_PORT: '70000' } })).toThrow(/port = 70000 \(from FERRY_PORT\)/);
    expect(() => loadConfig({ env: {}, flags: { set: ['exec.maxConcurrent=0'] } })).toThrow(/exec\.maxConcurrent = 0 \(from --set exec\.maxConcurrent\)/);
    expect(() => loadConfig({ env: { FERRY_LOG_LEVEL: 'loud' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { FERRY_LOG_LEVEL: 'loud' } })).toThrow(/logLevel.*debug.*info.*warn.*error/s);
  });

  it('rejects unknown keys in the file, naming them', () => {
    expect(() => loadConfig({ file: file('prot: 1\n'), env: {} })).toThrow(/unknown key "prot"/);
    expect(() => loadConfig({ file: file('exec:\n  maxConcurent: 1\n'), env: {} })).toThrow(/unknown key "exec\.maxConcurent"/);
  });

  it('rejects a file that is not YAML or not a mapping', () => {
    expect(() => loadConfig({ file: file('port: [1\n'), env: {} })).toThrow(/invalid config file/);
    expect(() => loadConfig({ file: file('- 1\n- 2\n'), env: {} })).toThrow(/expected a mapping/);
    expect(loadConfig({ file: file(''), env: {} }).config.port).toBe(DEFAULT_PORT);
  });

  it('rejects a malformed or unknown --set', () => {
    expect(() => loadConfig({ env: {}, flags: { set: ['nokey'] } })).toThrow(/expected key\.path=value/);
    expect(() => loadConfig({ env: {}, flags: { set: ['exec.nope=1'] } })).toThrow(/unknown key "exec\.nope"/);
  });

  it('warns about FERRY_* variables it does not know (a typo) without failing', () => {
    const { warnings } = loadConfig({ env: { FERRY_PROT: '1', FERRY_HOME: '/x' } });
    expect(warnings).toEqual(['ignoring unknown environment variable FERRY_PROT']);
  });
});
