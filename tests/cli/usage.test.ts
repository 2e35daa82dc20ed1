import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/daemon.js';
import { ferry, json } from './run.js';

describe('ferry usage and help', () => {
  const home = tempHome('ferry-cli-usage-');
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('with no arguments prints help on stdout and exits 0', async () => {
    const res = await ferry([], { home });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: ferry');
    for (const cmd of ['init', 'start', 'stop', 'status', 'doctor', 'context', 'exec', 'jobs', 'logs', 'key', 'mcp']) {
      expect(res.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
  });

  it('--help and --version exit 0', async () => {
    expect((await ferry(['exec', '--help'], { home })).code).toBe(0);
    const version = await ferry(['--version'], { home });
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown command or option is a usage error: exit 2 with a hint', async () => {
    const cmd = await ferry(['stauts'], { home });
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command');
    expect(cmd.stderr).toContain('status'); // the suggestion
    const opt = await ferry(['status', '--bogus'], { home });
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('--help');
  });

  it('in --json mode a usage error is a JSON error document on stdout, still exit 2', async () => {
    const res = await ferry(['context', 'list', '--limit', '0', '--json'], { home });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('');
    expect(json<{ error: { code: string; message: string } }>(res).error).toMatchObject({ code: 'usage-error' });
  });

  it('a group without its subcommand shows the group\'s help and exits 2', async () => {
    const res = await ferry(['context'], { home });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Usage: ferry context');
  });
});
