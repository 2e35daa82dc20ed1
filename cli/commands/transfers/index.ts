import type { Command } from 'commander';
import { registerTransfersCancel } from './cancel.js';
import { registerTransfersList } from './list.js';
import { registerTransfersShow } from './show.js';

export function registerTransfers(program: Command): void {
  const group = program.command('transfers').description('file transfers the daemon runs (ferry send, ferry pull): list (the default), show, cancel');
  registerTransfersList(group);
  registerTransfersShow(group);
  registerTransfersCancel(group);
}
