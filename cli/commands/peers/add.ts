import type { Command } from 'commander';
import { action, type CliContext } from '../../command.js';
import { hostPort, parseAddress } from '../../lib/address.js';

export function registerPeersAdd(group: Command): void {
  group
    .command('add')
    .description('add a machine by address (when discovery cannot see it); it is checked, not paired')
    .argument('<address>', 'IP address or host name, optionally with :port')
    .argument('[port]', 'its peer port (default 7718)')
    .action(action(add));
}

async function add(ctx: CliContext, _opts: object, address: string, port?: string): Promise<number> {
  const target = parseAddress(address, port);
  const peer = await ctx.client().addPeer(target);
  if (ctx.json) {
    ctx.out.data(peer);
    return 0;
  }
  const where = hostPort(target.address, target.port);
  if (peer.paired) ctx.out.line(`${where} is ${peer.name}, already paired`);
  else if (peer.nodeId) {
    ctx.out.line(`added ${where}: it answers as ${peer.name} (node id ${peer.nodeId})`);
    ctx.out.note(`pair with it: run \`ferry pair\` there, then \`ferry pair ${where}\` here`);
  } else {
    ctx.out.line(`added ${where}: nothing answers there yet (it will be checked again)`);
    ctx.out.note('is ferry running there, and its peer port open?');
  }
  return 0;
}
