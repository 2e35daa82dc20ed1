import { afterEach, describe, expect, it } from 'vitest';
import type { PairingSession, PairingWindow } from '../../server/protocol/index.js';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { converse, ended, hasScript } from './interactive.js';
import { ferry, json } from './run.js';

const running: SpawnedDaemon[] = [];
async function daemon(name: string): Promise<SpawnedDaemon> {
  const d = await spawnDaemon({ env: { FERRY_NAME: name } });
  running.push(d);
  return d;
}
afterEach(async () => {
  for (const d of running.splice(0)) await d.kill();
});

/** The JSON lines a `--json` run printed so far. */
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('ferry pair on terminals and in scripts', () => {
  it.skipIf(!hasScript)('on a terminal: the invite box, the prompts and the spinners, on both machines', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair'], { home: a.home, tty: true });
    // On a terminal the code is spaced out in a box: `7 K 3 M - Q 9 T X`.
    const spaced = (await inviter.waitFor(/Invite code\s+([0-9A-Z](?: [0-9A-Z]){3} - [0-9A-Z](?: [0-9A-Z]){3})/))[1]!;
    await inviter.waitFor('Waiting for the other machine to join');
    const joiner = converse(['pair', `127.0.0.1:${a.peerPort}`], { home: b.home, tty: true });
    await joiner.waitFor(`Invite code shown on 127.0.0.1:${a.peerPort}:`);
    joiner.type(spaced.replace(/ /g, ''));

    const sas = /Comparison code:\s+(\d{3} \d{3})/;
    expect((await inviter.waitFor(sas))[1]).toBe((await joiner.waitFor(sas))[1]);
    await inviter.waitFor('same code? [y/N]');
    inviter.type('y');
    await inviter.waitFor('Policy [collaborator]:');
    inviter.type(''); // Enter: the default
    await joiner.waitFor('same code? [y/N]');
    joiner.type('y');
    await joiner.waitFor('Policy [collaborator]:');
    joiner.type('1');
    expect((await ended(inviter)).code).toBe(0);
    expect((await ended(joiner)).code).toBe(0);
    expect(inviter.screen()).toContain('Paired with bravo');
    expect(joiner.screen()).toContain('Paired with alpha');

    const onA = await ferry(['peers'], { home: a.home });
    expect(onA.stdout).toMatch(/^bravo\tpaired\tonline\t127\.0\.0\.1:\d+\tcollaborator\t/m);
    const onB = await ferry(['peers'], { home: b.home });
    expect(onB.stdout).toMatch(new RegExp(`^alpha\\tpaired\\tonline\\t127\\.0\\.0\\.1:${a.peerPort}\\ttrusted\\t`, 'm'));
  });

  it('scripts: `pair --json` prints the window and each session as JSON lines; `pair confirm` decides', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair', '--json'], { home: a.home });
    await inviter.waitFor(/"windowId".*\n/);
    const window = jsonLines(inviter.stdout())[0] as PairingWindow & { dial: string[] };
    expect(window.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(window.dial).toEqual([`127.0.0.1:${a.peerPort}`]);

    // The joiner's --json prints its session (with the comparison code) and returns.
    const joined = await ferry(['pair', `127.0.0.1:${a.peerPort}`, '--json'], { home: b.home, input: `${window.code}\n` });
    expect(joined.code).toBe(0);
    const onB = json<PairingSession>(joined);
    expect(onB).toMatchObject({ role: 'joiner', state: 'awaiting-confirmation', peer: { name: 'alpha' } });

    await inviter.waitFor(/"awaiting-confirmation".*\n/);
    const onA = jsonLines(inviter.stdout()).find((l) => l.state === 'awaiting-confirmation') as PairingSession;
    expect(onA).toMatchObject({ role: 'inviter', peer: { name: 'bravo' } });
    expect(onA.sas).toBe(onB.sas);

    // A person compared the codes; the script records both decisions.
    const bravoSays = ferry(['pair', 'confirm', onB.sessionId, '--policy', 'read-only', '--json'], { home: b.home });
    const alphaSays = await ferry(['pair', 'confirm', onA.sessionId, '--policy', 'collaborator', '--json'], { home: a.home });
    expect(json<PairingSession>(alphaSays).state).toBe('paired');
    expect(json<PairingSession>(await bravoSays).state).toBe('paired');
    expect((await ended(inviter)).code).toBe(0);
    expect(jsonLines(inviter.stdout()).at(-1)).toMatchObject({ sessionId: onA.sessionId, state: 'paired' });

    // A decided session cannot be decided again; the code says why.
    const again = await ferry(['pair', 'reject', onA.sessionId, '--json'], { home: a.home });
    expect(again.code).toBe(1);
    expect(json<{ error: { code: string } }>(again).error.code).toBe('pairing-state');
    // With --json, the inviter takes no decision itself.
    const noPolicy = await ferry(['pair', '--json', '--policy', 'trusted'], { home: a.home });
    expect(noPolicy.code).toBe(2);
  });

  it('scripts: `pair reject` on one side ends the pairing on both', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair', '--json'], { home: a.home });
    await inviter.waitFor(/"windowId".*\n/);
    const { code } = jsonLines(inviter.stdout())[0] as PairingWindow;
    const onB = json<PairingSession>(await ferry(['pair', `127.0.0.1:${a.peerPort}`, '--json'], { home: b.home, input: `${code}\n` }));
    const rejected = await ferry(['pair', 'reject', onB.sessionId], { home: b.home });
    expect(rejected).toMatchObject({ code: 0 });
    expect(rejected.stdout).toContain('Rejected the pairing with alpha');
    await inviter.waitFor(/"rejected".*\n/);
    // The window stays open for another try until it expires; the script stops it with Ctrl-C.
    inviter.child.kill('SIGINT');
    expect((await ended(inviter)).code).toBe(130);
    expect((await a.client.pairing()).window).toBeNull();
  });
});
