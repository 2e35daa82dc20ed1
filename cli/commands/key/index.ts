import type { Command } from 'commander';
import { registerKeyRotate } from './rotate.js';
import { registerKeyShow } from './show.js';

export function registerKey(program: Command): void {
  const group = program.command('key').description('the local admin token (full control of this daemon): show, rotate');
  registerKeyShow(group);
  registerKeyRotate(group);
}
