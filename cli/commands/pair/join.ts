import type { PairingSession, PresetName } from '../../../server/protocol/index.js';
import type { CliContext } from '../../command.js';
import { CliError } from '../../errors.js';
import { hostPort, parseAddress } from '../../lib/address.js';
import { interruptible } from '../../lib/interrupt.js';
import { confirmAndWait, decideOrReject, report } from '../../lib/pairing.js';
import { Prompter } from '../../lib/prompt.js';
import { spin } from '../../lib/spinner.js';

/**
 * `ferry pair <address[:port]>`: join the window open on the other machine. The invite code is
 * typed (or piped), never an argument: a code in argv is visible in `ps` and kept in shell history.
 */
export async function join(ctx: CliContext, opts: { policy?: PresetName }, target: string): Promise<number> {
  const { address, port } = parseAddress(target);
  const where = hostPort(address, port);
  const client = ctx.client();
  const prompter = new Prompter();
  try {
    const code = await readCode(prompter, where);
    return await interruptible(ctx.out, async (stage) => {
      stage.note = 'canceled';
      stage.progress = ctx.json ? undefined : await spin(ctx.out, `Connecting to ${where}…`);
      let session: PairingSession;
      try {
        session = await client.joinPairing({ address, port, code });
      } finally {
        await stage.progress?.stop();
        stage.progress = undefined;
      }
      // Joined: from here on, leaving without an answer must tell the other machine "no".
      stage.cleanup = () => client.rejectPairing(session.sessionId);
      stage.note = 'canceled: the pairing is rejected, nothing was stored';
      if (ctx.json) {
        ctx.out.data(session);
        return 0;
      }
      const chosen = await decideOrReject(ctx, client, session, opts.policy, prompter);
      if (chosen === null) {
        throw new CliError('pairing-rejected', 'you answered that the codes differ: the pairing is rejected', {
          hint: 'different codes mean someone may be in the middle: pair again, on a network you trust',
        });
      }
      return report(ctx, client, await confirmAndWait(ctx, client, session, chosen, stage), chosen);
    });
  } finally {
    prompter.close();
  }
}

/** One line from the terminal (or stdin, when it is not one). */
async function readCode(prompter: Prompter, where: string): Promise<string> {
  const question = prompter.terminal ? `Invite code shown on ${where}: ` : 'Invite code: ';
  const answer = (await prompter.ask(question))?.trim() ?? '';
  if (answer === '') {
    throw new CliError('invite-code-missing', 'no invite code was typed', {
      exit: 2,
      hint: 'type the code `ferry pair` shows on the other machine when asked (or pipe it: `echo CODE | ferry pair <address>`); it is never an argument',
    });
  }
  return answer;
}
