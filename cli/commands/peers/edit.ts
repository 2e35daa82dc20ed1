import { Argument, type Command } from 'commander';
import { PRESETS, type PresetName } from '../../../server/protocol/index.js';
import { action, type CliContext } from '../../command.js';
import { PRESET_SUMMARY } from '../../lib/presets.js';

export function registerPeersEdit(group: Command): void {
  group
    .command('policy')
    .description('change what a paired machine may do here (applies to its very next request)')
    .argument('<peer>', 'its name or node id')
    .addArgument(new Argument('<preset>', PRESETS.map((p) => `${p}: ${PRESET_SUMMARY[p]}`).join('; ')).choices(PRESETS))
    .action(action(policy));

  group
    .command('rename')
    .description('change the name this machine uses for a peer (`ferry exec <name> …`)')
    .argument('<peer>', 'its current name or node id')
    .argument('<name>', 'the new name: letters, digits, ".", "_" and "-"')
    .action(action(rename));
}

async function policy(ctx: CliContext, _opts: object, ref: string, preset: PresetName): Promise<number> {
  const peer = await ctx.client().updatePeer(ref, { policy: preset });
  if (ctx.json) ctx.out.data(peer);
  else ctx.out.line(`${peer.name} may now, here: ${preset} (${PRESET_SUMMARY[preset]})`);
  return 0;
}

async function rename(ctx: CliContext, _opts: object, ref: string, name: string): Promise<number> {
  const peer = await ctx.client().updatePeer(ref, { name });
  if (ctx.json) ctx.out.data(peer);
  else ctx.out.line(`${ref} is now called ${peer.name}`);
  return 0;
}
