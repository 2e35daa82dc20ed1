import type { Command } from 'commander';
import { registerJobsList } from './list.js';
import { registerJobsShow } from './show.js';

export function registerJobs(program: Command): void {
  const group = program.command('jobs').description('jobs run through this daemon: list (the default) and show');
  registerJobsList(group);
  registerJobsShow(group);
}
