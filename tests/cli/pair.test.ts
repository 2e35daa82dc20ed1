import { afterEach, describe, expect, it } from 'vitest';
import { spawnDaemon, type SpawnedDaemon } from '../helpers/daemon.js';
import { converse, ended } from './interactive.js';
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

const INVITE = /invite code: ([0-9A-Z]{4}-[0-9A-Z]{4})/;
const SAS = /Comparison code:\s+(\d{3} \d{3})/;
type ErrorDoc = { error: { code: string; message: string; details?: Record<string, unknown> } };

describe('ferry pair, typed by two people', () => {
  it('both screens show the same comparison code; once both say yes, exec runs across until unpaired', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');

    // alpha's person invites; the screen says what to run on the other machine.
    const inviter = converse(['pair'], { home: a.home });
    const code = (await inviter.waitFor(INVITE))[1]!;
    await inviter.waitFor(`ferry pair 127.0.0.1:${a.peerPort}`);

    // bravo's person runs what it says and types the code when asked.
    const joiner = converse(['pair', `127.0.0.1:${a.peerPort}`], { home: b.home });
    await joiner.waitFor('Invite code');
    joiner.type(code);

    const sasOnA = (await inviter.waitFor(SAS))[1];
    const sasOnB = (await joiner.waitFor(SAS))[1];
    expect(sasOnA).toBe(sasOnB);
    expect(inviter.screen()).toContain('bravo (node id');
    expect(joiner.screen()).toContain('alpha (node id');

    // Each compares, says yes, and picks what the other may do.
    await inviter.waitFor('Does the other screen show the same code? [y/N]');
    inviter.type('y');
    await inviter.waitFor('Policy [collaborator]');
    inviter.type('trusted');
    await joiner.waitFor('Does the other screen show the same code? [y/N]');
    joiner.type('y');
    await joiner.waitFor('Policy [collaborator]');
    joiner.type('2');

    expect((await ended(inviter)).code).toBe(0);
    expect((await ended(joiner)).code).toBe(0);
    expect(inviter.stdout()).toContain('Paired with bravo');
    expect(joiner.stdout()).toContain('Paired with alpha');
    expect((await a.client.pairing()).window).toBeNull();
    const granted = (await ferry(['peers', '--json'], { home: a.home }).then((r) => json<{ items: { name: string; policy: { exec: { mode: string } } }[] }>(r))).items;
    expect(granted.find((p) => p.name === 'bravo')?.policy.exec.mode).toBe('full');

    // bravo runs a command on alpha by name.
    expect(await ferry(['exec', 'alpha', '--', 'echo', 'hi'], { home: b.home })).toMatchObject({ code: 0, stdout: 'hi\n' });

    // bravo unpairs; alpha is told.
    const unpair = await ferry(['unpair', 'alpha'], { home: b.home });
    expect(unpair.code).toBe(0);
    expect(unpair.stdout).toContain('alpha was told');

    // The same command is now refused, with the code scripts match on.
    const refused = await ferry(['exec', 'alpha', '--', 'echo', 'hi'], { home: b.home });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('[peer-not-found]');
    expect(refused.stderr).toContain('ferry peers');
    const asJson = await ferry(['exec', 'alpha', '--json', '--', 'echo', 'hi'], { home: b.home });
    expect(asJson.code).toBe(1);
    expect(json<ErrorDoc>(asJson).error.code).toBe('peer-not-found');
  });

  it('a wrong code is refused with the tries left, the inviter sees it, and Ctrl-C closes the window', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair'], { home: a.home });
    const code = (await inviter.waitFor(INVITE))[1]!;
    const wrong = `${code[0] === 'A' ? 'B' : 'A'}${code.slice(1)}`;
    const where = `127.0.0.1:${a.peerPort}`;

    const first = await ferry(['pair', where], { home: b.home, input: `${wrong}\n` });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('wrong invite code (4 tries left');
    expect(first.stderr).toContain('[pairing-code-wrong]');
    expect(first.stderr).toContain('check the code on the other machine');
    const second = await ferry(['pair', where, '--json'], { home: b.home, input: `${wrong}\n` });
    expect(second.code).toBe(1);
    expect(json<ErrorDoc>(second).error).toMatchObject({ code: 'pairing-code-wrong', details: { attemptsLeft: 3 } });
    await inviter.waitFor('wrong invite code: 3 tries left');

    inviter.child.kill('SIGINT');
    expect((await ended(inviter)).code).toBe(130);
    expect(inviter.stderr()).toContain('the pairing window is closed');
    expect((await a.client.pairing()).window).toBeNull();
    // The right code no longer helps: the window is gone.
    const late = await ferry(['pair', where], { home: b.home, input: `${code}\n` });
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('[no-pairing-window]');
  });

  it('saying the codes differ rejects the pairing on both machines; nothing is stored', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair'], { home: a.home });
    const code = (await inviter.waitFor(INVITE))[1]!;
    const joiner = converse(['pair', `127.0.0.1:${a.peerPort}`, '--policy', 'read-only'], { home: b.home });
    joiner.type(code);
    await joiner.waitFor('same code? [y/N]');
    joiner.type('y'); // --policy given: no second question
    await joiner.waitFor('Waiting for the person at alpha');
    await inviter.waitFor('same code? [y/N]');
    inviter.type('n');

    expect((await ended(inviter)).code).toBe(1);
    expect(inviter.stderr()).toContain('[pairing-rejected]');
    expect((await ended(joiner)).code).toBe(1);
    expect(joiner.stderr()).toContain('alpha rejected the pairing');
    expect(joiner.stderr()).toContain('[pairing-rejected]');
    expect((await a.client.peers()).items).toEqual([]);
    expect((await b.client.peers()).items).toEqual([]);
  });

  it('Ctrl-C while waiting for the other person rejects the pairing; the other screen says so', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair', '--policy', 'trusted'], { home: a.home });
    const code = (await inviter.waitFor(INVITE))[1]!;
    const joiner = converse(['pair', `127.0.0.1:${a.peerPort}`, '--policy', 'trusted'], { home: b.home });
    joiner.type(code);
    await inviter.waitFor('same code? [y/N]');
    await joiner.waitFor('same code? [y/N]');
    joiner.type('y');
    await joiner.waitFor('Waiting for the person at alpha');
    joiner.child.kill('SIGINT');
    expect((await ended(joiner)).code).toBe(130);
    expect(joiner.stderr()).toContain('canceled: the pairing is rejected');

    // alpha's person, slower, still says yes: too late, and told why.
    inviter.type('y');
    expect((await ended(inviter)).code).toBe(1);
    expect(inviter.stderr()).toContain('bravo rejected the pairing');
    expect(inviter.stderr()).toContain('[pairing-rejected]');
    expect((await a.client.peers()).items).toEqual([]);
  });

  it('Ctrl-C on the inviting side after its yes rejects the pairing and closes the window', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair', '--policy', 'read-only'], { home: a.home });
    const code = (await inviter.waitFor(INVITE))[1]!;
    const joiner = converse(['pair', `127.0.0.1:${a.peerPort}`, '--policy', 'read-only'], { home: b.home });
    joiner.type(code);
    await inviter.waitFor('same code? [y/N]');
    inviter.type('y');
    await inviter.waitFor('Waiting for the person at bravo');
    inviter.child.kill('SIGINT');
    expect((await ended(inviter)).code).toBe(130);
    expect(inviter.stderr()).toContain('canceled: the pairing is rejected and the window closed');
    expect((await a.client.pairing()).window).toBeNull();

    await joiner.waitFor('same code? [y/N]');
    joiner.type('y');
    expect((await ended(joiner)).code).toBe(1);
    expect(joiner.stderr()).toContain('[pairing-rejected]');
  });

  it('someone who joins and gives up between two looks at the screen is mentioned; the window stays open', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const inviter = converse(['pair'], { home: a.home });
    const code = (await inviter.waitFor(INVITE))[1]!;
    // The inviter's screen is frozen while bravo joins and cancels.
    inviter.child.kill('SIGSTOP');
    try {
      const joined = await ferry(['pair', `127.0.0.1:${a.peerPort}`, '--json'], { home: b.home, input: `${code}\n` });
      const { sessionId } = json<{ sessionId: string }>(joined);
      expect(await ferry(['pair', 'reject', sessionId], { home: b.home })).toMatchObject({ code: 0 });
    } finally {
      inviter.child.kill('SIGCONT');
    }
    await inviter.waitFor('bravo joined, then the pairing ended');
    expect((await a.client.pairing()).window).not.toBeNull();
    inviter.child.kill('SIGINT');
    expect((await ended(inviter)).code).toBe(130);
  });

  it('helpful errors: no window open there, nobody listening, no code typed, no --yes', async () => {
    const a = await daemon('alpha');
    const b = await daemon('bravo');
    const noWindow = await ferry(['pair', `127.0.0.1:${a.peerPort}`], { home: b.home, input: 'ABCD-EFGH\n' });
    expect(noWindow.code).toBe(1);
    expect(noWindow.stderr).toContain('[no-pairing-window]');
    expect(noWindow.stderr).toContain('run `ferry pair` on the other machine first');

    const nobody = await ferry(['pair', '127.0.0.1:1', '--json'], { home: b.home, input: 'ABCD-EFGH\n' });
    expect(nobody.code).toBe(1);
    expect(json<ErrorDoc>(nobody).error.code).toBe('peer-unreachable');

    const noCode = await ferry(['pair', `127.0.0.1:${a.peerPort}`], { home: b.home, input: '' });
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toContain('[invite-code-missing]');
    expect(noCode.stderr).toContain('never an argument');
    // A code on the command line is not taken (it would end up in shell history and `ps`).
    const inArgv = await ferry(['pair', `127.0.0.1:${a.peerPort}`, 'ABCD-EFGH'], { home: b.home });
    expect(inArgv.code).toBe(2);

    const yes = await ferry(['pair', '--yes', '--json'], { home: a.home });
    expect(yes.code).toBe(2);
    expect(json<ErrorDoc>(yes).error.message).toContain('comparison code');
    expect((await a.client.pairing()).window).toBeNull();

    const badPort = await ferry(['pair', '127.0.0.1:99999'], { home: b.home, input: 'ABCD-EFGH\n' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('is not a port');
  });
});
