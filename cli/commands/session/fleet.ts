import { InvalidArgumentError, Option } from 'commander';
import { PRESETS, PresetName } from '../../../server/protocol/index.js';
import type { CliContext } from '../../command.js';
import { inspectSession, introduce, mainMember, sessionMember, sessionNames, type Introduction, type Member } from '../../lib/sessions.js';

/**
 * What fleet members may do on each other (and on the main daemon, and it on them) when first
 * introduced: messages and context freely, commands, files and AI tasks only once a person said
 * yes. Each session usually runs its own AI agent; one of them should not act through another
 * daemon unseen. `--policy trusted` (or `ferry peers policy` later) lifts that.
 */
export const DEFAULT_FLEET_POLICY: PresetName = 'collaborator';

export function policyOption(): Option {
  return new Option('--policy <preset>', `what the daemons may do on each other when first introduced: ${PRESETS.join(', ')} (default ${DEFAULT_FLEET_POLICY})`).argParser(
    (value: string) => {
      const parsed = PresetName.safeParse(value);
      if (!parsed.success) throw new InvalidArgumentError(`expected one of ${PRESETS.join(', ')}, got "${value}"`);
      return parsed.data;
    },
  );
}

export interface Settled {
  main: Member;
  /** The main daemon and each running session, by session name (a: the main daemon). */
  withMain: Map<string, Introduction>;
  /** Session and session. */
  between: Introduction[];
}

/**
 * Pin, both ways, the main daemon and every running session, and every session just (re)started
 * and every other running session. Pinning again updates the address and port (a session gets new
 * ports on each start; the main daemon may have restarted too) and keeps the policy.
 */
export async function settleFleet(ctx: CliContext, started: ReadonlySet<string>, policy: PresetName): Promise<Settled> {
  const main = await mainMember(ctx.client());
  const running = (await Promise.all(sessionNames(ctx.home).map((n) => inspectSession(ctx.home, n)))).filter((s) => s.state === 'running');
  const members = await Promise.all(running.map((s) => sessionMember(ctx.home, s.name)));
  const pairs: Promise<Introduction>[] = [];
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      const a = members[i]!;
      const b = members[j]!;
      if (started.has(a.name) || started.has(b.name)) pairs.push(introduce(a, b, policy));
    }
  }
  const [withMain, between] = await Promise.all([Promise.all(members.map((m) => introduce(main, m, policy))), Promise.all(pairs)]);
  return { main, withMain: new Map(members.map((m, i) => [m.name, withMain[i]!])), between };
}

/** The names a session goes by: what the main daemon calls it, and what it calls the others. */
export function namesOf(session: string, settled: Settled): { knownAs: string; peers: string[] } {
  const main = settled.withMain.get(session);
  const peers = main ? [main.bCallsA] : [];
  for (const i of settled.between) {
    if (i.a === session) peers.push(i.aCallsB);
    if (i.b === session) peers.push(i.bCallsA);
  }
  return { knownAs: main?.aCallsB ?? session, peers };
}
