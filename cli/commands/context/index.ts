import type { Command } from 'commander';
import { registerContextGet } from './get.js';
import { registerContextSet } from './set.js';
import { registerContextList } from './list.js';
import { registerContextDelete } from './delete.js';

export function registerContext(program: Command): void {
  const group = program
    .command('context')
    .description('the shared key-value context: get, set, list, delete (values are JSON)');
  registerContextGet(group);
  registerContextSet(group);
  registerContextList(group);
  registerContextDelete(group);
}
