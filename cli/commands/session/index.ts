import type { Command } from 'commander';
import { registerSessionStart } from './start.js';
import { registerSessionStop } from './stop.js';
import { registerSessionList } from './list.js';

export function registerSession(program: Command): void {
  const group = program
    .command('session')
    .alias('sessions')
    .description('local fleets: extra daemons on this machine that trust the main one and each other (start, start-fleet, stop, stop-all, list, status)');
  registerSessionStart(group);
  registerSessionStop(group);
  registerSessionList(group);
}
