import { Option, type Command } from 'commander';
import { PRESETS, type PresetName } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { int } from '../../options.js';
import { refuseYes } from '../../lib/pairing.js';
import { confirm, reject } from './decide.js';
import { invite } from './invite.js';
import { join } from './join.js';

interface PairOptions {
  policy?: PresetName;
  yes?: boolean;
}

const policyOption = () => new Option('--policy <preset>', 'what the other machine may do here (else you are asked)').choices(PRESETS);
// Declared only to explain why it does not exist (see refuseYes).
const yesOption = () => new Option('-y, --yes').hideHelp();

export function registerPair(program: Command): void {
  const pair = program
    .command('pair')
    .description('pair with another machine: `ferry pair` shows an invite code, `ferry pair <address>` on the other machine joins')
    .argument('[address]', 'the other machine\'s address[:port] (port 7718 unless given); without it, this machine invites')
    .addOption(policyOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      [
        '',
        'On the machine that invites:      ferry pair',
        'On the other one:                 ferry pair 192.168.1.20:7718   (then type the invite code)',
        'Both screens show a six-digit comparison code: each person checks it matches and says yes.',
        'The invite code is never an argument (shell history and `ps` would keep it): it is typed, or piped.',
        '',
        'Scripts: `ferry pair --json` prints the window, then each session as a JSON line; decide with',
        '`ferry pair confirm <sessionId> --policy <preset>` or `ferry pair reject <sessionId>`.',
      ].join('\n'),
    )
    .action(action(pairAction));

  pair
    .command('confirm')
    .description('confirm a pairing session after comparing the codes (scripts; `ferry pair` asks by itself)')
    .argument('<sessionId>', 'from `ferry pair --json`')
    .addOption(policyOption())
    .addOption(yesOption())
    .option('--wait <seconds>', 'wait this long for the other side to decide (0-300, default 60)', int(0, 300))
    .action(action(confirm, { inherit: true }));

  pair
    .command('reject')
    .description('reject a pairing session (the codes differ, or it is not wanted)')
    .argument('<sessionId>', 'from `ferry pair --json`')
    .action(action(reject));
}

async function pairAction(ctx: CliContext, opts: PairOptions, address: string | undefined): Promise<number> {
  refuseYes(opts.yes);
  const policy = opts.policy === undefined ? {} : { policy: opts.policy };
  return address === undefined ? invite(ctx, policy) : join(ctx, policy, address);
}
