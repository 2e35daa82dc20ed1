import type { Command } from 'commander';
import { registerContextGet } from './get.js';
import { registerContextSet } from './set.js';
import { registerContextList } from './list.js';
import { registerContextDelete } from './delete.js';
import { registerContextBroadcast } from './broadcast.js';
import { registerContextWatch } from './watch.js';

export function registerContext(program: Command): void {
  const group = program
    .command('context')
    .description('the shared key-value context: get, set, list, delete, broadcast, watch (values are JSON)');
  registerContextGet(group);
  registerContextSet(group);
  registerContextList(group);
  registerContextDelete(group);
  registerContextBroadcast(group);
  registerContextWatch(group);
}
