import type { Command } from 'commander';
import { registerPeersList } from './list.js';
import { registerPeersAdd } from './add.js';
import { registerPeersRemove } from './remove.js';
import { registerPeersEdit } from './edit.js';

export { registerUnpair } from './remove.js';

export function registerPeers(program: Command): void {
  const group = program
    .command('peers')
    .description('machines this one is paired with or has found: list (the default), add, remove, policy, rename');
  registerPeersList(group);
  registerPeersAdd(group);
  registerPeersRemove(group);
  registerPeersEdit(group);
}
