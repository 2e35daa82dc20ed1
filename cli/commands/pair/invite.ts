import type { FerryClient } from '../../../server/client/index.js';
import type { PairingOverview, PairingSession, PairingWindow, PresetName } from '../../../server/protocol/index.js';
import type { CliContext } from '../../command.js';
import { CliError, usageError } from '../../errors.js';
import { dialAddresses } from '../../lib/address.js';
import { interruptible, sleep, type Stage } from '../../lib/interrupt.js';
import { confirmAndWait, decideOrReject, isFinal, report } from '../../lib/pairing.js';
import { spin } from '../../lib/spinner.js';
import { invitePlain, type InviteInfo } from '../../views/pairing.js';

const POLL_MS = 500;

/** A session of the window we opened (older windows' sessions were all ended when it opened). */
const ours = (s: PairingSession, before: Set<string>) => s.role === 'inviter' && !before.has(s.sessionId);

/**
 * `ferry pair`: open a window, show the code and where to dial, wait for the other machine to
 * join, compare codes, confirm. The window is closed on the way out, whatever happens.
 */
export async function invite(ctx: CliContext, opts: { policy?: PresetName }): Promise<number> {
  if (ctx.json && opts.policy) {
    throw usageError('with --json, decisions are taken by `ferry pair confirm <sessionId> --policy <preset>`, once the codes were compared');
  }
  const client = ctx.client();
  const { peerListen } = await client.status();
  if (!peerListen) {
    throw new CliError('peers-disabled', 'this daemon does not listen for peers (peer.enabled is false)', {
      hint: 'set peer.enabled: true in config.yaml (or FERRY_PEER_ENABLED=true) and restart the daemon',
    });
  }
  const before = new Set((await client.pairing()).sessions.map((s) => s.sessionId));
  const window = await client.openPairing();
  return interruptible(ctx.out, async (stage) => {
    stage.cleanup = () => client.closePairing();
    stage.note = 'canceled: the pairing window is closed';
    try {
      const info: InviteInfo = { window, dial: dialAddresses(peerListen) };
      if (ctx.json) return await followJson(ctx, client, info, before);
      await showInvite(ctx, info);
      const session = await waitForJoin(ctx, client, window, before, stage);
      return await decideAndConfirm(ctx, client, session, opts.policy, stage);
    } finally {
      await client.closePairing().catch(() => undefined);
    }
  });
}

async function showInvite(ctx: CliContext, info: InviteInfo): Promise<void> {
  if (ctx.out.interactive) {
    const { createElement } = await import('react');
    const { InviteView } = await import('../../views/InviteView.js');
    await ctx.out.view(createElement(InviteView, { info }));
  } else for (const line of invitePlain(info)) ctx.out.line(line);
}

/** Poll the window until someone joined with the right code; say so when a wrong code was tried. */
async function waitForJoin(ctx: CliContext, client: FerryClient, window: PairingWindow, before: Set<string>, stage: Stage): Promise<PairingSession> {
  const label = 'Waiting for the other machine to join… (Ctrl-C to cancel)';
  let tries = window.attemptsLeft;
  const told = new Set<string>();
  stage.progress = await spin(ctx.out, label);
  const say = async (text: string) => {
    await stage.progress?.stop();
    ctx.out.note(ctx.out.paintErr('yellow', text));
    stage.progress = await spin(ctx.out, label);
  };
  try {
    for (;;) {
      const o = await client.pairing();
      const joined = o.sessions.find((s) => ours(s, before) && s.state === 'awaiting-confirmation');
      if (joined) return joined;
      if (o.window?.windowId !== window.windowId) throw windowGone(window, tries);
      if (o.window.attemptsLeft < tries) {
        tries = o.window.attemptsLeft;
        await say(`Someone typed a wrong invite code: ${tries} ${tries === 1 ? 'try' : 'tries'} left.`);
      }
      // Someone joined with the right code but gave up before this screen showed them (between polls).
      for (const s of o.sessions) {
        if (!ours(s, before) || !s.peer || !isFinal(s) || told.has(s.sessionId)) continue;
        told.add(s.sessionId);
        await say(`${s.peer.name} joined, then the pairing ended: ${s.reason ?? s.state}. Still waiting.`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    await stage.progress?.stop();
    stage.progress = undefined;
  }
}

function windowGone(window: PairingWindow, triesLeft: number): CliError {
  if (Date.now() >= Date.parse(window.expiresAt) - 1000) {
    return new CliError('pairing-expired', 'nobody joined within 5 minutes: the invite code has expired', { hint: 'run `ferry pair` again when the other machine is ready' });
  }
  return new CliError(
    'pairing-window-closed',
    triesLeft <= 1 ? 'too many wrong invite codes were typed: the window is closed' : 'the pairing window was closed (by another `ferry pair`, or the admin page)',
    { hint: 'run `ferry pair` again' },
  );
}

async function decideAndConfirm(ctx: CliContext, client: FerryClient, session: PairingSession, policy: PresetName | undefined, stage: Stage): Promise<number> {
  // From the moment someone joined, Ctrl-C rejects them as well as closing the window.
  stage.cleanup = async () => {
    await client.rejectPairing(session.sessionId).catch(() => undefined);
    await client.closePairing();
  };
  stage.note = 'canceled: the pairing is rejected and the window closed';
  const chosen = await decideOrReject(ctx, client, session, policy);
  if (chosen === null) {
    throw new CliError('pairing-rejected', 'you answered that the codes differ: the pairing is rejected and the window closed', {
      hint: 'different codes mean someone may be in the middle: pair again, on a network you trust',
    });
  }
  const final = await confirmAndWait(ctx, client, session, chosen, stage);
  return report(ctx, client, final, chosen);
}

/**
 * `ferry pair --json`: the window as one JSON line, then every change of a session of that window
 * as a JSON line, until one is paired (exit 0) or the window is gone with nothing left pending.
 * Decisions come from `ferry pair confirm|reject`.
 */
async function followJson(ctx: CliContext, client: FerryClient, info: InviteInfo, before: Set<string>): Promise<number> {
  ctx.out.line(JSON.stringify({ ...info.window, dial: info.dial }));
  const printed = new Map<string, string>();
  let tries = info.window.attemptsLeft;
  for (;;) {
    const o: PairingOverview = await client.pairing();
    const mine = o.sessions.filter((s) => ours(s, before));
    for (const s of mine) {
      const key = `${s.state}|${s.localDecision}|${s.remoteDecision}`;
      if (printed.get(s.sessionId) === key) continue;
      printed.set(s.sessionId, key);
      ctx.out.line(JSON.stringify(s));
    }
    if (mine.some((s) => s.state === 'paired')) return 0;
    const open = o.window?.windowId === info.window.windowId;
    if (open) tries = o.window!.attemptsLeft;
    if (!open && mine.every(isFinal)) throw windowGone(info.window, tries);
    await sleep(POLL_MS);
  }
}
