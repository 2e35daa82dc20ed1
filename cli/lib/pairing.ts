import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { PairingSession, PresetName } from '../../server/protocol/index.js';
import type { CliContext } from '../command.js';
import { CliError } from '../errors.js';
import { requestLines } from '../views/pairing.js';
import { sleep, type Stage } from './interrupt.js';
import { DEFAULT_PRESET, PRESETS, PRESET_SUMMARY, parsePreset } from './presets.js';
import { isYes, Prompter } from './prompt.js';
import { spin } from './spinner.js';

const FINAL = new Set(['paired', 'rejected', 'failed', 'expired']);
export const isFinal = (s: PairingSession) => FINAL.has(s.state);

/**
 * Show who asks and the comparison code, then ask the person whether the other screen shows the
 * same code and what to grant. Null when they say the codes differ (or just press Enter).
 */
export async function decide(ctx: CliContext, prompter: Prompter, s: PairingSession, policy: PresetName | undefined): Promise<PresetName | null> {
  for (const line of requestLines(s, ctx.out.paint)) ctx.out.line(line);
  ctx.out.line();
  const same = await prompter.require('Does the other screen show the same code? [y/N] ', (a) => a, '');
  if (!isYes(same)) return null;
  if (policy) return policy;
  const name = s.peer?.name ?? 'the other machine';
  ctx.out.line();
  ctx.out.line(`What may ${name} do on this machine?`);
  PRESETS.forEach((p, i) => ctx.out.line(`  ${i + 1}) ${p.padEnd(13)} ${PRESET_SUMMARY[p]}`));
  return prompter.require(`Policy [${DEFAULT_PRESET}]: `, parsePreset, `answer 1-${PRESETS.length} or one of ${PRESETS.join(', ')}`);
}

/**
 * decide(), then close the questions (a terminal leaves raw mode before a spinner runs). Any
 * answer but yes, or no answer at all (input ended), rejects the pairing on both machines.
 */
export async function decideOrReject(
  ctx: CliContext,
  client: FerryClient,
  s: PairingSession,
  policy: PresetName | undefined,
  prompter: Prompter = new Prompter(),
): Promise<PresetName | null> {
  let chosen: PresetName | null = null;
  try {
    chosen = await decide(ctx, prompter, s, policy);
    return chosen;
  } finally {
    prompter.close();
    if (chosen === null) await client.rejectPairing(s.sessionId).catch(() => undefined);
  }
}

/**
 * Record this side's yes, then wait (spinner) until the other person decided too, or the pairing
 * expired. The caller's stage already rejects the pairing on Ctrl-C.
 */
export async function confirmAndWait(ctx: CliContext, client: FerryClient, s: PairingSession, policy: PresetName, stage: Stage): Promise<PairingSession> {
  const other = s.peer?.name ?? 'the other machine';
  stage.progress = await spin(ctx.out, `Waiting for the person at ${other} to confirm… (Ctrl-C to cancel)`);
  try {
    let now: PairingSession;
    try {
      now = await client.confirmPairing(s.sessionId, policy, 60);
    } catch (err) {
      // The other side ended it while this person was answering: say how it ended.
      if (err instanceof FerryError && err.code === 'pairing-state') return await client.pairingSession(s.sessionId);
      throw err;
    }
    while (now.state === 'waiting-for-peer' && Date.now() < Date.parse(now.expiresAt)) {
      await sleep(1000);
      now = await client.pairingSession(s.sessionId);
    }
    return now;
  } finally {
    await stage.progress.stop();
    stage.progress = undefined;
  }
}

/** Say how a decided pairing ended: paired is success, anything else an error with its reason. */
export async function report(ctx: CliContext, client: FerryClient, s: PairingSession, policy: PresetName | undefined): Promise<number> {
  if (s.state !== 'paired') throw pairingEnded(s);
  // The name this machine keeps for the other one (it may differ from the one it gave itself).
  const peer = (await client.peers()).items.find((p) => p.nodeId === s.peer?.nodeId) ?? null;
  if (ctx.json) {
    ctx.out.data({ session: s, peer });
    return 0;
  }
  const name = peer?.name ?? s.peer?.name ?? 'the other machine';
  const p = ctx.out.paint;
  ctx.out.line(`${p('green', '✔')} Paired with ${p('bold', name)}.`);
  if (policy) ctx.out.line(`  ${name} may, here: ${policy} (${PRESET_SUMMARY[policy]})`);
  ctx.out.line(`  Run something there:  ferry exec ${name} -- uname -a`);
  ctx.out.line(`  Change what it may do: ferry peers policy ${name} <${PRESETS.join('|')}>`);
  return 0;
}

export function pairingEnded(s: PairingSession): CliError {
  const details = { session: s };
  switch (s.state) {
    case 'rejected':
      return new CliError('pairing-rejected', s.reason ?? 'the pairing was rejected', { details, hint: 'nothing was stored on either machine; when both agree, start again with `ferry pair`' });
    case 'failed':
      return new CliError('pairing-failed', s.reason ?? 'the pairing failed', { details });
    default:
      return new CliError('pairing-expired', 'nobody confirmed on the other machine in time (a pairing lasts 5 minutes)', { details, hint: 'start again with `ferry pair`, and confirm on both machines' });
  }
}

/** Both people must compare the codes: there is no way around it, and no flag pretends there is. */
export function refuseYes(yes: unknown): void {
  if (yes) {
    throw new CliError('usage-error', 'pairing has no --yes: a person must check that both screens show the same comparison code', {
      exit: 2,
      hint: 'for scripts: `ferry pair --json`, then `ferry pair confirm <sessionId> --policy <preset>` once the codes were compared',
    });
  }
}
