import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMD_DIR, type Unit, parseUnit, run, value, verifyUnit } from './units.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-systemd-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function load(file: string): Unit {
  return parseUnit(fs.readFileSync(path.join(SYSTEMD_DIR, file), 'utf8'));
}

/** verify's warnings (unknown keys, bad values) go to stderr with exit code 0: both count. */
function expectClean(r: { status: number | null; stdout: string; stderr: string }): void {
  expect({ status: r.status, output: (r.stderr + r.stdout).trim() }).toEqual({ status: 0, output: '' });
}

describe('systemd units', () => {
  it('systemd-analyze verify passes the user unit without a warning', () => {
    expectClean(verifyUnit('ferry.service', tmp, { user: true }));
  });

  it('systemd-analyze verify passes the system unit without a warning', () => {
    expectClean(verifyUnit('ferry-system.service', tmp, { user: false }));
  });

  it('the verify check itself fails on a misspelled option', () => {
    // Proves the two tests above can fail: verify only *warns* about unknown keys.
    const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
    const bad = fs.readFileSync(path.join(SYSTEMD_DIR, 'ferry-system.service'), 'utf8').replace('ProtectSystem=', 'ProtectSystm=');
    fs.mkdirSync(path.join(dir, 'in'));
    fs.writeFileSync(path.join(dir, 'in', 'ferry-system.service'), bad);
    const r = run('systemd-analyze', ['verify', path.join(dir, 'in', 'ferry-system.service')], { ...process.env, SYSTEMD_LOG_COLOR: '0' });
    expect(r.stderr).toContain("Unknown key 'ProtectSystm'");
  });

  it('both units restart on failure and stop by draining the daemon first', () => {
    for (const file of ['ferry.service', 'ferry-system.service']) {
      const unit = load(file);
      expect(value(unit, 'Service', 'Restart'), file).toBe('on-failure');
      expect(value(unit, 'Service', 'KillMode'), file).toBe('mixed');
      expect(value(unit, 'Service', 'TimeoutStopSec'), file).toMatch(/^\d+s$/);
      expect(value(unit, 'Service', 'UMask'), file).toBe('0077');
      expect(value(unit, 'Service', 'ExecStart'), file).toMatch(/ \S*dist\/server\/main\.js$/);
    }
    expect(value(load('ferry.service'), 'Install', 'WantedBy')).toBe('default.target');
    expect(value(load('ferry-system.service'), 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('the system unit runs as the ferry user with its data in /var/lib/ferry, sandboxed', () => {
    const unit = load('ferry-system.service');
    const svc = (key: string) => value(unit, 'Service', key);
    expect([svc('User'), svc('Group')]).toEqual(['ferry', 'ferry']);
    expect([svc('StateDirectory'), svc('StateDirectoryMode')]).toEqual(['ferry', '0700']);
    expect(unit.get('Service')?.get('Environment')).toContain('FERRY_HOME=/var/lib/ferry');
    expect({
      ProtectSystem: svc('ProtectSystem'),
      ProtectHome: svc('ProtectHome'),
      PrivateTmp: svc('PrivateTmp'),
      NoNewPrivileges: svc('NoNewPrivileges'),
      CapabilityBoundingSet: svc('CapabilityBoundingSet'),
    }).toEqual({ ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', NoNewPrivileges: 'yes', CapabilityBoundingSet: '' });
    // V8's JIT needs writable+executable pages: this option would make node abort at start.
    expect(svc('MemoryDenyWriteExecute')).toBeUndefined();
  });

  it("the system unit's exposure score (systemd-analyze security) stays at 2.0 or below", () => {
    // Guards the sandbox as a whole: dropping a hardening option raises the score past it.
    // --threshold takes tenths: 20 = 2.0 on systemd's 0-10 scale (1.7 when written).
    const r = run('systemd-analyze', ['security', '--offline=yes', '--threshold=20', path.join(SYSTEMD_DIR, 'ferry-system.service')], {
      ...process.env,
      SYSTEMD_LOG_COLOR: '0',
    });
    expect(r.status, r.stdout.split('\n').filter((l) => l.includes('Overall')).join('\n')).toBe(0);
  });

  it('the sysusers entry creates exactly the user and group the system unit runs as', () => {
    const root = fs.mkdtempSync(path.join(tmp, 'root-'));
    fs.mkdirSync(path.join(root, 'etc'));
    const r = run('systemd-sysusers', [`--root=${root}`, path.join(SYSTEMD_DIR, 'ferry-sysusers.conf')]);
    expect(r.status, r.stderr).toBe(0);
    const passwd = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8').trim().split(':');
    expect([passwd[0], passwd[5], passwd[6]]).toEqual(['ferry', '/var/lib/ferry', '/usr/sbin/nologin']);
    expect(fs.readFileSync(path.join(root, 'etc/group'), 'utf8')).toMatch(/^ferry:/);
  });
});
